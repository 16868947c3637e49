"""Score the assistant on the golden set: retrieval per mode, the answers, refusals.

Retrieval is scored per agenda item (the unit a reader cites): hit@1, hit@5
and MRR over the answerable questions, for BM25 only, dense only, hybrid, the
pipeline (what the answers use: hybrid, but dense only for English questions)
and the llama-index quick-start baseline. Answers are scored by citation
accuracy (a gold item among the citations), key-fact recall (verbatim facts in
the answer) and refusal accuracy (refused exactly the unanswerable questions).

Refusal is reported as two figures, so that neither refusing everything nor
answering everything looks good: unanswerable recall (refused / unanswerable)
and the false-refusal rate (refused / answerable). The median length of an
answered single-fact question, and of an answered history, shows whether answers stay short.

Each question set has its own floors in ``thresholds.json``; where each set
comes from and which are fitted on is in docs/eval.md. Sets in ``WHOLE_ONLY``
are scored only as a whole: their reports carry no per-question results.
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.question import analyse, plan_search
from assistant.ranking import Ranker, using
from assistant.retrieval import HybridRetriever
from assistant.service import ask
from index.identity import display_name
from settings import get_settings

EVAL_DIR = Path(__file__).resolve().parent
GOLDEN = EVAL_DIR / "golden.jsonl"
HOLDOUT = EVAL_DIR / "holdout.jsonl"
FRESH = EVAL_DIR / "fresh.jsonl"
UNSEEN = EVAL_DIR / "unseen.jsonl"
STYLES_A = EVAL_DIR / "styles_a.jsonl"
STYLES_B = EVAL_DIR / "styles_b.jsonl"
REALWORLD_TRAIN = EVAL_DIR / "realworld_train.jsonl"
REALWORLD = EVAL_DIR / "realworld.jsonl"
# Real meeting documents of other councils and publishers, beside the repository (CI has them there too).
REALWORLD_DOCS = EVAL_DIR.parent.parent / "shared" / "realworld" / "docs"
QUESTION_SETS = (GOLDEN, HOLDOUT, FRESH, UNSEEN, STYLES_A, STYLES_B, REALWORLD_TRAIN, REALWORLD)
# Sets whose questions are about the real documents: scored only where those documents are.
NEEDS_REALWORLD = {REALWORLD_TRAIN.name, REALWORLD.name}
# The sets the answer model is fitted on, each scored by a model fitted on the others. The questions on the real
# documents in realworld.jsonl are never fitted on: they check how the answerer does on documents and questions
# that no fit has seen.
TRAINING_SETS = tuple(path for path in QUESTION_SETS if path != REALWORLD)
# Sets scored only as a whole: nobody reads (or commits) their per-question misses.
WHOLE_ONLY = {FRESH.name, UNSEEN.name, STYLES_A.name, STYLES_B.name, REALWORLD_TRAIN.name, REALWORLD.name}
# Kinds whose answer is one fact (a name, a figure, a date, a decision): these answers should be short.
SINGLE_FACT_KINDS = {"fact", "english", "keyword", "typed", "context"}
THRESHOLDS = EVAL_DIR / "thresholds.json"
FIGURES = EVAL_DIR / "figures.json"
RETRIEVAL_MODES = ("bm25", "dense", "hybrid", "pipeline", "quickstart")


@dataclass
class QuestionResult:
    id: str
    kind: str
    answerable: bool
    gold: list[tuple[str, str]]
    ranks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    citations: list[tuple[str, str]] = field(default_factory=list)
    refused: bool = False
    key_facts: list[str] = field(default_factory=list)
    facts_found: int = 0
    answer: str = ""
    seconds: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    english: bool = False


# Which index answers each set: the bundled corpus alone, or with the real documents beside it.
Retrievers = Callable[[Path], HybridRetriever]


def document_folders(corpus_dir: Path) -> list[Path]:
    """What the index of the sets on the real documents holds: the bundled corpus and those documents, as a
    user's index holds the bundled corpus and what the user added."""
    return [corpus_dir, *([REALWORLD_DOCS] if REALWORLD_DOCS.is_dir() else [])]


def retrievers(corpus: HybridRetriever, with_realworld: HybridRetriever | None) -> Retrievers:
    """The corpus sets are answered from the corpus alone, the sets on the real documents from both."""
    return lambda path: with_realworld if path.name in NEEDS_REALWORLD and with_realworld else corpus


def build_retrievers(config) -> Retrievers:
    """The eval's indexes built (incrementally): the corpus in the data dir, with the real documents beside it."""
    import dataclasses

    from index.store import build_index

    build_index([config.corpus_dir], config=config)
    corpus = HybridRetriever(config)
    if not REALWORLD_DOCS.is_dir():
        return retrievers(corpus, None)
    wider = dataclasses.replace(config, data_dir=config.data_dir / "with-realworld")
    build_index(document_folders(config.corpus_dir), config=wider)
    return retrievers(corpus, HybridRetriever(wider))


