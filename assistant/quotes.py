"""Which sentences of an agenda item to quote, and in what order.

Every quote is a whole sentence of the item, word for word. Sentences are
scored by their overlap with the question's subject (Danish stems), their
dense similarity to it and, for a decision question, whether they are the
decision. A question that asks for a person, an amount or a date is answered
by the sentence that states one next to the subject (assistant.evidence), so
the answer leads with it and stays short. Minutes always say what was
decided, and a quoted lead-in brings the list it introduces.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from assistant.abbreviations import forms
from assistant.compounds import found_stem
from assistant.evidence import counts, for_other_year, forecast, has_amount, states
from assistant.question import FURTHER_QUESTION_RE, AnswerType, Part
from assistant.relevance import coverage, names_any, stems
from assistant.retrieval import HybridRetriever, RetrievedItem
from assistant.similarity import sentence_similarities
from index.chunking import PARTICIPANTS_SECTION
from index.sections import CASE, DECISION, RECOMMENDATION
from index.sentences import split_sentences

# The verbs of KL's Beslutning sections: "KKR Syddanmark godkendte …", "tog … til efterretning".
DECISION_VERB_RE = re.compile(
    r"\b(besluttede|godkendte|vedtog|tog .{0,80}til efterretning|anbefalede|anbefaler|tiltrådte|udpegede|drøftede"
    r"|bakker .{0,40}op|opfordre\w*|aflyst|udsat|enighed om|ønsker at)\b"
)
# Table debris left by the PDF text layer: markup and rules of dashes.
JUNK_RE = re.compile(r"</?[a-z]+>|-{4,}|_{4,}")
SENTENCE_END_RE = re.compile(r"[.!?:][\"”»')]*$")
HEADING_MAX_WORDS = 8
BULLET_RE = re.compile(r"^[–•-]\s")
MAX_LIST_ITEMS = 8
DUPLICATE_OVERLAP = 0.7
SECTION_PREFERENCE = {DECISION: 0.05, RECOMMENDATION: 0.1, CASE: 0.05}
DECISION_SECTION_BONUS = 1.0
# A decision up to this many words is quoted whole: cutting it to its best sentences drops what else was decided.
WHOLE_DECISION_WORDS = 220
APPROVES_PROPOSAL_RE = re.compile(r"\bindstilling(en)?\b", re.IGNORECASE)
SENTENCES_PER_ITEM = 3
# A single fact is one sentence; a second only when it too states what is asked.
SLOT_SENTENCES = 2
PRECEDENT_QUOTES = 4
# In a history, a sentence with a figure (an amount, a count, a share) is what set that meeting apart: the
# year's surplus, the places agreed. It is favoured, not forced: below the slot bonus of a typed question.
HISTORY_FIGURE_BONUS = 0.6
SENTENCES_PER_FURTHER_QUESTION = 2
DENSE_WEIGHT = 0.8
# A sentence stating the asked type beside the subject outranks any sentence that does not.
SLOT_BONUS = 1.0
YEAR_BONUS = 0.3
NAME_BONUS = 0.5
# A neighbouring sentence that carries half the subject puts the next one beside it ("… to repræsentanter til
# samarbejdsudvalget." followed by the sentence that names them).
NEIGHBOUR_OVERLAP = 0.5


class Candidate(NamedTuple):
    """A quotable sentence and the section it stands in."""

    text: str
    section: str


class Scored(NamedTuple):
    score: float
    index: int
    candidate: Candidate
    names_here: bool = False  # the sentence itself names every name the question uses


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


def slot_sentences(
    retriever: HybridRetriever,
    item: RetrievedItem,
    part: Part,
    wanted: set[str] | frozenset[str],
    known_names: tuple[str, ...] = (),
    exclude: frozenset[str] = frozenset(),
    lexical: bool = True,
    counted: tuple[str, ...] | None = None,
) -> list[Scored]:
    """The item's sentences that state what a typed question asks (a name, a figure, a date) beside its subject,
    best first; empty when none does, which is the evidence for "det fremgår ikke". ``counted``: the counted
    words the item uses (``counted_in``), when the caller has already read them.

    Beside the subject: the sentence, or the one before or after it in the same
    section, shares the subject's words, and the section names every name the
    question uses ("Nyt OUH" next to the amount, not in another section).
    """
    candidates = quotable_sentences(retriever, item)
    if not candidates:
        return []
    lowercase = retriever.lowercase_words()
    dense = _relative(sentence_similarities(retriever.embed_model, part.text, [c.text for c in candidates]))
    sentence_stems = [stems(c.text) for c in candidates]
    overlap = [coverage(wanted, found) for found in sentence_stems]
    paragraphs = _paragraphs(retriever, item)
    named = {name: forms(retriever, name) for name in known_names}  # "DEB" names "Danmarks Erhvervsfremme…"
    # A name the item's title carries is what every sentence of the item is about (KL titles an item by its
    # topic): it tells which sentence answers only where the title does not already say it.
    untitled = [name for name in known_names if not names_any(named[name], item.title)]
    if counted is None:
        counted = _counted_here(part.counted, paragraphs)
    asked_years = part.named_years
    scored = []
    for index, candidate in enumerate(candidates):
        if candidate.text in exclude:
            continue
        if not states(part.answer_type, candidate.text, lowercase, known_names, part.unit or part.kind, asked_years):
            continue
        if part.role and not _in_role(index, candidates, sentence_stems, part.role):
            continue
        if part.answer_type == AnswerType.AMOUNT and not _the_asked_figure(part, counted, candidate.text, lexical):
            continue
        if lexical and not _beside_subject(index, candidates, overlap):
            continue
        if not all(names_any(named[name], paragraphs.get(candidate.text, candidate.text)) for name in known_names):
            continue
        names_here = all(names_any(named[name], candidate.text) for name in untitled)
        score = overlap[index] + DENSE_WEIGHT * dense[index] + SLOT_BONUS
        if known_names and names_here:
            score += NAME_BONUS  # "Esbjerg Kommune fik …": the figure of the thing the question names
        if part.years and any(str(year) in candidate.text for year in part.years):
            score += YEAR_BONUS
        scored.append(Scored(score, index, candidate, names_here))
    return sorted(scored, key=lambda s: (-s.score, s.index))


def counted_in(retriever: HybridRetriever, item: RetrievedItem, counted: tuple[str, ...]) -> tuple[str, ...]:
    """The counted words the item uses (see ``_counted_here``)."""
    return _counted_here(counted, _paragraphs(retriever, item)) if counted else ()


def _counted_here(counted: tuple[str, ...], paragraphs: dict[str, str]) -> tuple[str, ...]:
    """The counted words the item itself uses: the asker's own word for a thing ("topchefer" for
    "kommunaldirektører") says nothing, but a thing the item names and never counts is not counted there."""
    if not counted:
        return ()
    item_words = stems(" ".join(dict.fromkeys(paragraphs.values())))
    return tuple(word for word in counted
                 if (word_stems := stems(word)) and all(found_stem(stem, item_words) for stem in word_stems))


def _in_role(index: int, candidates: list[Candidate], sentence_stems: list[set[str]], role: tuple[str, ...]) -> bool:
    """Whether the name stands beside the asked role: the sentence or its neighbour in the section names it
    ("formand" in "formandskabet"), so a name mentioned for another reason does not answer."""
    wanted = {stem for word in role for stem in stems(word)}
    section = candidates[index].section
    return any(
        0 <= near < len(candidates) and candidates[near].section == section
        and any(found_stem(stem, sentence_stems[near]) for stem in wanted)
        for near in (index - 1, index, index + 1)
    )


def _the_asked_figure(part: Part, counted: tuple[str, ...], sentence: str, lexical: bool) -> bool:
    """A figure answers only for the asked year and, in a Danish count question, counts the asked thing; a
    question in the past tense is not answered by an estimate."""
    if part.past and forecast(sentence):
        return False
    return not for_other_year(sentence, part.years) and (not lexical or counts(sentence, counted))


def _paragraphs(retriever: HybridRetriever, item: RetrievedItem) -> dict[str, str]:
    """Each sentence's paragraph, with the item's title: the context a name must stand in."""
    found: dict[str, str] = {}
    for section in retriever.item_sections(item.source, item.item):
        for paragraph in section.text.split("\n\n"):
            for sentence in split_sentences(paragraph):
                found.setdefault(sentence, f"{item.title} {paragraph}")
    return found


def _beside_subject(index: int, candidates: list[Candidate], overlap: list[float]) -> bool:
    if overlap[index] > 0:
        return True
    section = candidates[index].section
    return any(
        0 <= near < len(candidates) and candidates[near].section == section and overlap[near] >= NEIGHBOUR_OVERLAP
        for near in (index - 1, index + 1)
    )


def lead_quotes(slots: list[Scored]) -> list[tuple[str, str]]:
    """The sentence that carries the answer, and a second that also states it, in document order."""
    keep = [slots[0]]
    for scored in slots[1:SLOT_SENTENCES + 2]:
        if len(keep) >= SLOT_SENTENCES:
            break
        if not _same_content(scored.candidate.text, keep[0].candidate.text):
            keep.append(scored)
    return [(s.candidate.text, s.candidate.section) for s in sorted(keep, key=lambda s: s.index)]


def precedent_quotes(
    retriever: HybridRetriever, item: RetrievedItem, question: str, wanted: set[str] | frozenset[str]
) -> list[tuple[str, str]]:
    """What one meeting did with the topic: its decision (minutes only) and the three sentences nearest the
    question, a figure first among near ones; an agenda, which has no decision, gets four. A history's reader
    checks each meeting by its content: with one sentence beside the decision, half the details asked for were
    left in the minutes (key facts of histories, unseen set, 0.57 → 0.71); with two, the figures that set one
    year's accounts or agreement apart from the next still were.
    """
    quotes = best_sentences(retriever, item, question, wanted, decision=True, limit=1)
    # An item whose title names nothing of the subject bundles several matters (KL's "Siden sidst", "Orientering
    # fra …", whose Beslutning records each briefing): beyond its decision, only its sentences that name the
    # subject are about it.
    bundle = not coverage(wanted, stems(item.title))
    for limit in range(1, PRECEDENT_QUOTES + 1):  # best first: the quotes come back in document order
        if len(quotes) >= PRECEDENT_QUOTES:
            break
        for quote in best_sentences(retriever, item, question, wanted, decision=False, limit=limit,
                                    figure_bonus=HISTORY_FIGURE_BONUS):
            if bundle and not coverage(wanted, stems(quote[0])):
                continue
            if len(quotes) < PRECEDENT_QUOTES and not any(_same_content(quote[0], kept) for kept, _ in quotes):
                quotes.append(quote)
    return quotes


def best_sentences(
    retriever: HybridRetriever,
    item: RetrievedItem,
    question: str,
    wanted: set[str] | frozenset[str],
    decision: bool,
    limit: int | None = None,
    figure_bonus: float = 0.0,
) -> list[tuple[str, str]]:
    """The item's sentences that answer best, in document order, with their section. ``figure_bonus``: what a
    sentence with a figure gains (a history's)."""
    if limit is None:
        limit = sentence_budget(question)
    pool = quotable_sentences(retriever, item)
    if not pool:
        return []
    decided = _decision_sections(pool) if decision else set()
    dense = _relative(sentence_similarities(retriever.embed_model, question, [c.text for c in pool]))
    scores = [
        _sentence_score(candidate.text, candidate.section, wanted, decided, _position(pool, index))
        + DENSE_WEIGHT * dense[index]
        + (figure_bonus if figure_bonus and has_amount(candidate.text) else 0.0)
        for index, candidate in enumerate(pool)
    ]
    ranked = sorted(range(len(pool)), key=lambda index: (-scores[index], index))
    decision_indices = [index for index in ranked if pool[index].section in decided]
    keep: list[int] = []
    if 1 < limit and sum(len(pool[index].text.split()) for index in decision_indices) <= WHOLE_DECISION_WORDS:
        keep = decision_indices  # a short decision is quoted whole rather than cut to its best parts
        limit = max(limit, len(decision_indices))
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
    if any(pool[index].section == DECISION for index in keep):
        return keep
    decision = next((index for index in ranked if pool[index].section == DECISION), None)
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


def _position(pool: list[Candidate], index: int) -> int:
    """How many sentences of the same section come before this one."""
    section = pool[index].section
    return sum(1 for candidate in pool[:index] if candidate.section == section)


def _decision_sections(candidates: list[Candidate]) -> set[str]:
    """Where an item's decision stands: the Beslutning, and the Indstilling when the decision points to it.

    "KKR Syddanmark godkendte indstillingen." says nothing by itself; what was
    approved is the Indstilling.
    """
    decision = [candidate.text for candidate in candidates if candidate.section == DECISION]
    if not decision:
        return set()
    return {DECISION, RECOMMENDATION} if any(APPROVES_PROPOSAL_RE.search(t) for t in decision) else {DECISION}


def _sentence_score(text: str, section: str, wanted: set[str] | frozenset[str], decided: set[str],
                    position: int) -> float:
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
