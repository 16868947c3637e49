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
from typing import NamedTuple

from assistant.question import MONTHS, SearchPlan
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
from assistant.sentences import split_sentences
from assistant.similarity import sentence_similarities
from index.chunking import PARTICIPANTS_SECTION

REFUSAL = "Det kan jeg ikke finde i mødematerialet."
NO_PARTICIPANTS = "Materialet har ingen deltagerliste for det eller de møder, spørgsmålet gælder."
MONTH_NAMES = tuple(MONTHS)
# "Hvornår har KKR behandlet …?", not "Hvornår er næste møde?": a history, not a date.
PRECEDENT_RE = re.compile(
    r"\b(hvornår (har|er .{0,60}(blevet|været))|tidligere|hvilke møder|hvor mange gange|siden \d{4}|historik"
    r"|hvad er der sket|when (has|have|did .{0,40}(discuss|consider|treat))|previously|which meetings)\b",
    re.IGNORECASE,
)
DECISION_VERB_RE = re.compile(
    r"\b(besluttede|godkendte|vedtog|tog .{0,80}til efterretning|anbefalede|anbefaler|tiltrådte|udpegede|drøftede"
    r"|bakker .{0,40}op|bakkede .{0,40}op|opfordre\w*|aflyst|udsat|enighed om|ønsker at)\b"
)
# Table debris left by the PDF text layer: markup and rules of dashes.
JUNK_RE = re.compile(r"</?[a-z]+>|-{4,}|_{4,}")
SENTENCE_END_RE = re.compile(r"[.!?:][\"”»')]*$")
HEADING_MAX_WORDS = 8
BULLET_RE = re.compile(r"^[–•-]\s")
MAX_LIST_ITEMS = 8
DUPLICATE_OVERLAP = 0.7
SECTION_LABELS = {"Beslutning": "Af beslutningen fremgår:", "Indstilling": "Indstillingen lød:"}
SECTION_PREFERENCE = {"Beslutning": 0.05, "Indstilling": 0.1, "Sagsfremstilling": 0.05}
DECISION_SECTION_BONUS = 1.0
WHOLE_DECISION_SENTENCES = 5
APPROVES_PROPOSAL_RE = re.compile(r"\bindstilling(en)?\b", re.IGNORECASE)
MAX_ITEMS = 3
MAX_PRECEDENT_ITEMS = 8
SENTENCES_PER_ITEM = 3
SECONDARY_ITEM_RATIO = 0.8
PRECEDENT_ITEM_RATIO = 0.4
PRECEDENT_MIN_COVERAGE = 0.6
# Share of the question's content words the material never uses at which it is about something else.
UNKNOWN_SHARE = 0.5
DENSE_WEIGHT = 0.8
ANSWER_TYPE_BONUS = 0.4
AMOUNT_QUESTION_RE = re.compile(r"\b(hvor (mange|meget|stor|stort|store)|how (much|many)|beløb|antal)\b", re.IGNORECASE)
WHEN_QUESTION_RE = re.compile(r"\b(hvornår|when|by when|dato)\b", re.IGNORECASE)
PARTICIPANTS_QUESTION_RE = re.compile(
    r"\b(deltog|deltagere|deltager|deltagerliste\w*|fremmødt\w*|til stede|attended|attendees|present at)\b",
    re.IGNORECASE,
)
WHO_QUESTION_RE = re.compile(r"\b(hvem|who)\b", re.IGNORECASE)
NUMBER_RE = re.compile(r"\d")
# Two capitalised words in a row, as in "Gitte Kirkegaard"; institutions ("Region Syddanmark") are told apart below.
PERSON_RE = re.compile(r"\b([A-ZÆØÅ][a-zæøåéü]+) ((?:[A-ZÆØÅ]\. )?[A-ZÆØÅ][a-zæøåéü]+)\b")
INSTITUTION_WORDS = frozenset(
    ["region", "syddanmark", "kommune", "kommunes", "danmark", "erhvervshus", "socialtilsyn", "fælleskommunalt", "syddansk", "børnehus", "kkr", "kl"]
)
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
    quote_sections: list[str] = field(default_factory=list)  # the section of each highlight

    def label(self) -> str:
        """"KKR Syddanmark, referat 21. november 2023, punkt 2.3 Botilbudskapacitet og lånepulje"."""
        when = long_date(self.meeting_date, self.meeting_year)
        return f"{self.committee}, {self.doc_type} {when}, {self.where()}"

    def where(self) -> str:
        """"punkt 2.3 Botilbudskapacitet og lånepulje"; the participants list has no item number."""
        return f"punkt {self.item} {self.title}" if self.item else "deltagerliste"

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
    # BM25 with a Danish stemmer only adds noise to an English question; the multilingual model carries it.
    mode = "dense" if is_english(question) else "hybrid"
    items = retriever.retrieve(question, plan.filters, mode=mode, top_items=max(top_items, 10), prefer=plan.prefer)
    if WHO_QUESTION_RE.search(question) and PARTICIPANTS_QUESTION_RE.search(question):
        attendance = _participant_lists(retriever, plan)
        if not attendance:
            return refusal(question, items, note=NO_PARTICIPANTS)
        return compose(retriever, question, attendance, items, judge_relevance(question, attendance))
    relevance = judge_relevance(question, items)
    if not relevance.relevant:
        return refusal(question, items, relevance)
    unknown = [] if is_english(question) else unknown_words(question, retriever.vocabulary())
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
    if names and _asks_for_figure(question) and not any(_states_about(retriever, item, question, names) for item in chosen):
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
        all(mentions(name, text) for name in names) and _answer_type_bonus(question, text) > 0
        for text, _ in _candidates(retriever, item)
    )


