"""``python -m eval [--golden FILE | --all] [--json OUT] [--check] [--no-baseline] [--calibrate]``.

``--all`` scores every question set whose documents are present and writes
their figures, and the figures per question style pooled over the sets, to
eval/figures.json, from which scripts/update_docs.py generates the tables of
README.md and docs/eval.md.

Builds (or updates) the index of the bundled corpus, scores a question set
(eval/golden.jsonl unless --golden names another, e.g. eval/holdout.jsonl) with the
answer model fitted on every other training set (leave one set out),
prints one table, writes its report (eval/report.md, eval/report-holdout.md),
and with --check exits 1 when a figure falls below that set's floors in
eval/thresholds.json. ``--calibrate`` scores eval/golden.jsonl only and
prints the sweep the relevance thresholds were chosen by (eval/calibrate.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval")
    parser.add_argument("--golden", type=Path, default=None)
    parser.add_argument("--all", action="store_true", help="every set; writes eval/figures.json")
    parser.add_argument("--json", type=Path, default=None, help="write the figures and per-question results here")
    parser.add_argument("--check", action="store_true", help="fail when a figure is below the set's thresholds")
    parser.add_argument("--no-baseline", action="store_true", help="skip the llama-index quick-start baseline")
    parser.add_argument("--calibrate", action="store_true",
                        help="print the relevance-threshold sweep over eval/golden.jsonl (no other set is used)")
    args = parser.parse_args(argv)
    if args.calibrate:
        args.golden, args.no_baseline = None, True
    from index.chroma import store_error

    try:
        return _run(args)
    except Exception as error:  # a Chroma server that does not answer is one line, as in the other CLIs
        if (unavailable := store_error(error)) is None:
            raise
        print(f"fejl: {unavailable}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from eval.quickstart import QuickstartBaseline
    from eval.runner import (
        GOLDEN,
        build_retrievers,
        check_thresholds,
        evaluate_held_out,
        report_path,
        summarise,
        thresholds_for,
        write_report,
    )

    config = settings.get_settings()
    retriever_for = build_retrievers(config)
    if args.all:
        return _run_all(retriever_for, args.check)
    baseline = None if args.no_baseline else QuickstartBaseline(config.corpus_dir)
    golden = args.golden or GOLDEN
    results = evaluate_held_out(golden, retriever_for, baseline)
    summary = summarise(results)
    print(format_summary(summary))
    if args.calibrate:
        from assistant import relevance
        from eval.calibrate import format_sweep, sweep

        current = (relevance.DENSE_STRONG, relevance.DENSE_MIN, relevance.LEXICAL_MIN)
        print()
        print(format_sweep(sweep(results, current), current))
    write_report(summary, results, report_path(golden), golden)
    if args.json:
        payload = {"summary": summary, "results": [r.__dict__ for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=list), encoding="utf-8")
    if args.check:
        failures = check_thresholds(summary, thresholds_for(golden))
        for failure in failures:
            print(f"BELOW THRESHOLD: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


def _run_all(retriever_for, check: bool) -> int:
    """Every available set, each by a model fitted without it; the figures to eval/figures.json."""
    from eval.runner import (
        FIGURES,
        available_sets,
        check_thresholds,
        evaluate_held_out,
        figures,
        report_path,
        summarise,
        thresholds_for,
        write_report,
    )

    by_set, failures = {}, []
    for path in available_sets():
        results = by_set[path] = evaluate_held_out(path, retriever_for)
        summary = summarise(results)
        write_report(summary, results, report_path(path), path)
        failures += [f"{path.name}: {failure}" for failure in check_thresholds(summary, thresholds_for(path))]
        print(f"{path.name}: {json.dumps(summary['answers'])}", flush=True)
    FIGURES.write_text(json.dumps(figures(by_set), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIGURES}")
    for failure in failures:
        print(f"BELOW THRESHOLD: {failure}", file=sys.stderr)
    return 1 if check and failures else 0


def format_summary(summary: dict) -> str:
    lines = [f"{'mode':<12}{'hit@1':>8}{'hit@5':>8}{'MRR':>8}"]
    for mode, m in summary["retrieval"].items():
        if m:
            lines.append(f"{mode:<12}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}{m['mrr']:>8.3f}")
    lines.append("")
    lines += [f"{name:<28}{value:>8.3f}" for name, value in summary["answers"].items()]
    lines.append("")
    lines.append(f"{'kind':<13}{'n':>3}{'hit@5':>8}{'MRR':>8}{'cite':>8}{'facts':>8}{'unans':>8}{'falsref':>8}")
    for kind, m in summary["by_kind"].items():
        names = ("hit@5", "mrr", "citation_accuracy", "key_fact_recall", "unanswerable_recall", "false_refusal_rate")
        cells = [m.get(k) for k in names]
        lines.append(f"{kind:<13}{m['n']:>3}" + "".join(f"{c:>8.3f}" if c is not None else f"{'–':>8}" for c in cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
