"""The heavy pages run a handful of SQL statements, whatever the number of rows (no N+1)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import refdata
from portal.extensions import db
from portal.models import DutyInstance
from portal.search import services as search_services
from tests.querycount import count_queries

# Statements per request, the login's user lookup included, on a worker's first visit: the
# per-process reference data (portal/refdata.py: units, duties, clause texts) is read too. Each
# page reads its own rows in a statement or two; anything per row fails here.
BUDGETS = {
    "/tasks/?unit=": 5,  # user, the ledger's rows (counts included); units, duties, clauses
    "/tasks/?unit=&page=3": 5,
    "/tasks/?county=盐湖区": 5,
    "/api/duties": 6,  # + the page's checklists, its cooperating units
    # user, document (+ editions), clauses, citations (+ their documents and clauses), the clause's
    # duties, training modules, the person's own 收藏 (folders and star: one statement); duties and the
    # citation resolver (3) are reference data (7 warm)
    "/policy/yunmin-2021-74/3.1.1": 11,
    # user, data stamp, rows, transfer steps and figures, headline (queue + training); units,
    # duties, the plan's headings (5 warm); the 考核 ranking's facts (settings, returns, reports on time,
    # the training summary by county: one statement)
    "/board": 9,
    # user, the instance (duty, unit, cooperators, checklist), its own rows, its 督办 panel (the unit's 签收,
    # the 催办 and ladder steps: portal.supervision.services.duty_panel_rows); duties, clauses, units
    "DUTY": 7,
    "TRAINING_DUTY": 8,  # + the county's training coverage (roster, completions, modules: one statement);
    # a 长期 duty: + the office's check-in rhythm (kept with the reference data: cold only)
}


def _instance_id() -> int:
    return db.session.scalar(sa.select(DutyInstance.id).where(DutyInstance.key == "transfer-children@yanhu-mz"))


def _training_instance_id() -> int:
    from portal.models import Duty
    from portal.training.hooks import TRAINING_DUTY

    return db.session.scalar(sa.select(DutyInstance.id).join(Duty).where(Duty.key == TRAINING_DUTY)
                             .order_by(DutyInstance.id))


@pytest.mark.parametrize("url", list(BUDGETS))
def test_heavy_pages_run_a_handful_of_queries(plan, auth, url):
    auth.as_role("leader")
    target = {"DUTY": f"/tasks/{_instance_id()}", "TRAINING_DUTY": f"/tasks/{_training_instance_id()}"}.get(url, url)
    refdata.clear()
    with count_queries() as statements:  # the first visit: nothing cached yet
        response = auth.client.get(target)
    assert response.status_code == 200
    if url == "TRAINING_DUTY":
        assert 'data-testid="duty-coverage"' in response.get_data(as_text=True)
    assert len(statements) <= BUDGETS[url], f"{target}: {len(statements)} statements\n" + "\n---\n".join(statements)


def test_the_ledger_runs_as_many_queries_for_every_row_as_for_a_few(plan, auth):
    """A page of 50 rows and a page of a handful cost the same statements: nothing per row."""
    auth.as_role("leader")
    refdata.clear()
    with count_queries() as narrow:
        assert "data-key" in auth.client.get("/tasks/?unit=&q=移交").get_data(as_text=True)
    refdata.clear()
    with count_queries() as wide:
        page = auth.client.get("/tasks/?unit=").get_data(as_text=True)
    assert page.count("data-key=") == 50
    assert len(wide) == len(narrow)


# What every request pays, and the pages the load bench drives most (issue #12, fixed per-request
# cost): the signed-in user with roles and unit is one statement; a page with nothing of its own
# to read runs only that; the home page counts the board from lean rows (no duty objects).
REQUEST_BUDGETS = {
    ("liaison", "GET", "/account/password"): 1,
    # user, colleagues, units with a liaison, notices, the ledger; units; the plans (the plan chooser: kept
    # per process with the duties, read here because this is a worker's first visit)
    ("liaison", "GET", "/"): 7,
    ("leader", "GET", "/"): 7,  # user, colleagues, units with a liaison, the ledger, accounts; units; the plans
    ("liaison", "GET", "/tasks/"): 5,
    # user, the library's fingerprint (is the index current?), live documents (filters and title
    # cards), register entries (title cards)
    ("staff", "GET", "/search?q=儿童福利"): 4,
    # user, the instance; the write, the duty's updated_at, its audit entry, the duty data's new token (the
    # 台账's cached rows: portal/duties/ledger_cache.py); the fragment's instance and notes
    ("liaison", "POST", "TICK"): 8,
    ("liaison", "POST", "NOTE"): 8,
}


@pytest.mark.parametrize("role, method, url", list(REQUEST_BUDGETS))
def test_every_request_pays_little(plan, auth, role, method, url):
    from tests.factories import gen_liaison

    if role == "liaison":
        gen_liaison("budget-liaison")
        auth.login("budget-liaison")
    else:
        auth.as_role(role)
    inst_id = _instance_id()
    inst = db.session.get(DutyInstance, inst_id)
    item = inst.active_items[0]
    target = {"TICK": f"/tasks/{inst_id}/items/{item.id}", "NOTE": f"/tasks/{inst_id}/notes"}.get(url, url)
    data = {"TICK": {"done": "1"}, "NOTE": {"body": "预算检查记录"}}.get(url)
    auth.client.get("/account/password")  # the session's CSRF token
    if url.startswith("/search"):
        search_services.sync_index()  # an index in step with the library, as in a running portal
    if method == "GET":
        auth.client.get(target)  # the search index loaded, as in a running worker
    refdata.clear()  # a worker's first visit
    with count_queries() as statements:
        if method == "GET":
            response = auth.client.get(target)
        else:
            response = auth.post(target, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    budget = REQUEST_BUDGETS[(role, method, url)]
    assert len(statements) <= budget, f"{target}: {len(statements)} statements\n" + "\n---\n".join(statements)


def test_a_long_history_does_not_make_the_duty_page_or_a_tick_heavier(plan, auth):
    """A duty worked for years: its page and each tick's fragment show the latest notes and trace
    entries, with a link to all of them; nothing grows with the history."""
    from portal.duties.services import RECENT
    from tests.factories import gen_liaison, gen_note

    liaison = gen_liaison("history-liaison")
    inst = db.session.get(DutyInstance, _instance_id())
    for i in range(RECENT + 5):
        gen_note(liaison, inst, f"历史记录第{i}条")
    auth.login("history-liaison")
    page = auth.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert f"历史记录第{RECENT + 4}条" in page and "历史记录第0条" not in page
    assert "显示全部记录和留痕" in page
    everything = auth.client.get(f"/tasks/{inst.id}?all=1").get_data(as_text=True)
    assert "历史记录第0条" in everything and "显示全部记录和留痕" not in everything
    with count_queries() as statements:
        fragment = auth.post(f"/tasks/{inst.id}/notes", {"body": "最新一条"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.get_data(as_text=True)
    assert "最新一条" in html and html.count("历史记录第") == RECENT - 1
    assert len(statements) <= REQUEST_BUDGETS[("liaison", "POST", "NOTE")]