def _asks_for_figure(question: str) -> bool:
    """A date or an amount: answers that a sentence either states or does not ("who" is too loose to tell)."""
    if is_precedent_question(question):
        return False  # "Hvornår har KKR behandlet …?" is answered by the meetings' own dates
    return bool(AMOUNT_QUESTION_RE.search(question) or WHEN_QUESTION_RE.search(question))


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
            f"punkt {item.item} {item.title}"
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
        chosen = [
            item for item in items
            if item.score >= top * PRECEDENT_ITEM_RATIO
            and coverage(relevance.wanted, stems(_item_text(retriever, item))) >= PRECEDENT_MIN_COVERAGE
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
        chosen = sorted(chosen, key=lambda i: (i.meeting_date or f"{_year(i) or 9999}-99", i.source, _item_order(i.item)))
    citations: list[Citation] = []
    lines: list[str] = []
    for number, item in enumerate(chosen, start=1):
        if precedent:
            sentences = _precedent_quotes(retriever, item, question, wanted)
        else:
            sentences = _best_sentences(retriever, item, question, wanted, decision)
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


def _upper_first(text: str) -> str:
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
        items = " ".join(f"{_upper_first(c.where())}: {' '.join(c.highlights)} [{c.number}]" for c in same_meeting)
        lines.append(f"- {long_date(first.meeting_date, first.meeting_year)}{kind}: {items}")
    return ["\n".join(lines)]


class Candidate(NamedTuple):
    """A quotable sentence and the section it stands in."""

    text: str
    section: str


def _candidates(retriever: HybridRetriever, item: RetrievedItem) -> list[Candidate]:
    """Every quotable sentence of the whole item (not just the retrieved chunks), with its section.

    The whole item, so a decision question can quote the Beslutning even when
    another section matched. Headings, table debris and repeats are no answer.
    """
    sections = retriever.item_sections(item.source, item.item)
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for section in sections:
        if section.name == PARTICIPANTS_SECTION and len(sections) > 1:
            continue
        for sentence in split_sentences(section.text):
            if sentence not in seen and _quotable(sentence):
                seen.add(sentence)
                candidates.append(Candidate(sentence, section.name))
    return candidates


def _quotable(sentence: str) -> bool:
    if JUNK_RE.search(sentence) or not re.search(r"[^\W\d_]{2,}", sentence):
        return False
    if BULLET_RE.match(sentence):
        return True
    # A short line without a full stop is a heading ("Budget 2026"), not a statement.
    return bool(SENTENCE_END_RE.search(sentence)) or len(sentence.split()) > HEADING_MAX_WORDS


def _precedent_quotes(
    retriever: HybridRetriever, item: RetrievedItem, question: str, wanted: set[str]
) -> list[tuple[str, str]]:
    """What one meeting did with the topic: its decision (minutes only) and the sentence nearest the question."""
    quotes = _best_sentences(retriever, item, question, wanted, decision=True, limit=1)
    for quote in _best_sentences(retriever, item, question, wanted, decision=False, limit=1):
        if not any(_same_content(quote[0], kept) for kept, _ in quotes):
            quotes.append(quote)
    return quotes


def _best_sentences(
    retriever: HybridRetriever,
    item: RetrievedItem,
    question: str,
    wanted: set[str],
    decision: bool,
    limit: int = SENTENCES_PER_ITEM,
) -> list[tuple[str, str]]:
    """The item's sentences that answer best, in document order, with their section."""
    candidates = _candidates(retriever, item)
    if not candidates:
        return []
    pool = candidates
    decided = _decision_sections(candidates) if decision else set()
    dense = _relative(sentence_similarities(retriever.embed_model, question, [c.text for c in pool]))
    scores = [
        _sentence_score(candidate.text, candidate.section, wanted, decided, _position(pool, index))
        + DENSE_WEIGHT * dense[index] + _answer_type_bonus(question, candidate.text)
        for index, candidate in enumerate(pool)
    ]
    ranked = sorted(range(len(pool)), key=lambda index: (-scores[index], index))
    decision_size = sum(1 for candidate in pool if candidate.section in decided)
    if 1 < limit and decision_size <= WHOLE_DECISION_SENTENCES:
        limit = max(limit, decision_size)  # a short decision is quoted whole rather than cut to its best parts
    keep: list[int] = []
    for index in ranked:
        if len(keep) >= limit:
            break
        if not any(_same_content(pool[index].text, pool[kept].text) for kept in keep):
            keep.append(index)
    if limit > 1 and item.doc_type != "dagsorden":
        keep = _with_decision(keep, ranked, pool)
    return [(pool[index].text, pool[index].section) for index in _with_lists(sorted(keep), pool)]



def _with_decision(keep: list[int], ranked: list[int], pool: list[Candidate]) -> list[int]:
    """Minutes say what was decided: the best Beslutning sentence joins the quotes if none is among them."""
    if any(pool[index].section == "Beslutning" for index in keep):
        return keep
    decision = next((index for index in ranked if pool[index].section == "Beslutning"), None)
    if decision is None:
        return keep
    return [*keep, decision]


def _with_lists(keep: list[int], pool: list[Candidate]) -> list[int]:
    """A quoted lead-in ("Der forventes følgende punkter:") brings the list it introduces."""
    chosen: list[int] = []
    for index in keep:
        chosen.append(index)
        text, section = pool[index]
        if not text.endswith(":"):
            continue
        following = pool[index + 1:index + 1 + MAX_LIST_ITEMS]
        for offset, (item_text, item_section) in enumerate(following, start=index + 1):
            if item_section != section or not BULLET_RE.match(item_text):
                break
            chosen.append(offset)
    return list(dict.fromkeys(chosen))


def _same_content(a: str, b: str) -> bool:
    """Two sentences that say nearly the same (the Indstilling and the Beslutning often do)."""
    first, second = stems(a), stems(b)
    return bool(first and second) and len(first & second) / min(len(first), len(second)) >= DUPLICATE_OVERLAP


def _relative(values: list[float]) -> list[float]:
    """Scale to 0..1 within the item: e5's cosines crowd into a narrow band, the ranking is what counts."""
    if not values:
        return []
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 0.0 for v in values]


