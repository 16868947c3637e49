"""The sweep behind the relevance thresholds in assistant/relevance.py, on eval/golden.jsonl only.

Every question is answered once; its relevance signals (the best item's dense
cosine and lexical coverage) are kept, and the relevance gate is replayed
over a grid of thresholds. A question refused for another reason (no sentence
states what is asked, a named meeting that does not exist) stays refused; one
refused by the gate alone is counted as answered where a looser gate lets it
through. The printed table gives unanswerable recall and the false-refusal
rate for each setting, so a threshold is chosen in view of both, at two decimals.
"""

from __future__ import annotations

from itertools import product

from eval.runner import QuestionResult

DENSE_STRONG = (0.83, 0.84, 0.85, 0.86, 0.87, 0.88)
DENSE_MIN = (0.78, 0.79, 0.80, 0.81, 0.82)
LEXICAL_MIN = (0.3, 0.4, 0.5, 0.6, 0.7)


def sweep(results: list[QuestionResult], current: tuple[float, float, float]) -> list[dict]:
    rows = []
    for strong, low, lexical in product(DENSE_STRONG, DENSE_MIN, LEXICAL_MIN):
        if low > strong:
            continue
        refused = [_refused(r, strong, low, lexical, current) for r in results]
        rows.append({
            "dense_strong": strong, "dense_min": low, "lexical_min": lexical,
            **_rates(results, refused),
        })
    return rows


def _refused(result: QuestionResult, strong: float, low: float, lexical: float,
             current: tuple[float, float, float]) -> bool:
    if result.english:  # English questions pass the gate on their own dense threshold, not swept here
        return result.refused
    passes_now = _passes(result, *current)
    passes = _passes(result, strong, low, lexical)
    if not passes:
        return True
    return result.refused if passes_now else False


def _passes(result: QuestionResult, strong: float, low: float, lexical: float) -> bool:
    return result.dense >= strong or (result.dense >= low and result.lexical >= lexical)


def _rates(results: list[QuestionResult], refused: list[bool]) -> dict[str, float]:
    unanswerable = [r for r, x in zip(results, refused, strict=True) if not r.answerable]
    answerable = [x for r, x in zip(results, refused, strict=True) if r.answerable]
    return {
        "unanswerable_recall": sum(refused[results.index(r)] for r in unanswerable) / max(len(unanswerable), 1),
        "false_refusal_rate": sum(answerable) / max(len(answerable), 1),
    }


def format_sweep(rows: list[dict], current: tuple[float, float, float]) -> str:
    lines = ["Relevance gate sweep on eval/golden.jsonl (current setting marked *)",
             f"{'strong':>7}{'min':>7}{'lexical':>9}{'unans.recall':>14}{'false refusals':>16}"]
    best = sorted(rows, key=lambda r: (r["false_refusal_rate"] > 0.03, -r["unanswerable_recall"],
                                       r["false_refusal_rate"]))
    def setting(row: dict) -> tuple[float, float, float]:
        return row["dense_strong"], row["dense_min"], row["lexical_min"]

    shown = best[:25] + [row for row in best[25:] if setting(row) == current]
    for row in shown:
        mark = "*" if setting(row) == current else " "
        lines.append(f"{row['dense_strong']:>7.2f}{row['dense_min']:>7.2f}{row['lexical_min']:>9.2f}"
                     f"{row['unanswerable_recall']:>14.3f}{row['false_refusal_rate']:>16.3f} {mark}")
    return "\n".join(lines)
