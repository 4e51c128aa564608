"""The audit log reads in Chinese: every action, every field of its details, and people by their 姓名.

Two checks. The code: every `record(...)` call's action and every key its before/after can carry (followed
through the helpers that build them) has a Chinese label. The log: a portal that has been used (the demo
state, the library, throttled logins, downloads, an export) is rendered as the 审计日志 renders it, and
no field name there is ASCII (「wait_seconds」, 「clauses_added」 were).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlalchemy as sa

from portal.audit.display import present
from portal.core.labels import ACTION_LABELS, FIELD_LABELS, OBJECT_TYPE_LABELS
from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import AuthActions, make_user
from tests.policy.conftest import copy_content

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
# Keys built at run time from a model's or a form's fields (a trainee's, the 培训工作安排's): the log check
# below records both and reads them back.
DYNAMIC = {("portal/training/roster.py", "plain_values"), ("portal/training/certificates.py", "save_arrangement")}


class _Keys:
    """The string keys an expression's dict can hold, following names, helpers and comprehensions
    inside portal/; what cannot be followed is reported as `unresolved`."""

    def __init__(self):
        self.trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in (ROOT / "portal").rglob("*.py")}
        self.functions = {}
        self.constants = {}
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append((path, node))
            for node in tree.body:  # module-level tuples of field names
                if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List)):
                    words = [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                    for target in node.targets:
                        if isinstance(target, ast.Name) and len(words) == len(node.value.elts):
                            self.constants[target.id] = set(words)
        self.unresolved: list[str] = []

    def of(self, expr, scope, where: str, depth: int = 0) -> set[str]:
        if depth > 12 or expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
            return set()
        step = lambda e, s=scope: self.of(e, s, where, depth + 1)  # noqa: E731
        if isinstance(expr, ast.Dict):
            return {k.value for k in expr.keys if isinstance(k, ast.Constant)} | \
                set().union(*[step(v) for k, v in zip(expr.keys, expr.values, strict=True) if k is None])
        if isinstance(expr, (ast.BoolOp, ast.Tuple)):
            return set().union(*[step(v) for v in getattr(expr, "values", None) or expr.elts])
        if isinstance(expr, ast.IfExp):
            return step(expr.body) | step(expr.orelse)
        if isinstance(expr, ast.Subscript):
            inner = expr.value
            if isinstance(inner, ast.Name):  # before[code] where before = {code: fields(u) ...}
                comps = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign) and isinstance(n.value, ast.DictComp)
                         and any(isinstance(t, ast.Name) and t.id == inner.id for t in n.targets)]
                if comps:
                    return set().union(*[step(c.value) for c in comps])
            return step(inner)
        if isinstance(expr, ast.DictComp):
            return self._comprehension(expr, scope, where)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, where, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, scope, where, depth)
        self.unresolved.append(f"{where}: {ast.unparse(expr)[:70]}")
        return set()

    def _comprehension(self, expr, scope, where) -> set[str]:
        gen = expr.generators[0]
        if isinstance(gen.iter, ast.Name) and gen.iter.id in self.constants:
            return self.constants[gen.iter.id]
        for cond in gen.ifs:  # {k: v for k, v in x.items() if k in ("a", "b")}
            if isinstance(cond, ast.Compare) and isinstance(cond.ops[0], ast.In) and isinstance(cond.comparators[0], ast.Tuple):
                return {e.value for e in cond.comparators[0].elts if isinstance(e, ast.Constant)}
        if (where.split(":")[0], getattr(scope, "name", "")) not in DYNAMIC:
            self.unresolved.append(f"{where}: {ast.unparse(expr)[:70]}")
        return set()

    def _name(self, name, scope, where, depth) -> set[str]:
        keys, found = set(), False
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    names = [target] if isinstance(target, ast.Name) else getattr(target, "elts", [])
                    if any(isinstance(t, ast.Name) and t.id == name for t in names):
                        keys |= self.of(node.value, scope, where, depth + 1)
                        found = True
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name) and node.value.id == name and isinstance(node.slice, ast.Constant):
                keys.add(node.slice.value)
        # A parameter or a loop variable: its keys are those of what it is compared with (changed_fields).
        bound = [a.arg for a in getattr(scope, "args", ast.arguments(args=[])).args] + [
            n.id for loop in ast.walk(scope) if isinstance(loop, ast.For) for n in ast.walk(loop.target)
            if isinstance(n, ast.Name)]
        if not found and name not in bound:
            self.unresolved.append(f"{where}: name {name}")
        return keys

    def _call(self, expr, scope, where, depth) -> set[str]:
        name = getattr(expr.func, "id", getattr(expr.func, "attr", ""))
        if name == "changed_fields":
            return set().union(*[self.of(a, scope, where, depth + 1) for a in expr.args])
        if name not in self.functions:
            self.unresolved.append(f"{where}: call {ast.unparse(expr)[:70]}")
            return set()
        keys = set()
        here = [(path, f) for path, f in self.functions[name] if where.startswith(str(path.relative_to(ROOT)))]
        for path, function in here or self.functions[name]:  # the module's own function first
            inner = f"{path.relative_to(ROOT)}:{name}"
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and node.value is not None:
                    keys |= self.of(node.value, function, inner, depth + 1)
        return keys


def _record_calls(function: str = "record"):
    keys = _Keys()
    for path, tree in keys.trees.items():
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == function:
                scope = max((f for f in functions if f.lineno <= node.lineno <= f.end_lineno), key=lambda f: f.lineno)
                yield keys, path, node, scope


def _actions(keys: _Keys, first, scope) -> list[str]:
    """The action names a record() call can write: a literal, either branch of `a if … else b`, or a
    parameter of the enclosing function (its default and what every caller passes)."""
    if isinstance(first, ast.Constant):
        return [first.value]
    if isinstance(first, ast.IfExp):
        return [first.body.value, first.orelse.value]
    assert isinstance(first, ast.Name), ast.unparse(first)
    params = [a.arg for a in scope.args.args]
    index = params.index(first.id)
    defaults = dict(zip(params[len(params) - len(scope.args.defaults):], scope.args.defaults, strict=True))
    found = [defaults[first.id].value] if first.id in defaults else []
    for tree in keys.trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == scope.name:
                given = node.args[index] if len(node.args) > index else next(
                    (k.value for k in node.keywords if k.arg == first.id), None)
                if given is not None:
                    assert isinstance(given, ast.Constant), ast.unparse(node)
                    found.append(given.value)
    return found


def test_every_action_and_field_the_code_records_has_a_chinese_label():
    actions, fields, keys = {}, {}, None
    for keys, path, call, scope in _record_calls():
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        for value in _actions(keys, call.args[0], scope):
            actions[value] = where
        if isinstance(call.args[1], ast.Constant):
            fields.setdefault("object type " + call.args[1].value, where)
            assert CJK.search(OBJECT_TYPE_LABELS.get(call.args[1].value, "")), f"{where}: object type {call.args[1].value}"
        for kw in call.keywords:
            if kw.arg in ("before", "after"):
                for key in keys.of(kw.value, scope, where):
                    fields[key] = where
    for keys, path, call, scope in _record_calls("record_download"):  # (object_type, object_id, label, after)
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        after = call.args[3] if len(call.args) > 3 else next(k.value for k in call.keywords if k.arg == "after")
        for key in keys.of(after, scope, where):
            fields[key] = where  # an export's 「draft」 showed in English
    assert len(actions) > 40 and len(fields) > 60  # the walk found the log's vocabulary
    assert not keys.unresolved, f"record() details the check cannot follow: {keys.unresolved}"
    missing = {a: w for a, w in actions.items() if not CJK.search(ACTION_LABELS.get(a, ""))}
    assert not missing, f"actions without a Chinese name: {missing}"
    missing = {k: w for k, w in fields.items() if not k.startswith("object type ") and not CJK.search(FIELD_LABELS.get(k, ""))}
    assert not missing, f"fields without a Chinese name: {missing}"


def test_the_rendered_log_has_no_english_field_names_and_names_people(app, demo, tmp_path):
    """The demo state (duties, reports, training roster), the library, a throttled login, its clearance,
    a library import by a person and an export: every detail rendered with a Chinese field name."""
    from portal.security.throttle import PAIR

    make_user("victim", "staff")
    stranger = AuthActions(app.test_client())
    for _ in range(PAIR.free + 2):
        stranger.login("victim", "wrong-password")
    guard = AuthActions(app.test_client())
    make_user("guard", "security_admin")
    guard.login("guard")
    guard.post("/admin/login-protection/clear", {"scope": "pair", "username": "victim", "ip": "127.0.0.1"})
    librarian = AuthActions(app.test_client())
    make_user("librarian", "admin")
    librarian.login("librarian")
    app.config["CONTENT_DIR"] = str(copy_content(tmp_path))  # the register edit writes the register file
    _edit_a_register_entry(librarian)
    _change_the_training_arrangement(make_user("trainer-city", "trainer"))
    auditor = AuthActions(app.test_client())
    make_user("watcher", "auditor")
    auditor.login("watcher")
    assert auditor.client.get("/admin/audit/export.csv?actor=librarian").status_code == 200

    entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    views = present(entries)
    seen_actions = {e.action for e in entries}
    assert {"login_throttled", "clear_login_failures", "export_audit", "create", "update", "tick"} <= seen_actions
    assert "training_arrangement" in {e.object_type for e in entries}
    english = sorted({(v.action, k) for v in views for k, _ in v.before + v.after if not CJK.search(k)})
    assert not english, f"field names in English: {english}"
    assert all(CJK.search(v.action) for v in views)
    throttled = next(v for v in views if v.entry.action == "login_throttled")
    assert ("理由", "该账号在此地址连续失败") in throttled.after
    imported = [v for v in views if v.entry.actor_name == "librarian"]
    assert imported and all(v.actor == "测试librarian" for v in imported)  # the 姓名, not the login name
    exported = next(v for v in views if v.entry.action == "export_audit")
    assert ("操作人", "测试librarian") in exported.after and ("文件格式", "CSV 文本") in exported.after


def _change_the_training_arrangement(user) -> None:
    """Every field of the office's 培训工作安排 changed at once (the audit keys come from the form)."""
    from portal.training import certificates
    from portal.training.modules import live_modules

    arr = certificates.arrangement()
    module = live_modules()[0]
    certificates.save_arrangement(user, arr, arr.version, {
        "issuer": "运城市民政局（测试）", "number_prefix": "测培", "minutes_per_hour": 45, "quiz_tenths": 10,
        "attendance_tenths": 5, "yearly_target_tenths": 120, "validity_months": {module.key: 24}},
        {module.key: module.title})


def _edit_a_register_entry(auth) -> None:
    """Change a register entry through the library's admin page: a library sync done by a person."""
    url = "/admin/library/register/jiating-jiyang-guanli-banfa"
    stamp = re.search(r'name="stamp" type="hidden" value="([^"]*)"', auth.client.get(url).get_data(as_text=True))
    values = {"title": "家庭寄养管理办法", "number": "民政部令第54号", "issuer": "民政部", "issued": "2014-09-24",
              "effective": "2014-12-01", "status": "现行有效", "aliases": "", "notes": "据管理员核实补录。",
              "stamp": stamp.group(1)}
    response = auth.post(url, values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
