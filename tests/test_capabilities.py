"""One table of capabilities decides who may do what (portal/capabilities.py), and 三员分立 holds.

Access is decided by capability, never by naming roles in a view, a service or a template: a new role
is a column of the table, an entry of the role list and a column of the authorization matrix.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from portal.admin.services import AccountError, AccountInput, create_account, update_account
from portal.capabilities import CAPABILITIES, COLUMNS, LABELS, TABLE, can, capabilities_of, roles_with
from portal.core.roles import AUDITOR, ROLE_ORDER, SECURITY_ADMIN, SEPARATED_ROLES
from tests.conftest import ROLES, AuthActions, make_user

ROOT = Path(__file__).resolve().parents[1]
ROLE_NAMES = set(ROLE_ORDER)
ROLE_CONSTANTS = {"ADMIN", "SECURITY_ADMIN", "AUDITOR", "LEADER", "LIAISON", "TRAINER", "STAFF", "TRAINEE"}
# Where roles are named on purpose: the role list, the table, and accounts given roles (demo accounts,
# the demo data's acting accounts, a trainee's own login).
ROLE_HOMES = {"portal/core/roles.py", "portal/capabilities.py"}
ASSIGNING_CALLS = {"set_roles", "DemoAccount"}


def _role_mentions(path: Path) -> list[str]:
    """Roles named in a decision: compared, tested with has_role/in_, listed in a tuple, list or set, or
    decorating a view. Naming a role to give it to an account (set_roles, a demo account) is allowed."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        is_role = (isinstance(node, ast.Constant) and node.value in ROLE_NAMES) or (
            isinstance(node, ast.Name) and node.id in ROLE_CONSTANTS)
        if not is_role:
            continue
        up, context = parents.get(node), []
        while up is not None and not isinstance(up, (ast.stmt,)):
            context.append(up)
            up = parents.get(up)
        if any(isinstance(c, ast.Compare) and any(getattr(x, "attr", "") == "object_type" for x in [c.left, *c.comparators])
               for c in context):
            continue  # an audit entry's object type 学员 (trainee), not a role
        calls = [c for c in context if isinstance(c, ast.Call)]
        names = {getattr(c.func, "attr", getattr(c.func, "id", "")) for c in calls}
        if names & ASSIGNING_CALLS:
            continue
        lists = [c for c in context if isinstance(c, (ast.Tuple, ast.List, ast.Set))]
        deciding = any(isinstance(c, ast.Compare) for c in context) or any(_all_roles(c) for c in lists) or \
            names & {"has_role", "in_", "any", "roles"} or isinstance(up, ast.FunctionDef)
        if deciding:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _all_roles(container) -> bool:
    """A list of roles (every element a role), not a tuple that happens to hold the word 学员 (trainee)."""
    return all((isinstance(e, ast.Constant) and e.value in ROLE_NAMES) or (isinstance(e, ast.Name) and e.id in ROLE_CONSTANTS)
               or isinstance(e, ast.Starred) for e in container.elts)


def test_no_view_service_or_template_names_roles_to_decide_access():
    code = [p for p in (ROOT / "portal").rglob("*.py") if str(p.relative_to(ROOT)) not in ROLE_HOMES]
    mentions = [m for p in code for m in _role_mentions(p)]
    assert not mentions, f"roles named in access decisions (ask portal.capabilities.can instead): {mentions}"
    decorators = [str(p.relative_to(ROOT)) for p in code if "@roles(" in p.read_text(encoding="utf-8")]
    assert not decorators, decorators
    asks = [f"{p.relative_to(ROOT)}:{n}" for p in code for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if "has_role(" in line and str(p.relative_to(ROOT)) not in ("portal/web/access.py", "portal/models/users.py")]
    assert not asks, asks
    role_word = re.compile(r"""['"](%s)['"]""" % "|".join(ROLE_NAMES))
    in_templates = []
    for path in (ROOT / "templates").rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            tags = " ".join(re.findall(r"{[{%].*?[}%]}", line))
            shown = re.sub(r"role_labels\(\w+(\.\w+)*\.roles\)", "", tags)  # role names shown, not asked
            if "has_role" in tags or ".roles" in shown or role_word.search(tags):
                in_templates.append(f"{path.relative_to(ROOT)}:{n}")
    assert not in_templates, f"templates ask can('capability') instead: {in_templates}"


def test_the_scan_finds_role_lists_where_they_used_to_be(tmp_path):
    """The check above is not blind: the shapes the code had before the table are caught."""
    old = tmp_path / "old.py"
    old.write_text('MANAGERS = (ADMIN, TRAINER)\n'
                   '@roles(ADMIN)\ndef view(): pass\n'
                   'def f(user):\n    return user.has_role("leader", "admin") or user.roles == [TRAINEE]\n'
                   'q = UserRole.role == "liaison"\n', encoding="utf-8")
    mentions = [m.rsplit(":", 1)[1] for m in _role_mentions_at(old)]
    assert sorted(set(mentions)) == ["1", "2", "5", "6"]
    fine = tmp_path / "fine.py"
    fine.write_text('user.set_roles([TRAINEE])\nDemoAccount("a", "甲", ("admin",), "", "")\n', encoding="utf-8")
    assert _role_mentions_at(fine) == []


def _role_mentions_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return _role_mentions(path)
    finally:
        ROOT = saved


