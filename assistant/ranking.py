"""Score the sentences that may answer a question part, and the chance that the part is answered at all.

Every candidate sentence of the items retrieved for a part is described by the
same general features (dense similarity, BM25 within its item, coverage of the
question's words and of its rarer words, the answer type asked and whether the
sentence states it, the years asked against the years it names, its section,
the question's names in it). A logistic regression fitted on the question sets
(``python -m eval.train``) weighs them; its weights are the small committed file
``assistant/ranker.json``. The same file holds a second logistic regression
over a part's best candidates that gives the probability that the material
states what is asked, and the threshold below which the part is refused.

Words are compared in folded form (lower case, æ/ø/å as ae/oe/aa), so a
question typed without Danish letters meets the minutes' words.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.compounds import found_stem
from assistant.evidence import counts, for_other_year, forecast, has_amount, has_date, people, states
from assistant.question import WORD_RE, AnswerType, Part, stopwords
from assistant.relevance import names_any
from assistant.retrieval import danish_stemmer
from index.lexical import fold
from index.sections import CASE, DECISION, RECOMMENDATION

MODEL_PATH = Path(__file__).resolve().parent / "ranker.json"
DECISION_VERB_RE = re.compile(
    r"\b(besluttede|godkendte|vedtog|tog .{0,80}til efterretning|anbefalede|anbefaler|tiltrådte|udpegede|drøftede"
    r"|bakker .{0,40}op|opfordre\w*|aflyst|udsat|enighed om|ønsker at)\b"
)
# BM25's usual constants; a sentence is a short document, so length normalisation matters little.
BM25_K1, BM25_B = 1.2, 0.75

# The answer types a sentence either states or not (assistant.evidence.states): a list too ("Hvilke …?").
STATED_TYPES = frozenset({AnswerType.PERSON, AnswerType.AMOUNT, AnswerType.DATE, AnswerType.NAME,
                          AnswerType.REASON, AnswerType.LIST})
SENTENCE_FEATURES = (
    "dense", "dense_rel", "overlap", "rare_overlap", "bm25_rel", "neighbour_overlap",
    "section_decision", "section_recommendation", "section_case", "first_in_section",
    "decision_asked_here", "decision_verb", "slot_asked", "states_type", "counts_asked",
    "year_asked_here", "other_year", "forecast_for_past", "names_here", "has_amount", "has_date",
    "history_figure", "log_words", "lead_in", "english_dense_rel", "names_people",
)
PART_FEATURES = (
    "best", "second", "best_stating", "dense_top", "overlap_top", "rare_overlap_top", "names_top",
    "slot_asked", "years_asked", "year_found", "unknown_share", "english", "year_anywhere",
    "stating_other_year", "stating_share",
)


@lru_cache(maxsize=50_000)
def folded_stems(text: str) -> tuple[str, ...]:
    """The text's content words, stemmed in Danish and folded, in order (repeats kept, for BM25)."""
    words = [w for w in WORD_RE.findall(text.lower()) if w not in stopwords() and not w.isdigit()]
    return tuple(fold(stem) for stem in danish_stemmer().stemWords(words))


