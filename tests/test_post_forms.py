"""Every view that accepts POST reads its input through a Flask-WTF form (validation, CSRF, one place for
the field rules), never by parsing ``request.form`` by hand. Checked on the source so that a new view
cannot slip past: the view, or a helper of its own module that it calls, builds a form."""
from __future__ import annotations

import ast
import pathlib
import re

PORTAL = pathlib.Path(__file__).resolve().parent.parent / "portal"
BUILDS_A_FORM = re.compile(r"\b\w*Form\(|\bquiz_form\(|validate_on_submit\(")
READS_THE_RAW_FORM = re.compile(r"request\.form\b(?!\))")


def _accepts_post(fn: ast.FunctionDef) -> bool:
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route":
            if any(k.arg == "methods" and "POST" in ast.unparse(k.value) for k in d.keywords):
                return True
    return False


def _post_views():
    for path in sorted(PORTAL.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for fn in functions.values():
            if _accepts_post(fn):
                yield path.relative_to(PORTAL.parent), fn, functions


def _source_with_helpers(fn: ast.FunctionDef, functions: dict) -> str:
    """The view's source and that of the module's own functions it calls (one level: `_with_reason`,
    `_query_args` and the like)."""
    called = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return "\n".join([ast.unparse(fn)] + [ast.unparse(functions[c]) for c in sorted(called) if c in functions])


def test_the_check_sees_the_post_views():
    names = {fn.name for _, fn, _ in _post_views()}
    assert len(names) >= 30 and {"login", "trainee_edit"} <= names


def test_every_post_view_builds_a_form_and_none_parses_request_form_by_hand():
    without_form, by_hand = [], []
    for path, fn, functions in _post_views():
        source = _source_with_helpers(fn, functions)
        if not BUILDS_A_FORM.search(source):
            without_form.append(f"{path}:{fn.lineno} {fn.name}")
        if READS_THE_RAW_FORM.search(ast.unparse(fn)):
            by_hand.append(f"{path}:{fn.lineno} {fn.name}")
    assert not without_form, "POST views without a form:\n" + "\n".join(without_form)
    assert not by_hand, "POST views reading request.form by hand:\n" + "\n".join(by_hand)
