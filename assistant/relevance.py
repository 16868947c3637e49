"""Decide whether the retrieved items answer the question at all.

Rank fusion always returns something; an answer built on the least-bad match
is worse than "I could not find that". Two signals decide: the dense cosine
similarity of the item's best chunk, and how many of the question's content
words (Danish-stemmed, stop words removed) occur in the item. The thresholds
are calibrated on the golden set's unanswerable questions (see eval/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_DANISH, STOPWORDS_EN

from assistant.retrieval import RetrievedItem, danish_stemmer

# Words that shape a question but say nothing about its topic.
QUESTION_WORDS = {
    "hvad",
    "hvem",
    "hvor",
    "hvornår",
    "hvordan",
    "hvorfor",
    "hvilke",
    "hvilken",
    "hvilket",
    "mange",
    "meget",
    "besluttet",
    "beslutning",
    "besluttede",
    "vedtaget",
    "godkendt",
    "godkendte",
    "blev",
    "kkr",
    "syddanmark",
    "møde",
    "mødet",
    "møder",
    "møderne",
    "sket",
    "skete",
    "behandlet",
    "behandlede",
    "tidligere",
    "siden",
    "what",
    "when",
    "who",
    "which",
    "how",
    "did",
    "was",
    "were",
    "decided",
    "decide",
    "meeting",
    "about",
    "sagt",
    "står",
    "fremgår",
    "referat",
    "referatet",
    "dagsorden",
    "punkt",
}
TOKEN_RE = re.compile(r"\w{2,}")

# Calibrated on eval/golden.jsonl (python -m eval --calibrate prints the sweep).
DENSE_STRONG = 0.855
# English questions share no words with Danish minutes: only the cross-lingual dense score counts.
DENSE_ENGLISH = 0.82
DENSE_MIN = 0.80
LEXICAL_MIN = 0.5
ITEM_DENSE_MIN = 0.82
ITEM_LEXICAL_MIN = 0.34


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(STOPWORDS_DANISH) | frozenset(STOPWORDS_EN) | QUESTION_WORDS


def stems(text: str) -> set[str]:
    words = [w for w in TOKEN_RE.findall(text.lower()) if w not in _stopwords() and not w.isdigit()]
    return set(danish_stemmer().stemWords(words))


def question_stems(question: str) -> set[str]:
    return stems(question)


def coverage(wanted: set[str] | frozenset[str], found: set[str]) -> float:
    """Share of the question's stems present, counting a stem inside a Danish compound.

    "botilbud" is found in "botilbudskapaciteten": compounds are one word in
    Danish, so a longer stem (5+ letters) may match inside a found word.
    """
    if not wanted:
        return 0.0
    hits = 0
    for stem in wanted:
        if stem in found or (len(stem) >= 5 and any(stem in word for word in found)):
            hits += 1
    return hits / len(wanted)


def is_english(question: str) -> bool:
    words = TOKEN_RE.findall(question.lower())
    english = sum(word in ENGLISH_MARKERS for word in words)
    return bool(words) and english >= 2 and english / len(words) >= 0.2


ENGLISH_MARKERS = frozenset(
    [
        "the",
        "what",
        "when",
        "who",
        "which",
        "how",
        "did",
        "does",
        "do",
        "is",
        "are",
        "was",
        "were",
        "of",
        "to",
        "in",
        "for",
        "on",
        "and",
        "by",
        "with",
        "about",
        "from",
    ]
)


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


def judge_relevance(question: str, items: list[RetrievedItem]) -> Relevance:
    wanted = frozenset(question_stems(question))
    if not items:
        return Relevance(False, 0.0, 0.0, wanted)
    dense, lexical = max(item_signals(item, wanted) for item in items[:3])
    relevant = dense >= DENSE_STRONG or (dense >= DENSE_MIN and lexical >= LEXICAL_MIN)
    if is_english(question):
        relevant = dense >= DENSE_ENGLISH
    return Relevance(relevant, dense, lexical, wanted)
