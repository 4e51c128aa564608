"""The portal's import graph, read from source with `ast`: one home for the cycle test, the floor test
(tests/test_import_cycles.py, tests/test_docs.py) and tools/restructure.py, which must agree on what
counts as an import. Standard library only; pure functions over source text."""
from __future__ import annotations

import ast
from collections.abc import Iterable


def imported_names(source: str) -> list[str]:
    """Every absolute name a module imports, at the top or inside a function: `import a.b` gives
    `a.b`, `from a.b import c` gives `a.b.c` (which may be a module or a name in `a.b`)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.extend(f"{node.module}.{a.name}" for a in node.names)
    return names


def nearest_module(name: str, modules: Iterable[str] | dict) -> str | None:
    """The portal module `name` names, or the nearest package that holds it (`portal.x.f` → `portal.x`)."""
    while name.startswith("portal.") and name not in modules:
        name = name.rpartition(".")[0]
    return name if name.startswith("portal.") else None


def portal_imports(source: str, modules: Iterable[str] | dict) -> set[str]:
    """The portal modules a module's source imports, most specific first."""
    return {m for m in (nearest_module(n, modules) for n in imported_names(source)) if m}


def floor_of(module: str, table: dict[str, int]) -> int | None:
    """The floor of a module: the number of the longest prefix in the floors table that holds it."""
    best = None
    for prefix, number in table.items():
        if module == prefix or (prefix != "portal" and module.startswith(prefix + ".")):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, number)
    return best[1] if best else None
