"""Compose a faithful Danish answer from the retrieved agenda items, with citations.

The default answer is extractive: it quotes the best-matching sentences of the
best items (Beslutning first for decision questions) and frames them in plain
Danish; every sentence ends with a marker [n] into the sources list. When
nothing relevant was found it says so and lists the nearest items instead of
guessing. An optional language model may rephrase (see assistant.llm); its
reply is checked and replaced by this answer when it cites badly.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from assistant.question import MONTHS, SearchPlan
from assistant.quotes import (
    asks_for_figure,
    best_sentences,
    is_who_question,
    precedent_quotes,
    quotable_sentences,
    states_what_is_asked,
)
from assistant.relevance import (
    Relevance,
    coverage,
    is_english,
    judge_relevance,
    mentions,
    question_stems,
    specific_terms,
    stems,
    unknown_words,
)
from assistant.retrieval import HybridRetriever, ItemSection, RetrievedItem, group_by_item, is_decision_question

REFUSAL = "Det kan jeg ikke finde i mødematerialet."
NO_PARTICIPANTS = "Materialet har ingen deltagerliste for det eller de møder, spørgsmålet gælder."
MONTH_NAMES = tuple(MONTHS)
# "Hvornår har KKR behandlet …?", not "Hvornår er næste møde?": a history, not a date.
PRECEDENT_RE = re.compile(
    r"\b(hvornår (har|er .{0,60}(blevet|været))|tidligere|hvilke møder|hvor mange gange|siden \d{4}|historik"
    r"|hvad er der sket|when (has|have|did .{0,40}(discuss|consider|treat))|previously|which meetings)\b",
    re.IGNORECASE,
)
SECTION_LABELS = {"Beslutning": "Af beslutningen fremgår:", "Indstilling": "Indstillingen lød:"}
MAX_ITEMS = 3
MAX_PRECEDENT_ITEMS = 8
SECONDARY_ITEM_RATIO = 0.8
PRECEDENT_ITEM_RATIO = 0.4
PRECEDENT_MIN_COVERAGE = 0.6
# Share of the question's content words the material never uses at which it is about something else.
UNKNOWN_SHARE = 0.5
PARTICIPANTS_QUESTION_RE = re.compile(
    r"\b(deltog|deltagere|deltager|deltagerliste\w*|fremmødt\w*|til stede|attended|attendees|present at)\b",
    re.IGNORECASE,
)


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

    def label(self) -> str:
        """"KKR Syddanmark, referat 21. november 2023, punkt 2.3 Botilbudskapacitet og lånepulje"."""
        when = long_date(self.meeting_date, self.meeting_year)
        return f"{self.committee}, {self.doc_type} {when}, {self.where()}"

    def where(self) -> str:
        return item_place(self.item, self.title)

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "meeting_date": self.meeting_date,
            "item": self.item,
            "title": self.title,
            "section": self.section,
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


def item_place(number: str, title: str) -> str:
    """"punkt 2.3 Botilbudskapacitet og lånepulje"; the participants list has no item number.

    A part of a document of no known layout is numbered by its place ("side 4", a second
    part on that page "side 4b"; "afsnit 3" in a text file) and cited so: "side 4 Titel".
    """
    if not number:
        return "deltagerliste"
    if place := re.fullmatch(r"((?:side|afsnit) \d+)[a-z]?", number):
        return f"{place[1]} {title}"
    return f"punkt {number} {title}"


def long_date(iso: str | None, year: int | None = None) -> str:
    if not iso:
        return f"{year} (dato ikke oplyst)" if year else "dato ikke oplyst"
    day = date.fromisoformat(iso)
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"


def meeting_phrase(citation: Citation) -> str:
    if citation.meeting_date:
        return f"På mødet den {long_date(citation.meeting_date)}"
    if citation.meeting_year:
        return f"På mødet i {citation.meeting_year} (præcis dato ikke oplyst)"
    return "På et møde (dato ikke oplyst)"


def is_precedent_question(question: str) -> bool:
    return bool(PRECEDENT_RE.search(question))


def answer_question(retriever: HybridRetriever, question: str, plan: SearchPlan, top_items: int = 10) -> Answer:
    """Retrieve and answer; the question is assumed validated (assistant.question).

    A period the question ties to a meeting that is not in the material at all
    ("mødet den 5. februar 2024") is usually what a decision was about, so it
    only lifts matching meetings instead of excluding everything.
    """
    if plan.period_from_question and not retriever.allowed_sources(plan.filters):
        plan = plan.softened()
    # BM25 with a Danish stemmer only adds noise to an English question; the multilingual model carries it.
    english = is_english(question)
    mode = "dense" if english else "hybrid"
    items = retriever.retrieve(question, plan.filters, mode=mode, top_items=max(top_items, 10), prefer=plan.prefer)
    if is_who_question(question) and PARTICIPANTS_QUESTION_RE.search(question):
        attendance = _participant_lists(retriever, plan)
        if not attendance:
            return refusal(question, items, note=NO_PARTICIPANTS)
        return compose(retriever, question, attendance, items, judge_relevance(question, attendance))
    relevance = judge_relevance(question, items)
    if not relevance.relevant:
        return refusal(question, items, relevance)
    unknown = [] if english else unknown_words(question, retriever.vocabulary())
    if unknown and len(unknown) >= UNKNOWN_SHARE * len(relevance.wanted):
        return refusal(question, items, relevance, unknown=unknown)
    terms = specific_terms(question)
    candidates = [item for item in items if _names_all(retriever, item, terms)]
    # The best item naming the question's names must be nearly as good a match as the best item of
    # all: a weak match that happens to name "Vejle" does not answer a question about Vejle's share.
    if not candidates or candidates[0].score < items[0].score * SECONDARY_ITEM_RATIO:
        return refusal(question, items, relevance, missing=terms)
    chosen = _choose_items(retriever, question, candidates, relevance)
    names = [term for term in terms if not term.isdigit()]
    figure = asks_for_figure(question) and not is_precedent_question(question)  # a history is answered by dates
    if names and figure and not any(_states_about(retriever, item, question, names) for item in chosen):
        return refusal(question, items, relevance, unstated=names)
    answer = compose(retriever, question, chosen, items, relevance)
    if is_decision_question(question) and all(c.doc_type == "dagsorden" for c in answer.citations):
        answer.refused = True  # the asked-for decision is not in the material; the agenda says so, cited
    return answer


def _participant_lists(retriever: HybridRetriever, plan: SearchPlan) -> list[RetrievedItem]:
    """The participants lists of the meetings in scope, latest first: "who attended" is answered there,
    a list of names that neither BM25 nor the embedding ties to the question's words."""
    allowed = retriever.allowed_sources(plan.filters)
    chunks = [
        chunk for meeting in reversed(retriever.sources())
        if allowed is None or meeting["source"] in allowed
        for chunk in retriever.item_chunks(meeting["source"], "")
    ]
    return group_by_item(chunks)[:MAX_ITEMS]


