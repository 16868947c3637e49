"""The eval's figures as Markdown tables, from the summary the runner writes to ``eval/figures.json``.

The README and docs/eval.md show these tables; scripts/update_docs.py puts
them there, so a figure is never typed by hand.
"""

from __future__ import annotations

COLUMNS = (
    ("hit@5", "retrieval", "hit@5", ".2f"),
    ("right item cited", "answers", "citation_accuracy", ".2f"),
    ("key facts", "answers", "key_fact_recall", ".2f"),
    ("near misses refused", "answers", "unanswerable_recall", ".2f"),
    ("answerable refused", "answers", "false_refusal_rate", ".3f"),
    ("median words, one fact", "answers", "median_single_fact_words", ".0f"),
    ("median words, history", "answers", "median_history_words", ".0f"),
)


def _cell(figures: dict, group: str, key: str, fmt: str) -> str:
    value = figures.get(group, {}).get(key)
    return "–" if value is None else format(value, fmt)


def _table(first: str, rows: dict[str, dict]) -> str:
    lines = [f"| {first} | questions | " + " | ".join(title for title, *_ in COLUMNS) + " |",
             "|---|---:|" + "---:|" * len(COLUMNS)]
    for name, figures in rows.items():
        cells = [_cell(figures, group, key, fmt) for _, group, key, fmt in COLUMNS]
        lines.append(f"| {name} | {figures.get('questions', '–')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figures_table(figures: dict) -> str:
    """One row per question set, each scored by a model fitted without it."""
    if not figures.get("sets"):
        return "No eval has been recorded (`python -m eval --all`)."
    return _table("set", figures["sets"])


def kinds_table(figures: dict) -> str:
    """One row per question style, pooled over every set (each question scored without its own set)."""
    if not figures.get("kinds"):
        return "No eval has been recorded (`python -m eval --all`)."
    return _table("style", figures["kinds"])