def folded_subject(words: frozenset[str] | set[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


@dataclass(frozen=True)
class Asked:
    """What the sentences of one part are scored against."""

    part: Part
    wanted: frozenset[str]  # the part's subject stems, folded
    names: tuple[str, ...] = ()
    name_forms: tuple[tuple[str, ...], ...] = ()
    decision: bool = False
    history: bool = False
    english: bool = False
    lowercase_words: frozenset[str] = field(default=frozenset(), hash=False, compare=False)
    rarity: dict[str, float] | None = field(default=None, hash=False, compare=False)


def query_text(part: Part) -> str:
    """What a part's sentences are compared with by meaning: a typed part its own words, any other the words
    it is searched with (a later part of a longer question shares the subject of the whole)."""
    return part.text if part.slot else (part.search or part.text)


def sentence_features(asked: Asked, texts: Sequence[str], sections: Sequence[str], dense: Sequence[float]
                      ) -> np.ndarray:
    """One row of SENTENCE_FEATURES per sentence of one item, in the item's order."""
    part = asked.part
    n = len(texts)
    if not n:
        return np.zeros((0, len(SENTENCE_FEATURES)))
    sentence_stems = [folded_stems(text) for text in texts]
    overlap, rare = _coverages(asked, sentence_stems)
    bm25 = _bm25(asked.wanted, sentence_stems)
    top_bm25 = max(bm25) or 1.0
    low, high = min(dense), max(dense)
    decided = _decided_sections(texts, sections) if asked.decision else set()
    slot = part.answer_type in STATED_TYPES
    unit = part.unit or part.kind
    counted = part.counted
    rows = []
    for index, text in enumerate(texts):
        section = sections[index]
        neighbours = [overlap[j] for j in (index - 1, index + 1) if 0 <= j < n and sections[j] == section]
        stated = slot and _states(part.answer_type, text, asked.lowercase_words, asked.names, unit, part.named_years)
        figure, decision_verb, log_words, lead_in = _fixed(text)
        rows.append((
            dense[index],
            (dense[index] - low) / (high - low) if high > low else 0.0,
            overlap[index],
            rare[index],
            bm25[index] / top_bm25,
            max(neighbours, default=0.0),
            section == DECISION,
            section == RECOMMENDATION,
            section == CASE,
            index == 0 or sections[index - 1] != section,
            section in decided,
            decision_verb,
            slot,
            bool(stated),
            bool(stated and part.answer_type == AnswerType.AMOUNT and counted and counts(text, counted)),
            bool(part.years) and any(str(year) in text for year in part.years),
            for_other_year(text, part.years),
            part.past and forecast(text),
            _names_share(asked, text),
            figure,
            _has_date(text, part.named_years),
            asked.history and figure,
            log_words,
            lead_in,
            asked.english * ((dense[index] - low) / (high - low) if high > low else 0.0),
            _names_people(text, asked.lowercase_words, asked.names),
        ))
    return np.asarray(rows, dtype=float)


def _coverages(asked: Asked, sentence_stems: list[tuple[str, ...]]) -> tuple[list[float], list[float]]:
    """Each sentence's share of the question's stems, counted one by one and weighted by rarity."""
    if not asked.wanted:
        return [0.0] * len(sentence_stems), [0.0] * len(sentence_stems)
    rarity = asked.rarity or {}
    default = max(rarity.values(), default=1.0)
    weight = {stem: rarity.get(stem, default) for stem in asked.wanted}
    total = sum(weight.values()) or 1.0
    overlap, rare = [], []
    for stems in sentence_stems:
        found = set(stems)
        hits = [stem for stem in asked.wanted if found_stem(stem, found)]
        overlap.append(len(hits) / len(asked.wanted))
        rare.append(sum(weight[stem] for stem in hits) / total)
    return overlap, rare


# Sentences' question-independent facts, and their facts for one question's type, names and years, are kept:
# an answer scores the same items for each of its parts and quotes.
FACT_CACHE = 50_000


@lru_cache(maxsize=FACT_CACHE)
def _fixed(text: str) -> tuple[bool, bool, float, bool]:
    """What a sentence is, whatever is asked: has a figure, a decision verb, its length, a lead-in."""
    return has_amount(text), bool(DECISION_VERB_RE.search(text)), math.log1p(len(text.split())), text.endswith(":")


@lru_cache(maxsize=FACT_CACHE)
def _states(answer_type: AnswerType, text: str, lowercase: frozenset[str], names: tuple[str, ...], unit: str,
            years: frozenset[int]) -> bool:
    return states(answer_type, text, lowercase, names, unit, years)


@lru_cache(maxsize=FACT_CACHE)
def _has_date(text: str, years: frozenset[int]) -> bool:
    return has_date(text, years)


@lru_cache(maxsize=FACT_CACHE)
def _names_people(text: str, lowercase: frozenset[str], names: tuple[str, ...]) -> bool:
    return bool(people(text, lowercase, names))


def _names_share(asked: Asked, text: str) -> float:
    if not asked.names:
        return 0.0
    return sum(names_any(forms, text) for forms in asked.name_forms) / len(asked.names)


def _decided_sections(texts: Sequence[str], sections: Sequence[str]) -> set[str]:
    """Where an item's decision stands: the Beslutning, and the Indstilling when the decision approves it."""
    decision = [text for text, section in zip(texts, sections, strict=True) if section == DECISION]
    if not decision:
        return set()
    return {DECISION, RECOMMENDATION} if any(re.search(r"\bindstilling", t, re.IGNORECASE) for t in decision) \
        else {DECISION}


def _bm25(query: frozenset[str], documents: list[tuple[str, ...]]) -> list[float]:
    """BM25 of each sentence of one item against the question's stems, the item's sentences as the corpus.

    Written here because the corpus is a dozen sentences that change with every item: building a bm25s
    index for them costs more than scoring them."""
    n = len(documents)
    average = sum(len(d) for d in documents) / n or 1.0
    frequency = Counter(stem for d in documents for stem in set(d))
    scores = []
    for document in documents:
        counted = Counter(document)
        score = 0.0
        for stem in query:
            tf = sum(c for word, c in counted.items() if word == stem or (len(stem) >= 5 and stem in word))
            if not tf:
                continue
            df = frequency.get(stem, 1)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * len(document) / average))
        scores.append(score)
    return scores