def _states_about(retriever: HybridRetriever, item: RetrievedItem, question: str, names: list[str]) -> bool:
    """Whether one sentence of the item names the question's names and has what it asks for (a date, a number).

    "Hvornår åbner Nyt OUH?" is not answered by an item that mentions Nyt OUH
    in one sentence and some other date in another.
    """
    return any(
        all(mentions(name, text) for name in names) and states_what_is_asked(question, text)
        for text, _ in quotable_sentences(retriever, item)
    )


def _names_all(retriever: HybridRetriever, item: RetrievedItem, terms: list[str]) -> bool:
    """Whether the whole item (its meeting's date included) names every specific term of the question."""
    if not terms:
        return True
    text = f"{_item_text(retriever, item)} {item.meeting_date or ''} {_year(item) or ''}"
    return all(mentions(term, text) for term in terms)


def _item_text(retriever: HybridRetriever, item: RetrievedItem) -> str:
    """The whole item with its title, as one text."""
    return " ".join([item.title, *(section.text for section in retriever.item_sections(item.source, item.item))])


def refusal(
    question: str,
    items: list[RetrievedItem],
    relevance: Relevance | None = None,
    missing: list[str] | None = None,
    unknown: list[str] | None = None,
    unstated: list[str] | None = None,
    note: str = "",
) -> Answer:
    """"Det kan jeg ikke finde", why when we know (words never used, names the nearest items lack), and those items."""
    nearest = items[:3]
    lines = [REFUSAL]
    if unknown:
        lines.append(f"Mødematerialet nævner ikke {_quoted(unknown)}.")
    if missing:
        lines.append(f"De punkter, der ligner spørgsmålet mest, nævner ikke {_quoted(missing)}.")
    if note:
        lines.append(note)
    if unstated:
        lines.append(f"De punkter, der ligner spørgsmålet mest, nævner {_quoted(unstated)}, men svarer ikke på det, "
                     "der spørges om.")
    if nearest:
        lines.append("")
        lines.append("Måske relateret (men besvarer ikke spørgsmålet):")
        lines += [
            f"- {item.committee}, {item.doc_type} {long_date(item.meeting_date, _year(item))}, "
            f"{item_place(item.item, item.title)}"
            for item in nearest
        ]
    return Answer(question, "\n".join(lines), True, [], items, relevance=relevance)


