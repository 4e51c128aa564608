"""`flask portal plan-draft FILE --json`: the draft printed as JSON, nothing written."""
from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, Duty

SOURCE = Path(__file__).resolve().parents[2] / "content" / "policy" / "yunmin-2021-74.source.txt"


def counts():
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id))), db.session.scalar(sa.select(sa.func.count(Duty.id)))


def test_plan_draft_prints_the_draft_as_json_and_writes_nothing(app, runner):
    with app.app_context():
        before = counts()
    result = runner.invoke(args=["portal", "plan-draft", str(SOURCE), "--json"])
    assert result.exit_code == 0, result.output
    duties = json.loads(result.stdout)
    assert all(set(d) == {"clause", "title", "lead", "cooperating", "scope", "deadline_text", "deadline", "quote"}
               for d in duties)
    by_clause = {d["clause"]: d for d in duties}
    assert by_clause["4.2.5"]["lead"] == ["教育部门"]
    assert by_clause["3.2.8"]["deadline"] == "2022-09-30" and by_clause["3.2.8"]["deadline_text"] == "9月底结束"
    assert by_clause["3.2.9"]["scope"] == "county"
    with app.app_context():
        assert counts() == before


def test_plan_draft_reports_an_unreadable_file_with_its_reason(runner, tmp_path):
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(b"%PDF-1.4 not really")
    result = runner.invoke(args=["portal", "plan-draft", str(path), "--json"])
    assert result.exit_code == 1
    assert "扫描件.pdf:1:" in result.stderr and "PDF" in result.stderr


def test_plan_draft_without_json_lists_the_duties_in_chinese(runner):
    result = runner.invoke(args=["portal", "plan-draft", str(SOURCE)])
    assert result.exit_code == 0, result.output
    assert "拟出" in result.stdout and "4.2.5  教育部门要抓好各项教育政策的落实｜牵头：教育部门" in result.stdout


def test_without_a_database_the_seed_register_is_used(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from portal.plans.commands import _register_units

    def no_tables(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("no such table: unit"))

    with app.app_context():
        monkeypatch.setattr(db.session, "scalars", no_tables)
        units = _register_units()
    assert any(u.short_name == "市民政局" and "民政部门" in u.aliases and u.level == "city" for u in units)
