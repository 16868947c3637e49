"""The reader of meeting documents knows layouts by their cues, never by whose they are.

No string the code of index/ matches against or lists (regexes, names, sets)
and no identifier may name a council, a committee or a file of the real
documents it is tested on: a rule keyed to one of them would read that
document right and the next council's wrong. Docstrings and comments may
quote them as examples; they are not code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from settings import REPO_ROOT

INDEX = REPO_ROOT / "index"
REALWORLD_DOCS = REPO_ROOT.parent / "shared" / "realworld" / "docs"
COUNCILS = ("ballerup", "syddjurs", "aarhus", "århus", "greve", "skovlunde", "kaløvig")
COMMITTEES = (
    "sundheds- og forebyggelsesudvalg", "udvalget for plan", "puk", "mødesystemgruppen", "teknisk udvalg",
    "kultur- og fritidsudvalg", "byråd 2022-2025", "aarhus byråd", "syddanmark",
)
PUBLISHERS = ("firstagenda", "first agenda", "edoc", "acadre", "getorganized", "adlib", "aspose")


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants and identifiers of a module, without its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            found.append((node.lineno, node.id))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.append((node.lineno, node.name))
        elif isinstance(node, ast.alias):
            found.append((getattr(node, "lineno", 0), node.name))
    return found


def _real_file_names() -> tuple[str, ...]:
    if not REALWORLD_DOCS.is_dir():
        return ()
    return tuple(name for path in REALWORLD_DOCS.iterdir() for name in (path.name.lower(), path.stem.lower()))


@pytest.mark.parametrize("path", sorted(INDEX.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_code_in_index_names_a_council_committee_publisher_or_file(path):
    words = COUNCILS + COMMITTEES + PUBLISHERS + _real_file_names()
    offending = [(line, text) for line, text in _code_strings(path)
                 for word in words if word in text.lower()
                 and not (word == "puk" and "puk" not in text.lower().split())]
    assert offending == [], f"{path.name} names a source in code: {offending}"


def test_one_reader_for_every_layout():
    """The items are read by one cue-driven reader; the fallback cuts what has none."""
    modules = sorted(path.stem for path in (INDEX / "layouts").glob("*.py"))
    assert modules == ["__init__", "fallback", "items"]