def available_sets(sets: tuple[Path, ...] = QUESTION_SETS) -> tuple[Path, ...]:
    """The sets whose documents are present."""
    return tuple(path for path in sets if path.name not in NEEDS_REALWORLD or REALWORLD_DOCS.is_dir())


def load_golden(path: Path = GOLDEN) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def evaluate(golden: list[dict], retriever: HybridRetriever, baseline=None, ranker: Ranker | None = None
             ) -> list[QuestionResult]:
    """Score each question; with ``ranker``, answer with that model instead of the committed one."""
    with using(ranker) if ranker is not None else contextlib.nullcontext():
        return [_evaluate_one(row, retriever, baseline) for row in golden]


def evaluate_held_out(golden: Path, retriever_for: Retrievers, baseline=None) -> list[QuestionResult]:
    """Score a set with the model fitted on every other training set (leave one set out)."""
    from eval.train import loso_rankers

    return evaluate(load_golden(golden), retriever_for(golden), baseline,
                    loso_rankers(retriever_for, available_sets(TRAINING_SETS), golden))


def _evaluate_one(row: dict, retriever: HybridRetriever, baseline) -> QuestionResult:
    gold = [(s["source"], s["item"]) for s in row.get("sources", [])]
    result = QuestionResult(row["id"], row.get("kind", ""), bool(row["answerable"]), gold,
                            key_facts=list(row.get("key_facts", [])))
    plan = plan_search(row["question"])
    analysis = analyse(row["question"], retriever.committees(), get_settings().committee)
    decision, result.english = analysis.decision, analysis.english
    for mode in ("bm25", "dense", "hybrid"):
        found = retriever.retrieve_items(row["question"], plan.filters, mode=mode, prefer=plan.prefer, decision=decision)
        result.ranks[mode] = [_key(item.key) for item in found]
    started = time.perf_counter()
    answer = ask(row["question"], retriever=retriever, use_llm=False)
    result.seconds = time.perf_counter() - started
    result.ranks["pipeline"] = [_key(item.key) for item in answer.retrieved]
    if baseline is not None:
        result.ranks["quickstart"] = baseline.retrieve_items(row["question"])
    result.citations = [_key((c.source, c.item)) for c in answer.citations]
    result.refused = answer.refused
    result.answer = answer.text
    text = _normalise(answer.text)
    result.facts_found = sum(_normalise(fact) in text for fact in result.key_facts)
    if answer.relevance is not None:
        result.dense, result.lexical = answer.relevance.dense, answer.relevance.lexical
    return result


def _key(key: tuple[str, str]) -> tuple[str, str]:
    """(file name, item): a question set names documents by file name, the index by where they live."""
    return display_name(key[0]), key[1]


def _rank(ranked: list[tuple[str, str]], gold: list[tuple[str, str]]) -> int | None:
    return next((index + 1 for index, key in enumerate(ranked) if key in gold), None)


def retrieval_metrics(results: list[QuestionResult], mode: str) -> dict[str, float]:
    scored = [r for r in results if r.answerable and mode in r.ranks]
    if not scored:
        return {}
    ranks = [_rank(r.ranks[mode], r.gold) for r in scored]
    return {
        "hit@1": sum(1 for k in ranks if k == 1) / len(ranks),
        "hit@5": sum(1 for k in ranks if k and k <= 5) / len(ranks),
        "mrr": sum(1 / k for k in ranks if k) / len(ranks),
    }


def answer_metrics(results: list[QuestionResult]) -> dict[str, float]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    facts = sum(len(r.key_facts) for r in answerable)
    metrics = {"refusal_accuracy": sum(r.refused != r.answerable for r in results) / max(len(results), 1)}
    if unanswerable:
        metrics["unanswerable_recall"] = sum(r.refused for r in unanswerable) / len(unanswerable)
    if answerable:
        metrics["false_refusal_rate"] = sum(r.refused for r in answerable) / len(answerable)
    single = [r for r in answerable if r.kind in SINGLE_FACT_KINDS and not r.refused]
    if single:
        metrics["median_single_fact_words"] = float(statistics.median(_words(r.answer) for r in single))
    if answerable:
        metrics["citation_accuracy"] = sum(any(c in r.gold for c in r.citations) for r in answerable) / len(answerable)
        metrics["key_fact_recall"] = sum(r.facts_found for r in answerable) / max(facts, 1)
    histories = [r for r in answerable if r.kind == "precedent"]
    answered_histories = [r for r in histories if not r.refused]
    if answered_histories:  # a history lists meetings; its length shows whether it quotes more than it must
        metrics["median_history_words"] = float(statistics.median(_words(r.answer) for r in answered_histories))
    if histories:  # a history should cite every item that treated the topic, and little else
        metrics["precedent_source_recall"] = sum(_share(r.gold, r.citations) for r in histories) / len(histories)
        metrics["precedent_source_precision"] = sum(_share(r.citations, r.gold) for r in histories) / len(histories)
    return metrics


