"""Compose a faithful Danish answer from the retrieved agenda items, with citations.

The default answer is extractive: it quotes the best-matching sentences of the
best items (Beslutning first for decision questions) and frames them in plain
Danish; every sentence ends with a marker [n] into the sources list. When
nothing relevant was found it says so and lists the nearest items instead of
guessing. An optional language model may rephrase (see assistant.llm); its
reply is checked and replaced by this answer when it cites badly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.question import MONTHS, SearchPlan
from assistant.relevance import Relevance, coverage, judge_relevance, mentions, question_stems, specific_terms, stems
from assistant.retrieval import HybridRetriever, RetrievedItem, is_decision_question
from assistant.similarity import sentence_similarities

REFUSAL = "Det kan jeg ikke finde i mødematerialet."
MONTH_NAMES = tuple(MONTHS)
PRECEDENT_RE = re.compile(
    r"\b(hvornår|tidligere|hvilke møder|hvor mange gange|siden \d{4}|historik|when|previously|which meetings)\b",
    re.IGNORECASE,
)
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9–\"«„(])")
DECISION_VERB_RE = re.compile(
    r"\b(besluttede|godkendte|vedtog|tog .{0,80}til efterretning|anbefalede|tiltrådte|udpegede|drøftede)\b"
)
MAX_ITEMS = 3
MAX_PRECEDENT_ITEMS = 8
SENTENCES_PER_ITEM = 3
SECONDARY_ITEM_RATIO = 0.8
PRECEDENT_ITEM_RATIO = 0.4
DENSE_WEIGHT = 0.5
ANSWER_TYPE_BONUS = 0.2
AMOUNT_QUESTION_RE = re.compile(r"\b(hvor (mange|meget|stor|stort|store)|how (much|many)|beløb|antal)\b", re.IGNORECASE)
WHEN_QUESTION_RE = re.compile(r"\b(hvornår|when|by when|dato)\b", re.IGNORECASE)
NUMBER_RE = re.compile(r"\d")
DATE_RE = re.compile(rf"\b\d{{1,2}}\. ({'|'.join(MONTHS)})|\b(19|20)\d\d\b", re.IGNORECASE)


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

    def label(self) -> str:
        """"KKR Syddanmark, referat 21. november 2023, punkt 2.3 Botilbudskapacitet og lånepulje"."""
        when = long_date(self.meeting_date, self.meeting_year)
        return f"{self.committee}, {self.doc_type} {when}, punkt {self.item} {self.title}"

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
    items = retriever.retrieve(question, plan.filters, top_items=max(top_items, 10), prefer=plan.prefer)
    relevance = judge_relevance(question, items)
    if not relevance.relevant:
        return refusal(question, items, relevance)
    terms = specific_terms(question)
    candidates = [item for item in items if _names_all(retriever, item, terms)]
    # The best item naming the question's names must be nearly as good a match as the best item of
    # all: a weak match that happens to name "Vejle" does not answer a question about Vejle's share.
    if not candidates or candidates[0].score < items[0].score * SECONDARY_ITEM_RATIO:
        return refusal(question, items, relevance, missing=terms)
    chosen = _choose_items(question, candidates, relevance)
    answer = compose(retriever, question, chosen, items, relevance)
    if is_decision_question(question) and all(c.doc_type == "dagsorden" for c in answer.citations):
        answer.refused = True  # the asked-for decision is not in the material; the agenda says so, cited
    return answer


def _names_all(retriever: HybridRetriever, item: RetrievedItem, terms: list[str]) -> bool:
    """Whether the whole item (its meeting's date included) names every specific term of the question."""
    if not terms:
        return True
    text = " ".join(chunk.text for chunk in retriever.item_chunks(item.source, item.item))
    text += f" {item.meeting_date or ''} {_year(item) or ''}"
    return all(mentions(term, text) for term in terms)


def refusal(
    question: str, items: list[RetrievedItem], relevance: Relevance | None = None, missing: list[str] | None = None
) -> Answer:
    nearest = items[:3]
    lines = [REFUSAL]
    if missing:
        named = ", ".join(f"»{term}«" for term in missing)
        lines.append(f"De punkter, der ligner spørgsmålet mest, nævner ikke {named}.")
    if nearest:
        lines.append("")
        lines.append("Måske relateret (men besvarer ikke spørgsmålet):")
        lines += [
            f"- {item.committee}, {item.doc_type} {long_date(item.meeting_date, _year(item))}, "
            f"punkt {item.item} {item.title}"
            for item in nearest
        ]
    return Answer(question, "\n".join(lines), True, [], items, relevance=relevance)


def _year(item: RetrievedItem) -> int | None:
    year = item.chunks[0].metadata.get("meeting_year") if item.chunks else None
    return int(year) if year else None


def _choose_items(question: str, items: list[RetrievedItem], relevance: Relevance) -> list[RetrievedItem]:
    """The items the answer draws on: the best one, and others nearly as good and relevant."""
    if is_precedent_question(question):
        top = items[0].score
        chosen = [item for item in items if item.score >= top * PRECEDENT_ITEM_RATIO and relevance.item_relevant(item)]
        return chosen[:MAX_PRECEDENT_ITEMS] or items[:1]
    top = items[0]
    chosen = [top]
    for item in items[1:]:
        if len(chosen) >= MAX_ITEMS:
            break
        if item.score >= top.score * SECONDARY_ITEM_RATIO and relevance.item_relevant(item):
            chosen.append(item)
    return chosen


def compose(
    retriever: HybridRetriever,
    question: str,
    chosen: list[RetrievedItem],
    retrieved: list[RetrievedItem],
    relevance: Relevance,
) -> Answer:
    decision = is_decision_question(question)
    wanted = question_stems(question)
    precedent = is_precedent_question(question) and len(chosen) > 1
    if precedent:  # one line per meeting in date order, numbered in that order
        chosen = sorted(chosen, key=lambda i: (i.meeting_date or f"{_year(i) or 9999}-99", i.source, i.item))
    citations: list[Citation] = []
    lines: list[str] = []
    for number, item in enumerate(chosen, start=1):
        sentences = _best_sentences(retriever, item, question, wanted, decision)
        section = sentences[0][1] if sentences else (item.chunks[0].section if item.chunks else "")
        chunk = next((c for c in item.chunks if c.section == section), item.chunks[0])
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
                section=section,
                page=int(chunk.metadata.get("page") or 0) or None,
                passage=chunk.body,
                highlights=[text for text, _ in sentences],
            )
        )
    if precedent:
        lines = _precedent_lines(citations)
    else:
        for citation in citations:
            lines.append(_item_paragraph(citation, decision))
    return Answer(question, "\n\n".join(lines), False, citations, retrieved, relevance=relevance)


