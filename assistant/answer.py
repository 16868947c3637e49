"""The Danish answer: quotes from the minutes with citations, or a refusal that says why.

assistant.policy decides what answers each part of the question; this module
only words it. Every quoted sentence ends with a marker [n] into the sources
list, a question of several parts gets a line per part, and a refusal names
what lies nearest instead of guessing. An optional language model may rephrase
(see assistant.llm); its reply is checked and replaced by this answer when it cites badly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from assistant.policy import Outcome, PartOutcome, Refusal, Use, decide, item_order, weighed, year_of
from assistant.question import MONTHS, AnswerType, SearchPlan
from assistant.relevance import Relevance
from assistant.retrieval import HybridRetriever, ItemSection, RetrievedItem
from index.identity import UPLOADS_PREFIX
from index.sections import DECISION, RECOMMENDATION

REFUSAL = "Det kan jeg ikke finde i mødematerialet."
NOT_STATED = "Det fremgår ikke af mødematerialet."
NO_PARTICIPANTS = "Materialet har ingen deltagerliste for det eller de møder, spørgsmålet gælder."
MONTH_NAMES = tuple(MONTHS)
SECTION_LABELS = {DECISION: "Af beslutningen fremgår:", RECOMMENDATION: "Indstillingen lød:"}
# What a typed question asked for, as the refusal names it.
SLOT_WORDS = {
    AnswerType.PERSON: "hvem det drejer sig om",
    AnswerType.AMOUNT: "det tal eller beløb, der spørges om",
    AnswerType.DATE: "det tidspunkt, der spørges om",
    AnswerType.NAME: "det navn, der spørges om",
    AnswerType.REASON: "nogen begrundelse",
}


@dataclass
class Citation:
    number: int
    source: str
    committee: str
    meeting_date: str | None
    meeting_year: int | None
    doc_type: str
    item: str
    title: str
    section: str
    page: int | None
    passage: str
    highlights: list[str] = field(default_factory=list)
    quote_sections: list[str] = field(default_factory=list)  # the section of each highlight
    # A quoted decision taken at an earlier meeting than this document's: quote → ISO date it was decided.
    decided_on: dict[str, str] = field(default_factory=dict)
    uploaded: bool = False  # added through the app, not the material's own minutes
    uploaded_by: str = ""
    uploaded_at: str = ""  # ISO date and time

    def label(self) -> str:
        """"KKR Syddanmark, referat 21. november 2023, punkt 2.3 Botilbudskapacitet og lånepulje"
        (an upload's with "uploadet af … den …" after it)."""
        when = long_date(self.meeting_date, self.meeting_year)
        provenance = f" ({self.provenance()})" if self.uploaded else ""
        return f"{self.committee}, {self.doc_type} {when}, {self.where()}{provenance}"

    def provenance(self) -> str:
        """"uploadet af mette den 8. december 2026" for an uploaded document, else ""."""
        if not self.uploaded:
            return ""
        who = self.uploaded_by or "en bruger uden login"
        when = f" den {long_date(self.uploaded_at[:10])}" if self.uploaded_at else ""
        return f"uploadet af {who}{when}"

    def where(self) -> str:
        return item_place(self.item, self.title)

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "meeting_date": self.meeting_date,
            "item": self.item,
            "title": self.title,
            "section": self.section,
            "uploaded": self.uploaded,
            "uploaded_by": self.uploaded_by if self.uploaded else None,
            "uploaded_at": self.uploaded_at if self.uploaded else None,
        }


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation]
    retrieved: list[RetrievedItem]
    note: str = ""
    relevance: Relevance | None = None
    explain: Callable[[], list[str]] | None = field(default=None, repr=False)

    @property
    def explanation(self) -> list[str]:
        """Why: per part, the answer type, the best candidates with their features and scores, and the
        probability of an answer (computed when asked for)."""
        return self.explain() if self.explain is not None else []

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [item.to_json() for item in self.retrieved],
        }

    def sources_markdown(self) -> str:
        return "\n".join(f"[{c.number}] {c.label()} ({c.section})" for c in self.citations)


def item_place(number: str, title: str, quoted: bool = False) -> str:
    """"punkt 2.3 Botilbudskapacitet og lånepulje"; the participants list has no item number.

    A part of a document of no known layout is numbered by its place ("side 4", a second
    part on that page "side 4b"; "afsnit 3" in a text file) and cited so: "side 4 Titel".
    """
    if not number:
        return "deltagerliste"
    title = f"»{title}«" if quoted else title
    if place := re.fullmatch(r"((?:side|afsnit) \d+)[a-z]?", number):
        return f"{place[1]} {title}"
    return f"punkt {number} {title}"


