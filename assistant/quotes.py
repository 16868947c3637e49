"""Which sentences of an agenda item to quote, and in what order.

Every quote is a whole sentence of the item, word for word, ranked by the
fitted sentence model (assistant.ranking). A question that asks for a person,
an amount or a date is answered by a sentence that states one next to the
subject (assistant.evidence), so the answer leads with it and stays short.
Minutes always say what was decided, and a quoted lead-in brings the list it introduces.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from assistant.abbreviations import forms
from assistant.compounds import found_stem
from assistant.evidence import counts, for_other_year, forecast, states
from assistant.question import FURTHER_QUESTION_RE, AnswerType, Part
from assistant.ranking import Asked, current_ranker, folded_stems, query_text, sentence_features
from assistant.relevance import coverage, names_any, stems
from assistant.retrieval import HybridRetriever, RetrievedItem
from assistant.similarity import sentence_similarities
from index.chunking import PARTICIPANTS_SECTION
from index.sections import DECISION, RECOMMENDATION
from index.sentences import split_sentences

# Table debris left by the PDF text layer: markup and rules of dashes.
JUNK_RE = re.compile(r"</?[a-z]+>|-{4,}|_{4,}")
SENTENCE_END_RE = re.compile(r"[.!?:][\"”»')]*$")
HEADING_MAX_WORDS = 8
BULLET_RE = re.compile(r"^[–•-]\s")
MAX_LIST_ITEMS = 8
DUPLICATE_OVERLAP = 0.7
# A decision up to this many words is quoted whole: cutting it to its best sentences drops what else was decided.
WHOLE_DECISION_WORDS = 220
APPROVES_PROPOSAL_RE = re.compile(r"\bindstilling(en)?\b", re.IGNORECASE)
SENTENCES_PER_ITEM = 3
# A single fact is one sentence; a second only when it too states what is asked.
SLOT_SENTENCES = 2
PRECEDENT_QUOTES = 4
SENTENCES_PER_FURTHER_QUESTION = 2
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
    asked: Asked,
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
    question uses ("Nyt OUH" next to the amount, not in another section). Among them the model
    (assistant.ranking) orders.
    """
    part = asked.part
    candidates, model_scores = scored_sentences(retriever, item, asked)
    if not candidates:
        return []
    lowercase = retriever.lowercase_words()
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
        scored.append(Scored(model_scores[index], index, candidate, names_here))
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


def precedent_quotes(retriever: HybridRetriever, item: RetrievedItem, asked: Asked) -> list[tuple[str, str]]:
    """What one meeting did with the topic: its decision (minutes only) and the three sentences the model ranks
    best; an agenda, which has no decision, gets four. A history's reader checks each meeting by its content,
    so it quotes the figures and details that set one meeting apart from the next."""
    quotes = best_sentences(retriever, item, replace(asked, decision=True), limit=1)
    # An item whose title names nothing of the subject bundles several matters (KL's "Siden sidst", "Orientering
    # fra …", whose Beslutning records each briefing): beyond its decision, only its sentences that name the
    # subject are about it.
    bundle = not coverage(asked.wanted, set(folded_stems(item.title)))
    for quote in best_sentences(retriever, item, replace(asked, decision=False), limit=PRECEDENT_QUOTES,
                                ordered=False):
        if len(quotes) >= PRECEDENT_QUOTES:
            break
        if bundle and not coverage(asked.wanted, set(folded_stems(quote[0]))):
            continue
        if not any(_same_content(quote[0], kept) for kept, _ in quotes):
            quotes.append(quote)
    return quotes


# Items whose scored sentences are kept: a history quotes eight, each asked several times.
SCORED_CACHE = 256
_scored: dict[tuple, tuple[list[Candidate], np.ndarray]] = {}


def scored_sentences(retriever: HybridRetriever, item: RetrievedItem, asked: Asked
                     ) -> tuple[list[Candidate], list[float]]:
    """The item's quotable sentences and the model's score of each, in the item's order."""
    pool, rows = scored_rows(retriever, item, asked)
    return pool, [float(v) for v in current_ranker().sentences.score(rows)]


def scored_rows(retriever: HybridRetriever, item: RetrievedItem, asked: Asked) -> tuple[list[Candidate], np.ndarray]:
    """``feature_rows``, kept per item and question: an answer reads the same items for its parts and quotes."""
    key = (id(retriever), retriever.version, item.key, asked)
    if key not in _scored:
        _scored[key] = feature_rows(retriever, item, asked)
        while len(_scored) > SCORED_CACHE:
            del _scored[next(iter(_scored))]
    return _scored[key]


def feature_rows(retriever: HybridRetriever, item: RetrievedItem, asked: Asked) -> tuple[list[Candidate], np.ndarray]:
    """The item's quotable sentences and their feature rows (assistant.ranking)."""
    pool = quotable_sentences(retriever, item)
    texts = [c.text for c in pool]
    dense = sentence_similarities(retriever.embed_model, query_text(asked.part), texts)
    return pool, sentence_features(asked, texts, [c.section for c in pool], dense)


def best_sentences(retriever: HybridRetriever, item: RetrievedItem, asked: Asked, limit: int | None = None,
                   ordered: bool = True) -> list[tuple[str, str]]:
    """The item's sentences the model ranks best, with their section: in document order, or best first when
    not ``ordered``."""
    if limit is None:
        limit = sentence_budget(asked.part.search or asked.part.text)
    pool, scores = scored_sentences(retriever, item, asked)
    if not pool:
        return []
    ranked = sorted(range(len(pool)), key=lambda index: (-scores[index], index))
    decided = _decision_sections(pool) if asked.decision else set()
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
    chosen = _with_lists(sorted(keep), pool) if ordered else keep
    return [(pool[index].text, pool[index].section) for index in chosen]


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


def _decision_sections(candidates: list[Candidate]) -> set[str]:
    """Where an item's decision stands: the Beslutning, and the Indstilling when the decision points to it.

    "KKR Syddanmark godkendte indstillingen." says nothing by itself; what was
    approved is the Indstilling.
    """
    decision = [candidate.text for candidate in candidates if candidate.section == DECISION]
    if not decision:
        return set()
    return {DECISION, RECOMMENDATION} if any(APPROVES_PROPOSAL_RE.search(t) for t in decision) else {DECISION}