def _item_paragraph(citation: Citation, decision: bool) -> str:
    marker = f"[{citation.number}]"
    where = f"punkt {citation.item} »{citation.title}«"
    quotes = citation.highlights
    if citation.doc_type == "dagsorden":
        opening = (
            f"{meeting_phrase(citation)} var {where} på dagsordenen {marker}. "
            f"Materialet er en dagsorden, så mødets beslutning fremgår ikke {marker}."
        )
        return " ".join([opening, *(f"{q} {marker}" for q in quotes)])
    if decision and citation.section == "Beslutning":
        # The decision is quoted word for word; rephrasing it ("godkendte KKR …") risks changing what was decided.
        intro = f"{meeting_phrase(citation)} traf {citation.committee} denne beslutning under {where} {marker}:"
        return " ".join([intro, *(f"{q} {marker}" for q in quotes)])
    intro = f"{meeting_phrase(citation)} behandlede {citation.committee} {where} {marker}."
    label = {"Beslutning": "Af beslutningen fremgår:", "Indstilling": "Indstillingen lød:"}.get(
        citation.section, "Af sagen fremgår:"
    )
    return " ".join([intro, label, *(f"{q} {marker}" for q in quotes)])


def _precedent_lines(citations: list[Citation]) -> list[str]:
    markers = "".join(f"[{c.number}]" for c in citations)
    meetings = len({c.source for c in citations})
    lines = [f"Emnet er behandlet på {meetings} møde{'r' if meetings > 1 else ''} i materialet {markers}:"]
    for citation in citations:
        quote = citation.highlights[0] if citation.highlights else ""
        when = long_date(citation.meeting_date, citation.meeting_year)
        kind = " (dagsorden)" if citation.doc_type == "dagsorden" else ""
        lines.append(f"- {when}{kind}, punkt {citation.item} {citation.title}: {quote} [{citation.number}]")
    return ["\n".join(lines)]


