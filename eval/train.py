"""``python -m eval.train``: fit the answer model on every question set and write assistant/ranker.json.

Training rows are the candidate sentences ``assistant.candidates.gather`` finds
for each question part, with the features the answerer computes. A sentence is
a positive when it holds one of the question's key facts (both normalised) or
is one of the sentences a set names as its evidence. Two logistic regressions
(scikit-learn) are fitted: one scores sentences, one gives the probability that a
part's best candidates state what is asked (answerable questions against the
unanswerable ones). The refusal threshold is chosen on held-out figures: each
training set is scored by a model fitted on the others, and the threshold is the
highest on a coarse grid whose false refusals there stay within REFUSAL_BUDGET.

Deterministic (lbfgs, no sampling) and fast: the features of a set are gathered
once per process and cached, and a fit takes well under a second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.candidates import asked_for, gather
from assistant.question import plan_search
from assistant.ranking import MODEL_PATH, PART_FEATURES, SENTENCE_FEATURES, Linear, Ranker, part_features
from assistant.retrieval import HybridRetriever
from assistant.spelling import in_material_spelling

# Share of answerable questions the refusal model may refuse on the held-out sets it is chosen on.
REFUSAL_BUDGET = 0.02
# Coarse steps; 0 refuses nothing, for when the held-out sets show that refusing costs more than it gains.
THRESHOLD_GRID = tuple(round(0.05 * step, 2) for step in range(19))
# Regularisation of both regressions: scikit-learn's default.
C = 1.0


@dataclass
class PartRows:
    """The gathered candidates of one question part, and what the question's gold says of them."""

    question: str
    answerable: bool
    rows: np.ndarray
    labels: np.ndarray
    items: np.ndarray  # each row's item, by its place in retrieval
    refused_by_rules: bool
    asked: object
    unknown_share: float
    english: bool


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def labels_for(texts: list[str], row: dict) -> np.ndarray:
    facts = [_normalise(fact) for fact in row.get("key_facts", []) if fact.strip()]
    evidence = [_normalise(text) for text in row.get("evidence", []) if text.strip()]
    out = []
    for text in texts:
        sentence = _normalise(text)
        out.append(any(fact in sentence for fact in facts)
                   or any(e in sentence or (len(sentence) > 20 and sentence in e) for e in evidence))
    return np.asarray(out, dtype=bool)


def gather_rows(retriever: HybridRetriever, rows: Iterable[dict]) -> list[PartRows]:
    """Every part of every question, with its candidates' feature rows and labels."""
    from assistant.policy import decide, unknown_share

    gathered = []
    for row in rows:
        question = in_material_spelling(row["question"], retriever)
        outcome = decide(retriever, question, plan_search(row["question"]), weigh=False)
        analysis = outcome.analysis
        share = unknown_share(retriever, analysis)
        for part in outcome.parts:
            asked = asked_for(retriever, analysis, part.part)
            evidence = gather(retriever, asked, part.retrieved, None)
            texts = [c.text for c in evidence.candidates]
            matrix = np.asarray([c.row for c in evidence.candidates]).reshape(-1, len(SENTENCE_FEATURES))
            places = np.asarray([c.rank for c in evidence.candidates], dtype=int)
            gathered.append(PartRows(row["question"], bool(row["answerable"]), matrix, labels_for(texts, row),
                                     places, part.refused, asked, share, analysis.english))
    return gathered


def _linear(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], balanced: bool = False) -> Linear:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if len(set(y.tolist())) < 2:  # one class only (a small set): a constant model that says what it saw
        zeros = tuple(0.0 for _ in names)
        return Linear(names, zeros, tuple(1.0 for _ in names), zeros, 10.0 if y.all() else -10.0)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced" if balanced else None)
    model.fit((x - scaler.mean_) / scale, y)
    return Linear(names, tuple(float(v) for v in scaler.mean_), tuple(float(v) for v in scale),
                  tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]))


def _part_matrix(parts: list[PartRows], sentences: Linear) -> np.ndarray:
    matrix = []
    for part in parts:
        scores = sentences.score(part.rows)
        order = np.argsort(-scores, kind="stable")
        matrix.append(part_features(list(scores[order]), part.rows[order], part.asked, part.unknown_share,
                                    part.english))
    return np.asarray(matrix)


