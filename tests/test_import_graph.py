"""index/ is the lower layer: its modules import one another in one direction and never import assistant/.

Imports inside functions count too: a lazy import is still a dependency, and a
circle of lazy imports is how a half-initialised module gets used.
"""

from __future__ import annotations

import ast
from pathlib import Path

from settings import REPO_ROOT

INDEX = REPO_ROOT / "index"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in INDEX.rglob("*.py")}
    return {name: {target for target in _imports(path) if target in modules and target != name}
            for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target.startswith(f"{node}."):  # a package importing its own submodule is not a circle
                continue
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_index_has_no_import_circles():
    assert _cycle(import_graph()) is None


def test_index_never_imports_the_assistant():
    offenders = {name: sorted(t for t in _imports(path) if t == "assistant" or t.startswith("assistant."))
                 for name, path in ((_module_name(p), p) for p in INDEX.rglob("*.py"))}
    assert {name: targets for name, targets in offenders.items() if targets} == {}


def test_the_checker_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
