"""Which sentences of an agenda item to quote, and in what order.

Every quote is a whole sentence of the item, word for word. Sentences are
scored by their overlap with the question's (stemmed) words, their dense
similarity to it, whether they hold what it asks for (a number, a date, a
name) and, for a decision question, whether they are the decision; the best
few are quoted in document order. Minutes always say what was decided, and a
quoted lead-in brings the list it introduces.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from assistant.question import MONTHS
from assistant.relevance import coverage, stems
from assistant.retrieval import HybridRetriever, RetrievedItem
from assistant.sentences import split_sentences
from assistant.similarity import sentence_similarities
from index.chunking import PARTICIPANTS_SECTION

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
SECTION_PREFERENCE = {"Beslutning": 0.05, "Indstilling": 0.1, "Sagsfremstilling": 0.05}
DECISION_SECTION_BONUS = 1.0
# A decision up to this many words is quoted whole: cutting it to its best sentences drops what else was decided.
WHOLE_DECISION_WORDS = 220
APPROVES_PROPOSAL_RE = re.compile(r"\bindstilling(en)?\b", re.IGNORECASE)
SENTENCES_PER_ITEM = 3
PRECEDENT_QUOTES = 2
# "Hvor mange …, og hvornår …?" asks two things: each further question gets sentences of its own.
FURTHER_QUESTION_RE = re.compile(
    r"(,|\bog|\band)\s+(hvor|hvornår|hvem|hvad|hvilke[nt]?|hvordan|how|when|who|what|which)\b", re.IGNORECASE
)
SENTENCES_PER_FURTHER_QUESTION = 2
DENSE_WEIGHT = 0.8
ANSWER_TYPE_BONUS = 0.4
AMOUNT_QUESTION_RE = re.compile(r"\b(hvor (mange|meget|stor|stort|store)|how (much|many)|beløb|antal)\b", re.IGNORECASE)
WHEN_QUESTION_RE = re.compile(r"\b(hvornår|when|by when|dato)\b", re.IGNORECASE)
WHO_QUESTION_RE = re.compile(r"\b(hvem|who)\b", re.IGNORECASE)
NUMBER_RE = re.compile(r"\d")
# Two capitalised words in a row, as in "Gitte Kirkegaard"; institutions ("Region Syddanmark") are told apart below.
PERSON_RE = re.compile(r"\b([A-ZÆØÅ][a-zæøåéü]+) ((?:[A-ZÆØÅ]\. )?[A-ZÆØÅ][a-zæøåéü]+)\b")
INSTITUTION_WORDS = frozenset([
    "region", "syddanmark", "kommune", "kommunes", "danmark", "erhvervshus", "socialtilsyn", "fælleskommunalt",
    "syddansk", "børnehus", "kkr", "kl",
])
DATE_RE = re.compile(rf"\b\d{{1,2}}\. ({'|'.join(MONTHS)})|\b(19|20)\d\d\b", re.IGNORECASE)


class Candidate(NamedTuple):
    """A quotable sentence and the section it stands in."""

    text: str
    section: str


def quotable_sentences(retriever: HybridRetriever, item: RetrievedItem) -> list[Candidate]:
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


def precedent_quotes(
    retriever: HybridRetriever, item: RetrievedItem, question: str, wanted: set[str]
) -> list[tuple[str, str]]:
    """What one meeting did with the topic: its decision (minutes only) and the sentence nearest the question.

    An agenda has no decision, so its line quotes the two sentences nearest the question instead.
    """
    quotes = best_sentences(retriever, item, question, wanted, decision=True, limit=1, typed=False)
    for limit in range(1, PRECEDENT_QUOTES + 1):  # best first: the quotes come back in document order
        if len(quotes) >= PRECEDENT_QUOTES:
            break
        for quote in best_sentences(retriever, item, question, wanted, decision=False, limit=limit, typed=False):
            if len(quotes) < PRECEDENT_QUOTES and not any(_same_content(quote[0], kept) for kept, _ in quotes):
                quotes.append(quote)
    return quotes


def best_sentences(
    retriever: HybridRetriever,
    item: RetrievedItem,
    question: str,
    wanted: set[str],
    decision: bool,
    limit: int | None = None,
    typed: bool = True,
) -> list[tuple[str, str]]:
    """The item's sentences that answer best, in document order, with their section.

    ``typed``: favour sentences holding what the question asks for (a date for
    "hvornår"). Not for a history, whose dates are the meetings' own.
    """
    if limit is None:
        limit = sentence_budget(question)
    candidates = quotable_sentences(retriever, item)
    if not candidates:
        return []
    pool = candidates
    decided = _decision_sections(candidates) if decision else set()
    dense = _relative(sentence_similarities(retriever.embed_model, question, [c.text for c in pool]))
    scores = [
        _sentence_score(candidate.text, candidate.section, wanted, decided, _position(pool, index))
        + DENSE_WEIGHT * dense[index] + (_answer_type_bonus(question, candidate.text) if typed else 0.0)
        for index, candidate in enumerate(pool)
    ]
    ranked = sorted(range(len(pool)), key=lambda index: (-scores[index], index))
    decision = [index for index in ranked if pool[index].section in decided]
    keep: list[int] = []
    if 1 < limit and sum(len(pool[index].text.split()) for index in decision) <= WHOLE_DECISION_WORDS:
        keep = decision  # a short decision is quoted whole rather than cut to its best parts
        limit = max(limit, len(decision))
    for index in ranked:
        if len(keep) >= limit:
            break
        if index not in keep and not any(_same_content(pool[index].text, pool[kept].text) for kept in keep):
            keep.append(index)
    if limit > 1 and item.doc_type != "dagsorden":
        keep = _with_decision(keep, ranked, pool)
    return [(pool[index].text, pool[index].section) for index in _with_lists(sorted(keep), pool)]


def sentence_budget(question: str) -> int:
    """How many sentences an item may quote: three, and two more for each further question asked."""
    return SENTENCES_PER_ITEM + SENTENCES_PER_FURTHER_QUESTION * len(FURTHER_QUESTION_RE.findall(question))


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


def states_what_is_asked(question: str, sentence: str) -> bool:
    """Whether the sentence holds the kind of thing the question asks for (a number, a date, a name)."""
    return _answer_type_bonus(question, sentence) > 0


def asks_for_figure(question: str) -> bool:
    """A date or an amount: answers that a sentence either states or does not ("who" is too loose to tell)."""
    return bool(AMOUNT_QUESTION_RE.search(question) or WHEN_QUESTION_RE.search(question))


def is_who_question(question: str) -> bool:
    return bool(WHO_QUESTION_RE.search(question))


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