def split_sentences(text: str) -> list[str]:
    sentences = []
    for paragraph in text.split("\n\n"):
        sentences += [s.strip() for s in SENTENCE_SPLIT_RE.split(paragraph.strip()) if s.strip()]
    return sentences


def _best_sentences(
    retriever: HybridRetriever, item: RetrievedItem, question: str, wanted: set[str], decision: bool
) -> list[tuple[str, str]]:
    """The item's sentences that answer best, in document order, with their section.

    Candidates come from the whole item (not just the retrieved chunks), so a
    decision question can quote the Beslutning even when another section matched.
    """
    chunks = retriever.item_chunks(item.source, item.item) or item.chunks
    candidates: list[tuple[str, str]] = []
    seen: set[str] = set()
    for chunk in chunks:
        for sentence in split_sentences(chunk.body):
            if sentence not in seen and len(sentence) > 3:
                seen.add(sentence)
                candidates.append((sentence, chunk.section))
    if not candidates:
        return []
    if decision and any(section == "Beslutning" for _, section in candidates):
        pool = [c for c in candidates if c[1] == "Beslutning"]
    else:
        pool = [c for c in candidates if c[1] != "Deltagere"] or candidates
    dense = _relative(sentence_similarities(retriever.embed_model, question, [text for text, _ in pool]))
    scored = sorted(
        ((_sentence_score(text, section, wanted, decision, _position(pool, index))
          + DENSE_WEIGHT * dense[index] + _answer_type_bonus(question, text), -index)
         for index, (text, section) in enumerate(pool)),
        reverse=True,
    )
    keep = sorted(-index for _, index in scored[:SENTENCES_PER_ITEM])
    return [pool[index] for index in keep]


def _relative(values: list[float]) -> list[float]:
    """Scale to 0..1 within the item: e5's cosines crowd into a narrow band, the ranking is what counts."""
    if not values:
        return []
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 0.0 for v in values]


def _answer_type_bonus(question: str, sentence: str) -> float:
    """A "how many" question is answered by a sentence with a number, a "when" by one with a date."""
    if AMOUNT_QUESTION_RE.search(question) and NUMBER_RE.search(sentence):
        return ANSWER_TYPE_BONUS
    if WHEN_QUESTION_RE.search(question) and DATE_RE.search(sentence):
        return ANSWER_TYPE_BONUS
    return 0.0


def _position(pool: list[tuple[str, str]], index: int) -> int:
    """How many sentences of the same section come before this one."""
    section = pool[index][1]
    return sum(1 for text, name in pool[:index] if name == section)


def _sentence_score(text: str, section: str, wanted: set[str], decision: bool, position: int) -> float:
    """Overlap with the question, plus what minutes put first: the decision sentence itself."""
    score = coverage(wanted, stems(text))
    preference = {"Beslutning": 0.3 if decision else 0.05, "Indstilling": 0.1, "Sagsfremstilling": 0.05}
    score += preference.get(section, 0.0)
    if decision and DECISION_VERB_RE.search(text):
        score += 0.3
    if decision and position == 0 and section == "Beslutning":
        score += 0.2
    return score