def _words(answer: str) -> int:
    """Words of an answer's text, citation markers not counted."""
    return len(re.sub(r"\[\d+\]", " ", answer).split())


def _share(of: list[tuple[str, str]], among: list[tuple[str, str]]) -> float:
    """The share of ``of`` found in ``among``."""
    return len(set(of) & set(among)) / len(set(of)) if of else 0.0


def summarise(results: list[QuestionResult]) -> dict:
    by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    return {
        "questions": len(results),
        "retrieval": {mode: retrieval_metrics(results, mode) for mode in RETRIEVAL_MODES},
        "answers": answer_metrics(results),
        "by_kind": {
            kind: {"n": len(rows), **retrieval_metrics(rows, "pipeline"), **answer_metrics(rows)}
            for kind, rows in sorted(by_kind.items())
        },
    }


def report_path(golden: Path) -> Path:
    """eval/report.md for the golden set, eval/report-<name>.md for the others."""
    return EVAL_DIR / ("report.md" if golden.name == GOLDEN.name else f"report-{golden.stem}.md")


def thresholds_for(golden: Path) -> dict:
    """The floors for one question set, keyed by its file name in thresholds.json."""
    return json.loads(THRESHOLDS.read_text(encoding="utf-8")).get(golden.name, {})


# Figures where lower is better: their threshold is a ceiling, not a floor.
CEILINGS = {"false_refusal_rate", "median_single_fact_words", "median_history_words"}


def check_thresholds(summary: dict, thresholds: dict) -> list[str]:
    """Every figure past its floor (or ceiling), as readable lines; empty when all pass."""
    failures = []
    for group, floors in thresholds.items():
        for name, limit in floors.items():
            actual = summary["answers"].get(name) if group == "answers" else summary["retrieval"].get(group, {}).get(name)
            if actual is None:
                failures.append(f"{group}.{name} is missing (limit {limit})")
            elif name in CEILINGS and actual > limit + 1e-9:
                failures.append(f"{group}.{name} = {actual} > {limit}")
            elif name not in CEILINGS and actual + 1e-9 < limit:
                failures.append(f"{group}.{name} = {actual} < {limit}")
    return failures


def write_report(summary: dict, results: list[QuestionResult], path: Path, golden: Path = GOLDEN) -> None:
    lines = ["# Eval report", "", f"{summary['questions']} questions (`eval/{golden.name}`).", "",
             "## Retrieval (item level, answerable questions)", "",
             "| mode | hit@1 | hit@5 | MRR |", "|---|---|---|---|"]
    for mode, metrics in summary["retrieval"].items():
        if metrics:
            lines.append(f"| {mode} | {metrics['hit@1']:.3f} | {metrics['hit@5']:.3f} | {metrics['mrr']:.3f} |")
    answers = summary["answers"]
    lines += ["", "## Answers (pipeline + extractive answerer)", "", "| figure | value |", "|---|---|"]
    lines += [f"| {name} | {value:.3f} |" for name, value in answers.items()]
    lines += ["", "## Per question kind", "",
              ("| kind | n | hit@1 | hit@5 | MRR | citation acc. | key-fact recall | unanswerable recall "
               "| false refusals |"),
              "|---|---|---|---|---|---|---|---|---|"]
    for kind, m in summary["by_kind"].items():
        def cell(name: str, metrics: dict = m) -> str:
            return f"{metrics[name]:.3f}" if name in metrics else "–"
        lines.append(f"| {kind} | {m['n']} | {cell('hit@1')} | {cell('hit@5')} | {cell('mrr')} | "
                     f"{cell('citation_accuracy')} | {cell('key_fact_recall')} | {cell('unanswerable_recall')} | "
                     f"{cell('false_refusal_rate')} |")
    if golden.name in WHOLE_ONLY:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    misses = [r for r in results if (r.answerable and (r.refused or not any(c in r.gold for c in r.citations)))
              or (not r.answerable and not r.refused)]
    if misses:
        lines += ["", "## Misses", ""]
        lines += [f"- {r.id} ({r.kind}): refused={r.refused}, citations={r.citations}, gold={r.gold}" for r in misses]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _figures(results: list[QuestionResult]) -> dict:
    summary = summarise(results)
    return {"questions": len(results), "retrieval": {"hit@5": summary["retrieval"]["pipeline"].get("hit@5")},
            "answers": summary["answers"]}


def figures(by_set: dict[Path, list[QuestionResult]]) -> dict:
    """What eval/figures.json records: each set's figures, and each question style's pooled over the sets
    (every question answered by a model fitted without its own set)."""
    by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
    for results in by_set.values():
        for result in results:
            by_kind[result.kind].append(result)
    return {"sets": {path.stem: _figures(results) for path, results in by_set.items()},
            "kinds": {kind: _figures(results) for kind, results in sorted(by_kind.items())}}
