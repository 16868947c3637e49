"""Decide whether the retrieved items answer the question at all.

Rank fusion always returns something; an answer built on the least-bad match
is worse than "I could not find that". Two signals decide: the dense cosine
similarity of the item's best chunk, and how many of the question's content
words (Danish-stemmed, stop words removed) occur in the item. The thresholds
are calibrated on the golden set's unanswerable questions (see eval/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_DANISH, STOPWORDS_EN

from assistant.question import MONTHS
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
    "drøftet",
    "drøftede",
    "drøfte",
    "haft",
    "oppe",
    "været",
    "nævnt",
    "beskæftiget",
    "eget",
    "dagsordenen",
}
TOKEN_RE = re.compile(r"\w{2,}")
COMPOUND_MIN = 5
UNKNOWN_MIN_LENGTH = 7

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


def coverage(wanted: set[str] | frozenset[str], found: set[str], weights: Mapping[str, float] | None = None) -> float:
    """Share of the question's stems present, counting a stem inside a Danish compound.

    "botilbud" is found in "botilbudskapaciteten": compounds are one word in
    Danish, so a longer stem (5+ letters) may match inside a found word. With
    ``weights`` (a stem's rarity) the share is weighted: finding the rare topic
    word counts for more than finding "sag".
    """
    if not wanted:
        return 0.0
    if weights is None:
        return sum(1 for stem in wanted if _found(stem, found)) / len(wanted)
    default = max(weights.values(), default=1.0)
    weight = {stem: weights.get(stem, default) for stem in wanted}
    total = sum(weight.values())
    if not total:
        return 0.0
    return sum(w for stem, w in weight.items() if _found(stem, found)) / total


def _found(stem: str, found: set[str] | frozenset[str]) -> bool:
    return stem in found or (len(stem) >= COMPOUND_MIN and any(stem in word for word in found))


def unknown_words(question: str, vocabulary: frozenset[str]) -> list[str]:
    """The question's content words that the whole material never uses, not even inside a compound.

    Half a question about "letbanen" or "genbrugspladser" that no minutes
    mention cannot be answered from them, however close the rest of it comes.
    Short words are left out: they are mostly verbs whose irregular forms the
    stemmer does not join ("deltog" and "deltage").
    """
    words = [
        w for w in TOKEN_RE.findall(question.lower())
        if w not in _stopwords() and not w.isdigit() and len(w) >= UNKNOWN_MIN_LENGTH
    ]
    unknown: dict[str, str] = {}
    for word, stem in zip(words, danish_stemmer().stemWords(words), strict=True):
        if not _found(stem, vocabulary):
            unknown.setdefault(stem, word)
    return list(unknown.values())


def is_english(question: str) -> bool:
    words = TOKEN_RE.findall(question.lower())
    english = sum(word in ENGLISH_MARKERS for word in words)
    return bool(words) and english >= 2 and english / len(words) >= 0.2


# English function words that are not also Danish words ("for", "to", "i" are both).
ENGLISH_MARKERS = frozenset(
    "the what when who which how did does is are was were of in on and by with about from".split()  # noqa: SIM905
)


# Capitalised words that name no particular thing in these minutes; month names only date them.
GENERIC_NAMES = frozenset(
    "kkr syddanmark syddanmarks kommune kommunes kommunerne region regionen regions danmark danske".split()  # noqa: SIM905
) | frozenset(MONTHS)
NAME_RE = re.compile(r"\b(?:[A-ZÆØÅ][\wæøåÆØÅ]*|\w*\d\w*)\b")


def specific_terms(question: str) -> list[str]:
    """Names, acronyms and years in a Danish question: "Odense", "OUH", "2019".

    Such a term narrows the question to something the minutes must mention;
    an item that never names it cannot answer it, however close its topic
    (how many lærepladser *Odense* got is not answered by the regional total).
    The first word is skipped (Danish capitalises only the sentence start and names).
    """
    if is_english(question):
        return []
    terms = []
    for index, match in enumerate(NAME_RE.finditer(question)):
        word = match[0]
        if index == 0 and match.start() == len(question) - len(question.lstrip()) and not word.isupper():
            continue
        if word.lower() in GENERIC_NAMES or word.lower() in _stopwords() or len(word) < 2:
            continue
        if word.isdigit() and not re.fullmatch(r"(19|20)\d\d", word):
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def mentions(term: str, text: str) -> bool:
    """Whether ``text`` names ``term``, allowing Danish genitive -s ("Børnehus Syds")."""
    text = text.lower()
    term = term.lower()
    return term in text or (len(term) > 3 and term.endswith("s") and term[:-1] in text)


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
