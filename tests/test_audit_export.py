"""The auditor takes the audit log out as .xlsx or CSV (filtered like the page), and nothing younger than
180 days can be purged (等保 2.0 安全审计; 网络安全法 第二十一条: logs kept at least six months)."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.audit import exports
from portal.audit.retention import RETENTION_DAYS, RetentionError, purge
from portal.audit.services import record
from portal.core.time import today, utcnow
from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import AuthActions, make_user

FORMULA = "=hyperlink(\"http://evil.example\",\"点我\")"  # login names are kept lower-case


def _auditor(app) -> AuthActions:
    make_user("watcher", "auditor")
    auth = AuthActions(app.test_client())
    assert auth.login("watcher").status_code == 302
    return auth


def _old_entry(days: int, label: str) -> None:
    record("update", "regulation", "test-entry", label=label, before={"notes": "旧"}, after={"notes": "新"}, actor_name="sync")
    db.session.flush()
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    # Back-dated directly: the ORM refuses to change an entry, and the test schema has no triggers.
    db.session.execute(sa.text("UPDATE audit_entry SET at = :at WHERE id = :id"),
                       {"at": utcnow() - timedelta(days=days), "id": entry.id})
    db.session.expire_all()


def test_the_auditor_exports_the_filtered_log_as_a_workbook(app):
    make_user("mallory", "staff")
    AuthActions(app.test_client()).login(FORMULA, "wrong")  # a typed login name lands in the log as typed
    mallory = AuthActions(app.test_client())
    mallory.login("mallory")
    auth = _auditor(app)
    page = auth.client.get("/admin/audit/?action=login_failed").get_data(as_text=True)
    assert 'data-testid="export-xlsx"' in page and "action=login_failed" in page  # the page's filters go along
    response = auth.client.get("/admin/audit/export.xlsx?action=login_failed")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"] and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("审计日志（全部日期，共 1 条）") and list(rows[1]) == exports.HEADERS
    assert len(rows) == 3 and rows[2][2] == "登录失败"
    assert rows[2][1] == "'" + FORMULA  # stays text in Excel, never a formula
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in rows for v in row)
    # by person: only what that person did
    mine = load_workbook(io.BytesIO(auth.client.get("/admin/audit/export.xlsx?actor=mallory").data)).active
    people = {row[1] for row in mine.iter_rows(min_row=3, values_only=True)}
    assert people == {"测试mallory"}
    # the export itself is in the log, with what was asked for
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export_audit").order_by(AuditEntry.id))
    assert entry.actor_name == "watcher" and entry.after["rows"] == 1 and entry.after["action"] == "login_failed"


def test_the_csv_export_by_date_range(app):
    _old_entry(400, "运城市公安局（一年多前）")
    record("update", "regulation", "test-entry", label="今天的修改", actor_name="sync")
    db.session.commit()
    auth = _auditor(app)
    start = (today() - timedelta(days=1)).isoformat()
    response = auth.client.get(f"/admin/audit/export.csv?type=regulation&from={start}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1] == exports.HEADERS
    objects = [row[3] for row in rows[2:]]
    assert objects == ["法规登记 · 今天的修改"]  # the old one is outside the range
    assert "年" in rows[2][0]  # times as people read them


def test_a_bad_date_or_too_many_rows_says_so_on_the_page(app, monkeypatch):
    auth = _auditor(app)
    response = auth.client.get("/admin/audit/export.xlsx?from=2022-13-45")
    assert response.status_code == 422 and "开始日期：没有13月" in response.get_data(as_text=True)
    record("login", "user", "1", label="甲", actor_name="甲")
    record("login", "user", "2", label="乙", actor_name="乙")
    db.session.commit()
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 1)
    response = auth.client.get("/admin/audit/export.csv")
    assert response.status_code == 422 and "超过单次导出上限 1 条" in response.get_data(as_text=True)
    assert auth.client.get("/admin/audit/export.pdf").status_code == 404


def test_the_system_administrator_cannot_read_or_export_the_log(app):
    make_user("boss", "admin")
    auth = AuthActions(app.test_client())
    auth.login("boss")
    assert auth.client.get("/admin/audit/").status_code == 403
    assert auth.client.get("/admin/audit/export.xlsx").status_code == 403
    home = auth.client.get("/").get_data(as_text=True)
    assert "/admin/audit/" not in home and "审计日志" not in home


def test_nothing_younger_than_the_retention_period_can_be_purged(app, tmp_path):
    _old_entry(RETENTION_DAYS + 30, "旧记录")
    _old_entry(RETENTION_DAYS - 10, "未满保留期的记录")
    db.session.commit()
    labels = lambda: [e.object_label for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]  # noqa: E731
    before = labels()
    archive = tmp_path / "archive.xlsx"
    too_late = today() - timedelta(days=RETENTION_DAYS - 1)
    with pytest.raises(RetentionError, match="至少保留 180 天"):
        purge(too_late, archive, today())
    assert not archive.exists()  # refused before anything was written
    assert labels() == before
    removed = purge(today() - timedelta(days=RETENTION_DAYS), archive, today())
    assert removed == 1
    after = labels()
    assert "旧记录" not in after and "未满保留期的记录" in after
    assert after == [x for x in before if x != "旧记录"] + [f"{_zh(today() - timedelta(days=RETENTION_DAYS))}之前的审计记录"]
    kept = load_workbook(archive).active
    assert any("旧记录" in str(row[3]) for row in kept.iter_rows(min_row=3, values_only=True))
    assert (archive.stat().st_mode & 0o777) == 0o600
    with pytest.raises(RetentionError, match="已存在"):  # an archive is never overwritten
        purge(today() - timedelta(days=RETENTION_DAYS), archive, today())


def test_the_purge_command(app, runner, tmp_path):
    _old_entry(RETENTION_DAYS + 1, "旧记录")
    db.session.commit()
    result = runner.invoke(args=["portal", "audit-purge", "--before", today().isoformat(),
                                 "--archive", str(tmp_path / "a.csv")])
    assert result.exit_code == 1 and "至少保留 180 天" in result.output
    result = runner.invoke(args=["portal", "audit-purge", "--before", "yesterday", "--archive", str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    before = (today() - timedelta(days=RETENTION_DAYS)).isoformat()
    result = runner.invoke(args=["portal", "audit-purge", "--before", before, "--archive", str(tmp_path / "a.csv")])
    assert result.exit_code == 0 and "removed: 1" in result.output
    assert "旧记录" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
