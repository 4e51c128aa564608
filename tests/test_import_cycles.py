"""No import circles in portal/ (issue #13): a module never needs, even lazily, a module that needs it.

Every import counts — at the top or inside a function — and importing `a.b.c` also runs the package
`a.b`'s __init__. Only the root package `portal` (the app factory, which loads everything) is left
out. A circle shows as the modules on it.
"""
from __future__ import annotations

from pathlib import Path

from tools.import_graph import imported_names

ROOT = Path(__file__).resolve().parents[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "portal").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    def targets(name: str) -> set[str]:
        """The module `name` names (or the nearest package that holds it), and its packages."""
        while name and name not in mods:
            name = name.rpartition(".")[0]
        result = set()
        while name and name != "portal":
            result.add(name)
            name = name.rpartition(".")[0]
        return result

    graph = {}
    for module, path in mods.items():
        edges: set[str] = set()
        for name in imported_names(path.read_text(encoding="utf-8")):
            if name.startswith("portal."):
                edges |= targets(name)
        own_packages = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
        graph[module] = edges - {module} - own_packages
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_portal_has_no_import_circles():
    assert cycles(import_graph(modules())) == []
