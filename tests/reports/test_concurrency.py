"""Parallel saves of one month's report (issue #12): an edit of the same report from the same version
is a conflict with the clear message, never a 5xx; exactly one save lands."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, MonthlyReport
from portal.reports.services import STALE, current_month
from tests.factories import gen_liaison, gen_report, gen_sessions, in_parallel

pytestmark = pytest.mark.fresh_db  # several connections at once: real commits


def test_parallel_saves_from_one_version_keep_one_and_refuse_the_rest_clearly(app, plan):
    month = current_month()
    report = gen_report(gen_liaison("rep-first"), month, "第一稿")
    seen, url = report.version, f"/reports/yanhu-mz/{month}"
    workers = gen_sessions(app, "rep", 4)
    results = in_parallel([
        (lambda a=a, i=i: a.post(url, {"progress": f"并行稿{i}", "problems": "", "next_steps": "",
                                      "version": str(seen), "submit": "0"}))
        for i, a in enumerate(workers)])
    assert all(r.status_code < 500 for r in results), [r.status_code for r in results]
    saved = [r for r in results if r.status_code == 302]
    refused = [r for r in results if r.status_code != 302]
    assert len(saved) == 1
    assert all(STALE in r.get_data(as_text=True) for r in refused)
    db.session.expire_all()
    final = db.session.scalar(sa.select(MonthlyReport.progress).where(MonthlyReport.id == report.id))
    assert final.startswith("并行稿")
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "save_report")) == 2