def long_date(iso: str | None, year: int | None = None) -> str:
    if not iso:
        return f"{year} (dato ikke oplyst)" if year else "dato ikke oplyst"
    day = date.fromisoformat(iso)
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"


def meeting_phrase(citation: Citation) -> str:
    if citation.doc_type == "dokument":  # a document of no known layout: no meeting, maybe a date
        return f"I dokumentet dateret {long_date(citation.meeting_date)}" if citation.meeting_date else "I dokumentet"
    if citation.meeting_date:
        return f"På mødet den {long_date(citation.meeting_date)}"
    if citation.meeting_year:
        return f"På mødet i {citation.meeting_year} (præcis dato ikke oplyst)"
    return "På et møde (dato ikke oplyst)"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def answer_question(retriever: HybridRetriever, question: str, plan: SearchPlan) -> Answer:
    """Decide (assistant.policy) and word the answer; the question is assumed validated."""
    outcome = decide(retriever, question, plan)
    return render(retriever, outcome)


def render(retriever: HybridRetriever, outcome: Outcome) -> Answer:
    """The answer text and its numbered sources: one block per part, citations numbered across them."""
    citations: dict[tuple[str, str], Citation] = {}
    blocks = []
    for part in outcome.parts:
        part_citations = [_cite(retriever, use, part, citations) for use in part.uses]
        blocks.append(_part_text(part, part_citations, outcome))
    if outcome.analysis.multipart:
        text = "\n\n".join(
            f"{index}. {_part_heading(part, outcome)}\n{block}" for index, (part, block)
            in enumerate(zip(outcome.parts, blocks, strict=True), start=1)
        )
        missing = [str(i) for i, part in enumerate(outcome.parts, start=1) if part.refused]
        if missing and len(missing) < len(outcome.parts):
            text += f"\n\nDel {', '.join(missing)} af spørgsmålet fremgår ikke af mødematerialet."
    else:
        text = blocks[0]
    if outcome.analysis.notes:
        text += "\n\n" + " ".join(outcome.analysis.notes)
    text += _uploaded_note(list(citations.values()))
    relevance = next((p.relevance for p in outcome.parts if p.relevance is not None), None)
    return Answer(outcome.analysis.text, text, outcome.refused, list(citations.values()), outcome.retrieved,
                  relevance=relevance, explain=lambda: _explanation(retriever, outcome))


def _explanation(retriever: HybridRetriever, outcome: Outcome) -> list[str]:
    """Per part: the answer type read, the best candidate sentences with their features and scores, and the
    probability that the part is answered; and why a refused part was refused."""
    lines = []
    for number, part in enumerate(outcome.parts, start=1):
        lines.append(f"Del {number}: {part.part.text}")
        lines += weighed(retriever, outcome.analysis, part).explain()
        if part.refusal is not None:
            lines.append(f"  afvist: {part.refusal.kind}")
    return lines


def _part_heading(part: PartOutcome, outcome: Outcome) -> str:
    if part.part.text == outcome.analysis.text and part.part.years:
        return f"I {', '.join(str(y) for y in part.part.years)}:"
    return f"{upper_first(part.part.text.rstrip('?'))}?"


def _cite(retriever: HybridRetriever, use: Use, part: PartOutcome,
          citations: dict[tuple[str, str], Citation]) -> Citation:
    """The item's citation, numbered on first use; a later part quoting the same item adds its quotes."""
    item = use.item
    quotes = [text for text, _ in use.quotes]
    existing = citations.get(item.key)
    sections = retriever.item_sections(item.source, item.item)
    if existing is not None:
        for text, section in use.quotes:
            if text not in existing.highlights:
                existing.highlights.append(text)
                existing.quote_sections.append(section)
        existing.passage = _passage(sections, existing.highlights)
        existing.decided_on.update(_decision_dates(sections, use.quotes))
        return existing
    section_name = _primary_section(use.quotes, part.decision or part.history) or (
        item.chunks[0].section if item.chunks else "")
    section = next((s for s in sections if s.name == section_name), None)
    first = retriever.item_chunks(item.source, item.item)[:1]
    provenance = first[0].metadata if first else {}
    citation = Citation(
        # Uploads indexed before their chunks carried provenance are uploads all the same.
        uploaded=bool(provenance.get("uploaded")) or item.source.startswith(UPLOADS_PREFIX),
        uploaded_by=str(provenance.get("uploaded_by") or ""),
        uploaded_at=str(provenance.get("uploaded_at") or ""),
        number=len(citations) + 1,
        source=item.source,
        committee=item.committee,
        meeting_date=item.meeting_date,
        meeting_year=year_of(item),
        doc_type=item.doc_type,
        item=item.item,
        title=item.title,
        section=section_name,
        page=section.page if section else None,
        passage=_passage(sections, quotes),
        highlights=quotes,
        quote_sections=[section for _, section in use.quotes],
        decided_on=_decision_dates(sections, use.quotes),
    )
    citations[item.key] = citation
    return citation