def _answer_type_bonus(question: str, sentence: str) -> float:
    """A "how many" question is answered by a sentence with a number, a "when" by a date, a "who" by a name."""
    if AMOUNT_QUESTION_RE.search(question) and NUMBER_RE.search(sentence):
        return ANSWER_TYPE_BONUS
    if WHEN_QUESTION_RE.search(question) and DATE_RE.search(sentence):
        return ANSWER_TYPE_BONUS
    if WHO_QUESTION_RE.search(question) and _names_a_person(sentence):
        return ANSWER_TYPE_BONUS
    return 0.0


def _names_a_person(sentence: str) -> bool:
    return any(
        not {first.lower(), last.lower().split()[-1]} & INSTITUTION_WORDS
        for first, last in PERSON_RE.findall(sentence[1:])
    )


def _position(pool: list[Candidate], index: int) -> int:
    """How many sentences of the same section come before this one."""
    section = pool[index].section
    return sum(1 for candidate in pool[:index] if candidate.section == section)


def _decision_sections(candidates: list[Candidate]) -> set[str]:
    """Where an item's decision stands: the Beslutning, and the Indstilling when the decision points to it.

    "KKR Syddanmark godkendte indstillingen." says nothing by itself; what was
    approved is the Indstilling.
    """
    decision = [candidate.text for candidate in candidates if candidate.section == "Beslutning"]
    if not decision:
        return set()
    return {"Beslutning", "Indstilling"} if any(APPROVES_PROPOSAL_RE.search(t) for t in decision) else {"Beslutning"}


def _sentence_score(text: str, section: str, wanted: set[str], decided: set[str], position: int) -> float:
    """Overlap with the question, plus what minutes put first: the decision sentence itself.

    For a decision question the decision's own sections outrank everything, so
    the answer leads with what was decided and the case only fills in.
    """
    score = coverage(wanted, stems(text))
    score += SECTION_PREFERENCE.get(section, 0.0)
    if section in decided:
        score += DECISION_SECTION_BONUS
        if DECISION_VERB_RE.search(text):
            score += 0.3
        if position == 0:
            score += 0.2
    return score