def test_the_table_has_a_column_per_role_and_every_capability_is_used():
    assert sorted(COLUMNS) == sorted(ROLE_ORDER) == sorted(ROLES)
    assert LABELS.keys() == TABLE.keys() == CAPABILITIES.keys()
    assert all(len(row) == len(COLUMNS) for row in TABLE.values())
    sources = "\n".join(p.read_text(encoding="utf-8") for p in [*(ROOT / "portal").rglob("*.py"),
                                                                  *(ROOT / "templates").rglob("*.html")]
                        if p.name != "capabilities.py")
    unused = [c for c in TABLE if f'"{c}"' not in sources and f"'{c}'" not in sources]
    assert not unused, f"capabilities nobody asks for: {unused}"
    with pytest.raises(KeyError):
        roles_with("no_such_capability")


def test_three_administrators_are_separated():
    """三员分立: accounts (管理员), security (安全管理员), audit (审计管理员): each holds only their own."""
    assert roles_with("manage_users") == {"admin"}
    assert roles_with("manage_security") == {SECURITY_ADMIN}
    assert roles_with("read_audit") == {AUDITOR}
    own = {role: set(capabilities_of([role])) for role in SEPARATED_ROLES}
    for a in SEPARATED_ROLES:
        for b in SEPARATED_ROLES:
            if a != b:
                assert not own[a] & {"manage_users", "manage_security", "read_audit"} & own[b], (a, b)
    assert capabilities_of([AUDITOR]) == ["read_audit"]
    assert capabilities_of([SECURITY_ADMIN]) == ["manage_security"]


def test_one_account_cannot_hold_two_of_the_three(app):
    with pytest.raises(AccountError, match="三员分立"):
        create_account(AccountInput("both", "甲", ["admin", "auditor"], "city-mz", "Strong-pass-1"))
    boss = make_user("boss", "admin")
    with pytest.raises(AccountError, match="三员分立"):  # nor give himself the auditor's role later
        update_account(boss, AccountInput("boss", boss.display_name, ["admin", "auditor"], "city-mz"), boss.version)
    watcher = make_user("watcher", "auditor")
    with pytest.raises(AccountError, match="三员分立"):
        update_account(watcher, AccountInput("watcher", "乙", ["auditor", "security_admin"], ""), watcher.version)
    assert can(watcher, "read_audit") and not can(watcher, "manage_users", "manage_security", "work_pages")


def test_the_admin_form_refuses_combining_them(app):
    make_user("boss", "admin")
    auth = AuthActions(app.test_client())
    auth.login("boss")
    page = auth.client.get("/admin/users/new").get_data(as_text=True)
    assert "安全管理员" in page and "审计管理员" in page  # the new roles can be given
    response = auth.post("/admin/users/new", {"username": "mixed", "display_name": "丙", "roles": ["admin", "auditor"],
                                             "unit": "city-mz", "password": "Strong-pass-1"})
    assert response.status_code == 422
    assert "三员分立" in response.get_data(as_text=True)


@pytest.mark.parametrize("role, card, link, absent", [
    ("security_admin", "home-security", "/admin/login-protection/", "home-audit"),
    ("auditor", "home-audit", "/admin/audit/", "home-security"),
    ("admin", "home-office", "/supervision/", "home-audit"),
])
def test_each_administrator_finds_their_work_on_the_home_page(app, role, card, link, absent):
    make_user(f"h-{role}", role)
    auth = AuthActions(app.test_client())
    auth.login(f"h-{role}")
    html = auth.client.get("/").get_data(as_text=True)
    assert f'data-testid="{card}"' in html and f'href="{link}' in html
    assert f'data-testid="{absent}"' not in html
    if role != "admin":  # no duty cards for who does not work on duties, and no link they cannot open
        assert 'data-testid="home-duties"' not in html and 'href="/tasks/' not in html and 'href="/units/' not in html


@pytest.mark.parametrize("role", ["security_admin", "auditor"])
def test_no_link_leads_an_administrator_to_a_refused_page(app, plan, role):
    """From the home page outwards (two clicks deep): every link shown opens (the unit on the home page,
    the duties a clause created … are not links for who cannot open them)."""
    from urllib.parse import urlsplit

    make_user(f"l-{role}", role)
    auth = AuthActions(app.test_client())
    auth.login(f"l-{role}")
    seen, frontier, refused = set(), ["/"], []
    for _depth in range(3):
        found = []
        for url in frontier:
            response = auth.client.get(url)
            if response.status_code == 403:
                refused.append(url)
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            for href in re.findall(r'href="([^"#]+)', response.get_data(as_text=True)):
                path = urlsplit(href)
                if path.netloc or not path.path.startswith("/") or path.path.startswith(("/static", "/logout")):
                    continue
                if href not in seen:
                    seen.add(href)
                    found.append(href)
        frontier = found[:80]
    assert len(seen) > 5, seen
    assert not refused, f"links to pages this role may not open: {refused}"


def test_the_three_administrators_must_use_a_second_factor(app):
    """三员 are 管理用户 (等保 2.0 第三级 身份鉴别 d): all three sign in with a second factor; others may."""
    from portal.models import User
    from portal.security.second_factor import requires_second_factor

    for role in ROLE_ORDER:
        account = User(username=f"x-{role}", display_name="甲", password_hash="!")
        account.set_roles([role])
        assert requires_second_factor(account) == (role in SEPARATED_ROLES), role
    assert set(SEPARATED_ROLES) == {"admin", "security_admin", "auditor"}
