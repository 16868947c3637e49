"""Decide whether the retrieved items are about the question at all.

Rank fusion always returns something; an answer built on the least-bad match
is worse than "I could not find that". Two signals decide: the dense cosine
similarity of the item's best chunk, and how many of the question's subject
words (Danish-stemmed, see assistant.question) occur in the item. The
thresholds are chosen by the sweep ``python -m eval --calibrate`` prints over
eval/golden.jsonl only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

from assistant.compounds import COMPOUND_MIN, compound_parts, found_stem
from assistant.question import WORD_RE, stopwords
from assistant.retrieval import RetrievedItem, danish_stemmer
from index.lexical import fold

# Shorter question words are mostly verbs whose irregular forms the stemmer does not join ("deltog", "deltage").
UNKNOWN_MIN_LENGTH = 7

# Chosen by the sweep over eval/golden.jsonl that `python -m eval --calibrate` prints.
DENSE_STRONG = 0.85
# English questions share no words with Danish minutes: only the cross-lingual dense score counts.
DENSE_ENGLISH = 0.82
DENSE_MIN = 0.80
LEXICAL_MIN = 0.5
ITEM_DENSE_MIN = 0.82
ITEM_LEXICAL_MIN = 0.34
# Texts whose stems are kept: a few hundred questions stem a few thousand distinct texts.
STEM_CACHE_SIZE = 50_000


def stems(text: str) -> set[str]:
    return set(_stems(text))


@lru_cache(maxsize=STEM_CACHE_SIZE)
def _stems(text: str) -> frozenset[str]:
    """An answer scores the same sentences again for each quote it picks (a history line picks four): stemming
    them once saves most of that time."""
    words = [w for w in WORD_RE.findall(text.lower()) if w not in stopwords() and not w.isdigit()]
    return frozenset(fold(stem) for stem in danish_stemmer().stemWords(words))


def coverage(wanted: set[str] | frozenset[str], found: set[str], weights: Mapping[str, float] | None = None,
             parts: Mapping[str, str] | None = None) -> float:
    """Share of the question's stems present, counting a stem inside a Danish compound.

    Compounds are one word in Danish, so a longer stem may match inside a found
    word. With ``weights`` (a stem's rarity) the share is weighted: finding the
    rare topic word counts for more than finding "sag". With ``parts``
    (``compound_parts``), a compound of the question that is not found counts
    half when its telling part is: "fyrtårnsinitiativer" is half found in an
    item about "erhvervsfyrtårne".
    """
    if not wanted:
        return 0.0
    weight = {stem: 1.0 for stem in wanted}
    if weights is not None:
        default = max(weights.values(), default=1.0)
        weight = {stem: weights.get(stem, default) for stem in wanted}
    total = sum(weight.values())
    if not total:
        return 0.0
    return sum(w * _found_share(stem, found, parts) for stem, w in weight.items()) / total


def _found_share(stem: str, found: set[str] | frozenset[str], parts: Mapping[str, str] | None) -> float:
    if found_stem(stem, found):
        return 1.0
    part = (parts or {}).get(stem)
    return 0.5 if part is not None and found_stem(part, found) else 0.0


def unknown_words(question: str, vocabulary: frozenset[str], own_names: frozenset[str] = frozenset()) -> list[str]:
    """The question's content words that the whole material never uses, not even inside a compound.

    Half a question about "letbanen" or "genbrugspladser" that no minutes
    mention cannot be answered from them, however close the rest of it comes.
    """
    words = [
        w for w in WORD_RE.findall(question.lower())
        if w not in stopwords() and w not in own_names and not w.isdigit() and len(w) >= UNKNOWN_MIN_LENGTH
    ]
    unknown: dict[str, str] = {}
    for word, stem in zip(words, (fold(s) for s in danish_stemmer().stemWords(words)), strict=True):
        if not found_stem(stem, vocabulary) and not compound_parts([stem], vocabulary, {}):
            unknown.setdefault(stem, word)
    return list(unknown.values())


def mentions(term: str, text: str) -> bool:
    """Whether ``text`` names ``term``, allowing Danish genitive -s ("Børnehus Syds") and hyphenated
    compounds written apart or together ("SOSU-lærepladser", "SOSU-lærepladserne")."""
    text = text.lower()
    term = term.lower()
    genitive = [term[:-1]] if len(term) > 3 and term.endswith("s") else []
    if any(_stands_in(form, text) for form in [term, *genitive]):
        return True
    head = re.split(r"-", term)
    return len(head) > 1 and all(_stands_in(part, text) for part in head if part)


def _stands_in(term: str, text: str) -> bool:
    """A term inside the text; a short one (an abbreviation: "PLO", "DEB") only as a word of its own or before
    a hyphen ("SOSU-lærepladser"), never inside another word ("deb" in "debat", "eo" in "geografi")."""
    if len(term) >= COMPOUND_MIN:
        return term in text
    return re.search(rf"(?<![\wæøå]){re.escape(term)}(?![\wæøå])", text) is not None


def mentions_inflected(term: str, text: str, text_stems: set[str] | frozenset[str]) -> bool:
    """``mentions``, or every word of the term found in another inflection: Danish inflects names' adjectives
    and nouns ("Sundhedsstrategisk Forum", "det sundhedsstrategiske forum"). Years and codes must stand as written."""
    if mentions(term, text):
        return True
    head, _, rest = term.partition("-")
    if rest and rest[:1].islower():
        # "DK2020-samarbejdet": a name compounded with a common noun; the name stands as written (or inflected),
        # the noun in any form ("samarbejdsaftale").
        return mentions_inflected(head, text, text_stems) and all(found_stem(stem, text_stems) for stem in stems(rest))
    if any(character.isdigit() for character in term):
        return False
    wanted = stems(term)
    return bool(wanted) and all(found_stem(stem, text_stems) for stem in wanted)


def names_any(forms: Collection[str], text: str) -> bool:
    """Whether ``text`` names any form of a name: as written first, and only when none is, in another
    inflection, so the text is stemmed only when the cheap test fails."""
    if any(mentions(form, text) for form in forms):
        return True
    found = stems(text)
    return any(mentions_inflected(form, text, found) for form in forms)


@dataclass
class Relevance:
    relevant: bool
    dense: float
    lexical: float
    wanted: frozenset[str]

    def item_relevant(self, item: RetrievedItem) -> bool:
        dense, lexical = item_signals(item, self.wanted)
        return dense >= ITEM_DENSE_MIN or lexical >= ITEM_LEXICAL_MIN


def item_signals(item: RetrievedItem, wanted: frozenset[str] | set[str]) -> tuple[float, float]:
    dense = max((c.raw_scores.get("dense", 0.0) for c in item.chunks), default=0.0)
    found: set[str] = set()
    for chunk in item.chunks:
        found |= stems(chunk.text)
    return dense, coverage(wanted, found)


def judge_relevance(wanted: frozenset[str], items: list[RetrievedItem], english: bool,
                    dense_strong: float = DENSE_STRONG, dense_min: float = DENSE_MIN,
                    lexical_min: float = LEXICAL_MIN) -> Relevance:
    """Whether the best items are about the question; the thresholds are parameters so the sweep can vary them."""
    if not items:
        return Relevance(False, 0.0, 0.0, wanted)
    dense, lexical = max(item_signals(item, wanted) for item in items[:3])
    relevant = dense >= dense_strong or (dense >= dense_min and lexical >= lexical_min)
    if english:
        relevant = dense >= DENSE_ENGLISH
    return Relevance(relevant, dense, lexical, wanted)