def fit_models(parts: list[PartRows]) -> tuple[Linear, Linear]:
    """The sentence model, then the refusal model over part features scored by it."""
    # The model orders the sentences of one item (which item answers is retrieval's and the policy's choice):
    # it learns from the items that hold a key fact.
    answerable = [p for p in parts if p.answerable and p.labels.any()]
    keep = [np.isin(p.items, p.items[p.labels]) for p in answerable]
    x = np.vstack([p.rows[k] for p, k in zip(answerable, keep, strict=True)])
    y = np.concatenate([p.labels[k] for p, k in zip(answerable, keep, strict=True)])
    sentences = _linear(x, y, SENTENCE_FEATURES)
    # The refusal model weighs what the rules let through: the parts they answer.
    weighed = [p for p in parts if not p.refused_by_rules]
    refusal = _linear(_part_matrix(weighed, sentences), np.asarray([p.answerable for p in weighed]), PART_FEATURES,
                      balanced=True)
    return sentences, refusal


def choose_threshold(held_out: list[tuple[bool, float]]) -> float:
    """The grid threshold that gets most held-out parts right (refused exactly when unanswerable) while its
    refusals of answerable parts stay within REFUSAL_BUDGET; the lowest among equals."""
    answerable = [p for a, p in held_out if a]

    def right(threshold: float) -> int:
        return sum((p < threshold) != a for a, p in held_out)

    allowed = [t for t in THRESHOLD_GRID
               if not answerable or sum(p < t for p in answerable) / len(answerable) <= REFUSAL_BUDGET]
    return max(allowed, key=lambda t: (right(t), -t))


def held_out_probabilities(by_set: dict[str, list[PartRows]]) -> list[tuple[bool, float]]:
    """Each set's parts scored by models fitted on the other sets."""
    scored = []
    for name, parts in by_set.items():
        others = [p for other, rows in by_set.items() if other != name for p in rows]
        sentences, refusal = fit_models(others)
        ranker = Ranker(sentences, refusal, 0.0)
        weighed = [p for p in parts if not p.refused_by_rules]
        scored += [(p.answerable, ranker.answered(row)) for p, row in zip(weighed, _part_matrix(weighed, sentences),
                                                                           strict=True)]
    return scored


def fit(by_set: dict[str, list[PartRows]]) -> Ranker:
    """The ranker fitted on every set given, its threshold chosen on their held-out probabilities."""
    sentences, refusal = fit_models([p for parts in by_set.values() for p in parts])
    threshold = choose_threshold(held_out_probabilities(by_set)) if len(by_set) > 1 else THRESHOLD_GRID[0]
    return Ranker(sentences, refusal, threshold)


_gathered: dict[tuple[int, str | None, str], list[PartRows]] = {}


def gathered_set(retriever: HybridRetriever, path: Path) -> list[PartRows]:
    """A set's training rows, gathered once per process and index version."""
    from eval.runner import load_golden

    key = (id(retriever), retriever.version, str(path))
    if key not in _gathered:
        _gathered[key] = gather_rows(retriever, load_golden(path))
    return _gathered[key]


_fitted: dict[tuple, Ranker] = {}


def loso_rankers(retriever_for: Callable[[Path], HybridRetriever], paths: Iterable[Path], held_out: Path) -> Ranker:
    """The ranker fitted on every set of ``paths`` but ``held_out`` (leave one set out), once per process;
    ``retriever_for`` names the index each set is answered from."""
    paths = tuple(paths)
    key = (tuple((id(retriever_for(path)), retriever_for(path).version) for path in paths), held_out.name, paths)
    if key not in _fitted:
        by_set = {path.name: gathered_set(retriever_for(path), path) for path in paths if path.name != held_out.name}
        _fitted[key] = fit(by_set)
    return _fitted[key]


def main(argv: list[str] | None = None) -> int:
    import settings
    from eval.runner import TRAINING_SETS, available_sets, build_retrievers

    parser = argparse.ArgumentParser(prog="python -m eval.train")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    config = settings.get_settings()
    retriever_for = build_retrievers(config)
    by_set = {path.name: gathered_set(retriever_for(path), path) for path in available_sets(TRAINING_SETS)}
    ranker = fit(by_set)
    args.out.write_text(json.dumps(ranker.to_json(), indent=1) + "\n", encoding="utf-8")
    rows = sum(len(p.rows) for parts in by_set.values() for p in parts)
    print(f"{len(by_set)} sets, {rows} candidate sentences; refusal threshold {ranker.threshold}; wrote {args.out}")
    for name, weight in sorted(zip(SENTENCE_FEATURES, ranker.sentences.coef, strict=True), key=lambda x: -abs(x[1])):
        print(f"  {name:<24}{weight:+.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
