"""Every page runs a handful of SQL statements (issue #12): the guard for all of them.

The GET routes are walked from `app.url_map` (the authorization matrix's table says who may open
each; its sample objects give the ids), so a new page cannot escape. Each page is opened once to
warm the per-process caches a running worker keeps (reference data, the search index), the board's
rendered-fragment cache is emptied, and the second visit's statements are counted — the signed-in
user's lookup included. A page over `BUDGET` fails unless `OVER` names it with its count and why.

Run with `-s` to see the table (route, role, statements), heaviest first.
"""
from __future__ import annotations

import pytest

from portal.board import cache as board_cache
from portal.extensions import db
from tests.conftest import AuthActions, make_user
from tests.querycount import count_queries
from tests.test_authz_matrix import EXPECTED, _sample_objects, routes, sample_args  # noqa: F401 (fixture)

BUDGET = 6  # statements per page, the signed-in user's lookup included

# Pages still over BUDGET: endpoint (or "role GET url" for an extra case) -> (statements, why).
# The count is the page's ceiling; a page that comes down is reported (run with -s) and should
# leave the list.
OVER: dict[str, tuple[int, str]] = {
    # Issue 18: an export with people's phones is recorded (one INSERT) before the file is sent.
    "duties.export_ledger": (7, "the 台账's six statements and the download's audit record"),
    "audit.export": (7, "a count for the size limit, the export's own audit record, the entries and the names "
                        "they show (people, duties, documents)"),
    "leader GET /training/reports/matrix?county=yanhu": (8, "the page's people's 学时 of the year and the office's "
                                                             "yearly target (one settings row) beside the matrix"),
    "leader GET /training/reports/matrix?county=yanhu&format=xlsx": (9, "as the page: 学时 and target; the "
                                                                        "download's audit record; the size check that "
                                                                        "chooses a direct file or a background export (a "
                                                                        "count) and the county read by id for the build"),
    "policy.document": (7, "the person's own 收藏: their folders and whether they starred it (one statement)"),
    "policy.clause": (7, "the person's own 收藏: their folders and whether they starred the article (one statement)"),
    "training.trainee": (8, "the office's 学时 rules and yearly target (one settings row) beside the person's "
                            "certificates and 学时; the certificates come joined with the history; the courses "
                            "of the person's post and their course certificates (one statement)"),
}

# Who opens a page: the first admitted role of this list (the one that sees the most rows).
PREFERENCE = ("leader", "admin", "trainer", "liaison", "staff", "trainee", "security_admin", "auditor")

# Pages whose work depends on who looks, or on a query string, measured as well.
EXTRA = [
    ("liaison", "/"),
    ("staff", "/"),
    ("liaison", "/board"),
    ("staff", "/board"),
    ("leader", "/board?county=yanhu"),
    ("liaison", "/tasks/"),
    ("leader", "/tasks/?unit="),
    ("staff", "/search?q=儿童福利"),
    ("liaison", "/board/transfer"),
    ("liaison", "/api/progress"),
    ("leader", "/training/reports/matrix?county=yanhu"),
    ("leader", "/training/reports/matrix?county=yanhu&format=xlsx"),
    ("leader", "/training/reports/city?by=county"),
    ("leader", "/training/reports/city?by=township"),
    ("leader", "/training/reports/overdue?county=yanhu"),
    ("trainer", "/training/roster?county=yanhu"),
]

SKIP = {"static", "auth.logout"}  # a file; signing out is a state change behind a GET


def role_for(endpoint: str) -> str | None:
    allowed = EXPECTED[endpoint]
    if not isinstance(allowed, frozenset):
        return None  # public: anonymous
    return next(r for r in PREFERENCE if r in allowed)


def pages(app) -> list[tuple[str | None, str, str]]:
    """(role, url, name) for every GET route with an admitted role, then the extra cases."""
    from flask import url_for

    out = []
    for rule, method in routes(app):
        if method != "GET" or rule.endpoint in SKIP:
            continue
        with app.test_request_context():
            args = {k: v for k, v in sample_args(rule.endpoint).items() if k in rule.arguments}
            url = url_for(rule.endpoint, **args)
        out.append((role_for(rule.endpoint), url, rule.endpoint))
    out += [(role, url, f"{role} GET {url}") for role, url in EXTRA]
    return out


def test_every_page_runs_a_handful_of_statements(app):
    from portal.search import services as search_services

    make_user("target", "staff")  # the user the admin pages open
    search_services.sync_index()  # an index in step with the library, as in a running portal
    clients: dict[str | None, AuthActions] = {}

    def client_of(role):
        if role not in clients:
            auth = AuthActions(app.test_client())
            if role is not None:
                make_user(f"q-{role}", role)
                assert auth.login(f"q-{role}").status_code == 302
            clients[role] = auth
        return clients[role].client

    table, failures = [], []
    for role, url, name in pages(app):
        client = client_of(role)
        client.get(url).close()  # warm: what a running worker has cached already
        board_cache.clear()      # ... except the board's rendered fragments: the first render counts
        db.session.expunge_all()  # a worker's request starts with an empty session
        with count_queries() as statements:
            response = client.get(url)
            status = response.status_code
            response.close()
        n = len(statements)
        table.append((n, name, role or "anonymous", url, status))
        if status not in (200, 302):
            failures.append(f"{name} {url} as {role}: HTTP {status}")
        budget, _why = OVER.get(name, (BUDGET, ""))
        if n > budget:
            failures.append(f"{name} {url} as {role}: {n} statements (budget {budget})\n  "
                            + "\n  ".join(s.replace("\n", " ")[:300] for s in statements))
    table.sort(key=lambda row: (-row[0], row[1]))
    print("\nstatements  route (role, url, status)")
    for n, name, role, url, status in table:
        print(f"{n:10d}  {name} ({role}, {url}, {status})")
    measured = {row[1]: row[0] for row in table}
    for name, (ceiling, _why) in sorted(OVER.items()):
        if name not in measured:
            failures.append(f"OVER lists {name}, which is no longer measured")
        elif measured[name] < ceiling:
            print(f"{name}: {measured[name]} statements, below its ceiling {ceiling}"
                  + (": take it off OVER" if measured[name] <= BUDGET else ""))
    assert not failures, "\n".join(failures)


@pytest.fixture(autouse=True)
def _clean_board_cache():
    board_cache.clear()
    yield
    board_cache.clear()
