"""The heavy pages run a handful of SQL statements, whatever the number of rows (no N+1)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import DutyInstance
from tests.querycount import count_queries

# Statements per request, the login's user lookup included. The board's first (uncached) render
# and the duty page gather several modules' data (indicators, 批示, training coverage, evidence,
# timeline): their budgets are what they need today, so that any new N+1 fails here.
BUDGETS = {
    "/tasks/?unit=": 12,  # the all-units 台账, first page
    "/tasks/?unit=&page=3": 12,
    "/tasks/?county=盐湖区": 14,  # + the county's roll-up (one query per unit level)
    "/api/duties": 12,
    "/policy/yunmin-2021-74/3.1.1": 16,
    "/board": 23,  # + the 方案's task-area headings (one query) for the 任务领域 filter
    "DUTY": 18,
}


def _instance_id() -> int:
    return db.session.scalar(sa.select(DutyInstance.id).where(DutyInstance.key == "transfer-children@yanhu-mz"))


@pytest.mark.parametrize("url", list(BUDGETS))
def test_heavy_pages_run_a_handful_of_queries(plan, auth, url):
    auth.as_role("leader")
    target = f"/tasks/{_instance_id()}" if url == "DUTY" else url
    with count_queries() as statements:  # the first visit: nothing cached yet
        response = auth.client.get(target)
    assert response.status_code == 200
    assert len(statements) <= BUDGETS[url], f"{target}: {len(statements)} statements\n" + "\n---\n".join(statements)


def test_the_ledger_runs_as_many_queries_for_every_row_as_for_a_few(plan, auth):
    """A page of 50 rows and a page of a handful cost the same statements: nothing per row."""
    auth.as_role("leader")
    with count_queries() as narrow:
        assert "data-key" in auth.client.get("/tasks/?unit=&q=移交").get_data(as_text=True)
    with count_queries() as wide:
        page = auth.client.get("/tasks/?unit=").get_data(as_text=True)
    assert page.count("data-key=") == 50
    assert len(wide) == len(narrow)