def part_features(scores: Sequence[float], rows: np.ndarray, asked: Asked, unknown_share: float, english: bool
                  ) -> np.ndarray:
    """One row of PART_FEATURES from the scored candidates of a part's best items (``rows`` in score order)."""
    column = {name: index for index, name in enumerate(SENTENCE_FEATURES)}
    if not len(scores):
        return np.asarray([-10.0, -10.0, -10.0, 0, 0, 0, 0, asked.part.slot, bool(asked.part.years), 0,
                           unknown_share, english, 0, 0, 0], dtype=float)
    top = rows[:3]
    stated = rows[:, column["states_type"]] > 0
    stating = [s for s, row in zip(scores, rows, strict=True) if row[column["states_type"]]]
    first_stating = rows[stated][0] if stated.any() else None
    return np.asarray([
        scores[0],
        scores[1] if len(scores) > 1 else scores[0] - 5,
        stating[0] if stating else -10.0,
        top[:, column["dense"]].max(),
        top[:, column["overlap"]].max(),
        top[:, column["rare_overlap"]].max(),
        top[:, column["names_here"]].max(),
        asked.part.slot,
        bool(asked.part.years),
        top[:, column["year_asked_here"]].max(),
        unknown_share,
        english,
        rows[:, column["year_asked_here"]].max(),
        first_stating[column["other_year"]] if first_stating is not None else 0.0,
        stated[:10].mean(),
    ], dtype=float)


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression on standardised features: what the JSON model file holds."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The log-odds of each row."""
        if not len(rows):
            return np.zeros(0)
        return ((rows - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept

    def to_json(self) -> dict:
        """Rounded to six decimals: far below what moves a ranking, and above the last-bit noise of a
        multithreaded fit, so the same data writes the same file."""
        def rounded(values: tuple[float, ...]) -> list[float]:
            return [round(value, 6) for value in values]

        return {"names": list(self.names), "mean": rounded(self.mean), "scale": rounded(self.scale),
                "coef": rounded(self.coef), "intercept": round(self.intercept, 6)}

    @classmethod
    def from_json(cls, data: dict) -> Linear:
        return cls(tuple(data["names"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
                   float(data["intercept"]))


@dataclass(frozen=True)
class Ranker:
    """The sentence model, the refusal model and the refusal threshold, fitted together."""

    sentences: Linear
    refusal: Linear
    threshold: float  # refuse a part whose probability of being answered is below this

    def to_json(self) -> dict:
        return {"sentences": self.sentences.to_json(), "refusal": self.refusal.to_json(),
                "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict) -> Ranker:
        return cls(Linear.from_json(data["sentences"]), Linear.from_json(data["refusal"]), float(data["threshold"]))

    def answered(self, row: np.ndarray) -> float:
        """The probability that the part's best sentences state what is asked."""
        return float(1 / (1 + math.exp(-float(self.refusal.score(row[None, :])[0]))))


@lru_cache(maxsize=1)
def committed_ranker() -> Ranker:
    """The model fitted on every question set, as committed."""
    return Ranker.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


_current: contextvars.ContextVar[Ranker | None] = contextvars.ContextVar("ranker", default=None)


def current_ranker() -> Ranker:
    """The ranker in use: the committed one, unless the eval scores a set with one not fitted on it."""
    return _current.get() or committed_ranker()


@contextlib.contextmanager
def using(ranker: Ranker) -> Iterator[None]:
    """Answer with ``ranker`` inside the block (the eval's leave-one-set-out models)."""
    token = _current.set(ranker)
    try:
        yield
    finally:
        _current.reset(token)


__all__ = ["PART_FEATURES", "SENTENCE_FEATURES", "Asked", "Linear", "Ranker", "committed_ranker",
           "current_ranker", "fold", "part_features", "sentence_features", "using"]
