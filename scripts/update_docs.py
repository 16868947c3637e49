"""Write the generated tables into README.md and docs/: ``python scripts/update_docs.py [--check]``.

Each table sits between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``
and comes from the code or from a committed result file, never from typing:
the settings from ``settings.SPECS``, the eval figures from ``eval/figures.json``
(written by ``python -m eval --all``), the benchmark from ``eval/bench.json``
(written by ``python -m eval.bench --json``). ``--check`` exits 1 when a committed
table differs from what would be generated; the test suite runs it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import settings

FIGURES = ROOT / "eval" / "figures.json"
BENCH = ROOT / "eval" / "bench.json"
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "eval.md", ROOT / "docs" / "benchmarks.md")
BLOCK_RE = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.DOTALL)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _figures_table() -> str:
    from eval.report import figures_table

    return figures_table(_load(FIGURES))


def _kinds_table() -> str:
    from eval.report import kinds_table

    return kinds_table(_load(FIGURES))


def _bench_tables() -> str:
    from eval.bench import markdown

    return markdown(_load(BENCH))


GENERATORS: dict[str, Callable[[], str]] = {
    "settings": settings.settings_table,
    "figures": _figures_table,
    "kinds": _kinds_table,
    "bench": _bench_tables,
}


def render(text: str) -> str:
    """``text`` with every generated block replaced by what its generator gives now."""

    def replace(match: re.Match) -> str:
        generator = GENERATORS.get(match["name"])
        if generator is None:
            raise SystemExit(f"unknown generated block: {match['name']}")
        return f"{match[1]}{generator().rstrip()}\n{match[4]}"

    return BLOCK_RE.sub(replace, text)


def stale_documents() -> list[Path]:
    return [path for path in DOCUMENTS if path.is_file() and render(path.read_text(encoding="utf-8"))
            != path.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/update_docs.py")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed table is out of date")
    args = parser.parse_args(argv)
    stale = stale_documents()
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python scripts/update_docs.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