def _uploaded_note(citations: list[Citation]) -> str:
    """Uploaded documents are not the material's own minutes: the answer says which sources are uploads."""
    uploads = [c for c in citations if c.uploaded]
    if not uploads:
        return ""
    lines = [f"[{c.number}] er {c.provenance()}" for c in uploads]
    return ("\n\nBemærk: " + "; ".join(lines) +
            ". Uploadede dokumenter er ikke en del af det officielle mødemateriale.")


def _part_text(part: PartOutcome, cited: list[Citation], outcome: Outcome) -> str:
    if part.refusal is not None:
        return _refusal_text(part.refusal, part, cited, outcome.analysis.multipart)
    if part.history:
        return _precedent_lines(cited)
    if part.part.slot:
        return "\n".join(_fact_line(citation, use) for citation, use in zip(cited, part.uses, strict=True))
    return "\n\n".join(_item_paragraph(citation, use, part.decision) for citation, use
                       in zip(cited, part.uses, strict=True))


def _quotes_with_marker(use: Use, citation: Citation) -> list[str]:
    return [f"{text} [{citation.number}]" for text, _ in use.quotes]


def _fact_line(citation: Citation, use: Use) -> str:
    """A single fact: where it stands, then the sentence that states it."""
    where = item_place(citation.item, citation.title, quoted=True) if citation.item else "deltagerlisten"
    return " ".join([f"{meeting_phrase(citation)}, {where} [{citation.number}]:", *_quotes_with_marker(use, citation)])


def _decision_dates(sections: list[ItemSection], quotes: list[tuple[str, str]]) -> dict[str, str]:
    """The date each quoted decision was taken where it stands in a decision block dated before this meeting."""
    return {text: s.decided_on for text, name in quotes for s in sections
            if name == DECISION and s.name == DECISION and s.decided_on and text in s.text}


def _dated(quote: str, citation: Citation) -> str:
    """"… [1]", or "… (besluttet den 10. april 2013) [1]" for a decision of another meeting carried along."""
    if day := citation.decided_on.get(quote):
        return f"{quote} (besluttet den {long_date(day)}) [{citation.number}]"
    return f"{quote} [{citation.number}]"


def _primary_section(quotes: list[tuple[str, str]], decision: bool) -> str:
    """The section a citation is labelled with: the decision's when one is quoted for a decision, else the most quoted."""
    sections = [section for _, section in quotes]
    if decision and DECISION in sections:
        return DECISION
    return max(dict.fromkeys(sections), key=sections.count, default="")


def _passage(sections: list[ItemSection], quotes: list[str]) -> str:
    """The paragraphs the quotes stand in, in document order: enough to check them in context."""
    paragraphs = [p for section in sections for p in section.text.split("\n\n")]
    chosen = [p for p in paragraphs if any(quote in p for quote in quotes)]
    return "\n\n".join(dict.fromkeys(chosen)) or (paragraphs[0] if paragraphs else "")


def _item_paragraph(citation: Citation, use: Use, decision: bool) -> str:
    """One item's part of the answer: where it was treated, then the quotes under their section's name.

    Quotes are word for word and say which section they come from: a
    Sagsfremstilling sentence presented as the decision would change what was decided.
    """
    marker = f"[{citation.number}]"
    groups: dict[str, list[str]] = {}
    for text, section in use.quotes:
        groups.setdefault(section, []).append(_dated(text, citation))
    if not citation.item:
        meeting = meeting_phrase(citation).removeprefix("På ")
        return " ".join([f"Af deltagerlisten til {meeting} fremgår {marker}:", *(q for qs in groups.values() for q in qs)])
    where = item_place(citation.item, citation.title, quoted=True)
    parts: list[str] = []
    if citation.doc_type == "dagsorden":
        parts.append(f"{meeting_phrase(citation)} var {where} på dagsordenen {marker}. "
                     f"Materialet er en dagsorden, så mødets beslutning fremgår ikke {marker}.")
    elif decision and DECISION in groups:
        parts.append(f"{meeting_phrase(citation)} traf {citation.committee} denne beslutning under {where} {marker}:")
        parts += groups.pop(DECISION)
    else:
        parts.append(f"{meeting_phrase(citation)} behandlede {citation.committee} {where} {marker}.")
    labelled: dict[str, list[str]] = {}
    for section, quotes in groups.items():
        labelled.setdefault(SECTION_LABELS.get(section, "Af sagen fremgår:"), []).extend(quotes)
    for label, quotes in labelled.items():
        parts.append(label)
        parts += quotes
    return " ".join(parts)