def _quoted(words: list[str]) -> str:
    return ", ".join(f"»{word}«" for word in words)


def _year(item: RetrievedItem) -> int | None:
    year = item.chunks[0].metadata.get("meeting_year") if item.chunks else None
    return int(year) if year else None


def _choose_items(
    retriever: HybridRetriever, question: str, items: list[RetrievedItem], relevance: Relevance
) -> list[RetrievedItem]:
    """The items the answer draws on: the best one, and others nearly as good and relevant.

    A history ("Hvornår har KKR behandlet …?") lists every meeting whose item
    names most of the topic; a near neighbour that shares only a word or two
    (another secretariat's accounts, an item that merely uses "evaluering") is left out.
    """
    if is_precedent_question(question):
        top = items[0].score
        rarity = retriever.stem_rarity()
        chosen = [
            item for item in items
            if item.score >= top * PRECEDENT_ITEM_RATIO and _names_topic(retriever, item, relevance.wanted, rarity)
        ]
        return chosen[:MAX_PRECEDENT_ITEMS] or items[:1]
    top = items[0]
    chosen = [top]
    for item in items[1:]:
        if len(chosen) >= MAX_ITEMS:
            break
        if item.score >= top.score * SECONDARY_ITEM_RATIO and relevance.item_relevant(item):
            chosen.append(item)
    return chosen


def _names_topic(retriever: HybridRetriever, item: RetrievedItem, wanted: frozenset[str], rarity: dict[str, float]) -> bool:
    """Whether the item names most of the question's words, counted one by one or weighted by rarity.

    Either count will do: a meeting that mentions the topic's rare word in passing
    ("implementeringen af Sundhedsaftalen") belongs in the history, and a meeting
    listed with its quote can be checked by the reader, where a missing one cannot.
    """
    found = stems(_item_text(retriever, item))
    return max(coverage(wanted, found), coverage(wanted, found, rarity)) >= PRECEDENT_MIN_COVERAGE


