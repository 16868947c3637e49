"""The eval on the golden set, in CI: fails when a figure drops below eval/thresholds.json.

Thresholds are set from measured figures and only ever raised.
"""

from __future__ import annotations

import json

from eval.runner import THRESHOLDS, check_thresholds, evaluate, load_golden, summarise, write_report


def test_golden_set_scores_at_or_above_the_thresholds(corpus_index, tmp_path) -> None:
    from eval.quickstart import QuickstartBaseline

    golden = load_golden()
    assert len(golden) >= 60
    assert sum(not row["answerable"] for row in golden) >= 6
    results = evaluate(golden, corpus_index, QuickstartBaseline(corpus_index.config.corpus_dir))
    summary = summarise(results)
    write_report(summary, results, tmp_path / "report.md")
    failures = check_thresholds(summary, json.loads(THRESHOLDS.read_text()))
    assert not failures, "\n".join(failures) + "\n" + (tmp_path / "report.md").read_text()


def test_thresholds_catch_a_drop() -> None:
    summary = {"retrieval": {"hybrid": {"hit@5": 0.5, "mrr": 0.4}}, "answers": {"refusal_accuracy": 0.2}}
    failures = check_thresholds(summary, {"hybrid": {"hit@5": 0.9}, "answers": {"refusal_accuracy": 0.8}})
    assert len(failures) == 2