def _precedent_lines(citations: list[Citation]) -> str:
    """One line per meeting, in date order (the citations come sorted), with what each of its items said."""
    markers = "".join(f"[{c.number}]" for c in citations)
    meetings = len({c.source for c in citations})
    lines = [f"Emnet er behandlet på {meetings} møde{'r' if meetings > 1 else ''} i materialet {markers}:"]
    for _, group in itertools.groupby(citations, key=lambda c: c.source):
        same_meeting = list(group)
        first = same_meeting[0]
        kind = " (dagsorden)" if first.doc_type == "dagsorden" else ""
        items = " ".join(
            f"{upper_first(c.where())}: " + " ".join(f"{quote} [{c.number}]" for quote in c.highlights)
            for c in same_meeting
        )
        lines.append(f"- {long_date(first.meeting_date, first.meeting_year)}{kind}: {items}")
    return "\n".join(lines)


def _refusal_text(refusal: Refusal, part: PartOutcome, cited: list[Citation], multipart: bool) -> str:
    """"Det kan jeg ikke finde", why when we know, and the nearest items; in a part of a longer question, shorter."""
    lines = [NOT_STATED if multipart else REFUSAL]
    if refusal.kind == "agenda_only":
        return "\n\n".join(_item_paragraph(c, u, True) for c, u in zip(cited, part.uses, strict=True))
    if refusal.kind == "unknown":
        lines.append(f"Mødematerialet nævner ikke {_quoted(refusal.words)}.")
    elif refusal.kind == "missing":
        named = _quoted(refusal.words) if refusal.words else "det, spørgsmålet nævner"
        lines.append(f"De punkter, der ligner spørgsmålet mest, nævner ikke {named}.")
    elif refusal.kind == "no_participants":
        lines.append(NO_PARTICIPANTS)
    elif refusal.kind == "no_meeting":
        lines.append(_no_meeting_text(refusal.meetings))
    elif refusal.kind == "not_yet" and cited:
        lines.append(f"Det nærmeste punkt, {cited[0].label()} [{cited[0].number}], omtaler kun "
                     f"»{refusal.words[0]}« som noget, der skal ske; resultatet fremgår ikke.")
        return " ".join(lines)
    elif refusal.kind == "unstated" and cited:
        wanted = SLOT_WORDS.get(part.part.answer_type, "det, der spørges om")
        lines.append(f"Det nærmeste punkt, {cited[0].label()} [{cited[0].number}], handler om emnet, "
                     f"men oplyser ikke {wanted}.")
        return " ".join(lines)
    nearest = part.retrieved[:3]
    if nearest and refusal.kind != "no_meeting":
        lines.append("")
        lines.append("Måske relateret (men besvarer ikke spørgsmålet):")
        lines += [
            f"- {item.committee}, {item.doc_type} {long_date(item.meeting_date, year_of(item))}, "
            f"{item_place(item.item, item.title)}"
            for item in sorted(nearest, key=lambda i: -i.score)
        ]
    return "\n".join(lines)


def _no_meeting_text(meetings: list[dict]) -> str:
    named = [f"{long_date(m.get('meeting_date'), _int(m.get('meeting_year')))} ({m.get('doc_type')})" for m in meetings]
    if not named:
        return "Materialet har intet møde på den dato, spørgsmålet nævner."
    return ("Materialet har intet møde på den dato, spørgsmålet nævner. De nærmeste møder i materialet er "
            f"{_and_list(named)}.")


def _int(value: object) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"


def _quoted(words: list[str]) -> str:
    return ", ".join(f"»{word}«" for word in words)


__all__ = ["REFUSAL", "Answer", "Citation", "answer_question", "item_order", "long_date"]