def compose(
    retriever: HybridRetriever,
    question: str,
    chosen: list[RetrievedItem],
    retrieved: list[RetrievedItem],
    relevance: Relevance,
) -> Answer:
    decision = is_decision_question(question)
    wanted = question_stems(question)
    precedent = is_precedent_question(question)
    if precedent:  # one line per meeting in date order, numbered in that order
        chosen = sorted(chosen, key=lambda i: (i.meeting_date or f"{_year(i) or 9999}-99", i.source, _item_order(i.item)))
    citations: list[Citation] = []
    lines: list[str] = []
    for number, item in enumerate(chosen, start=1):
        if precedent and len(chosen) > 1:  # several meetings: a line each, so a decision and one sentence
            sentences = precedent_quotes(retriever, item, question, wanted)
        else:
            sentences = best_sentences(retriever, item, question, wanted, decision)
        section_name = _primary_section(sentences, decision or precedent) or (item.chunks[0].section if item.chunks else "")
        sections = retriever.item_sections(item.source, item.item)
        section = next((s for s in sections if s.name == section_name), None)
        quotes = [text for text, _ in sentences]
        citations.append(
            Citation(
                number=number,
                source=item.source,
                committee=item.committee,
                meeting_date=item.meeting_date,
                meeting_year=_year(item),
                doc_type=item.doc_type,
                item=item.item,
                title=item.title,
                section=section_name,
                page=section.page if section else None,
                passage=_passage(sections, quotes),
                highlights=quotes,
                quote_sections=[section for _, section in sentences],
            )
        )
    if precedent:
        lines = _precedent_lines(citations)
    else:
        for citation in citations:
            lines.append(_item_paragraph(citation, decision))
    return Answer(question, "\n\n".join(lines), False, citations, retrieved, relevance=relevance)


def _primary_section(quotes: list[tuple[str, str]], decision: bool) -> str:
    """The section a citation is labelled with: the decision's when one is quoted for a decision, else the most quoted."""
    sections = [section for _, section in quotes]
    if decision and "Beslutning" in sections:
        return "Beslutning"
    return max(dict.fromkeys(sections), key=sections.count, default="")


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _item_order(number: str) -> tuple[int, ...]:
    """"3.10" after "3.9"."""
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def _passage(sections: list[ItemSection], quotes: list[str]) -> str:
    """The paragraphs the quotes stand in, in document order: enough to check them in context."""
    paragraphs = [p for section in sections for p in section.text.split("\n\n")]
    chosen = [p for p in paragraphs if any(quote in p for quote in quotes)]
    return "\n\n".join(dict.fromkeys(chosen)) or (paragraphs[0] if paragraphs else "")


def _item_paragraph(citation: Citation, decision: bool) -> str:
    """One item's part of the answer: where it was treated, then the quotes under their section's name.

    Quotes are word for word and say which section they come from: a
    Sagsfremstilling sentence presented as the decision would change what was decided.
    """
    marker = f"[{citation.number}]"
    groups: dict[str, list[str]] = {}
    sections = citation.quote_sections or [citation.section] * len(citation.highlights)
    for quote, section in zip(citation.highlights, sections, strict=True):
        groups.setdefault(section, []).append(f"{quote} {marker}")
    if not citation.item:
        meeting = meeting_phrase(citation).removeprefix("På ")
        return " ".join([f"Af deltagerlisten til {meeting} fremgår {marker}:", *(q for qs in groups.values() for q in qs)])
    where = f"punkt {citation.item} »{citation.title}«"
    parts: list[str] = []
    if citation.doc_type == "dagsorden":
        parts.append(f"{meeting_phrase(citation)} var {where} på dagsordenen {marker}. "
                     f"Materialet er en dagsorden, så mødets beslutning fremgår ikke {marker}.")
    elif decision and "Beslutning" in groups:
        parts.append(f"{meeting_phrase(citation)} traf {citation.committee} denne beslutning under {where} {marker}:")
        parts += groups.pop("Beslutning")
    else:
        parts.append(f"{meeting_phrase(citation)} behandlede {citation.committee} {where} {marker}.")
    labelled: dict[str, list[str]] = {}
    for section, quotes in groups.items():
        labelled.setdefault(SECTION_LABELS.get(section, "Af sagen fremgår:"), []).extend(quotes)
    for label, quotes in labelled.items():
        parts.append(label)
        parts += quotes
    return " ".join(parts)


def _precedent_lines(citations: list[Citation]) -> list[str]:
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
    return ["\n".join(lines)]
