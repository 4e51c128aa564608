"""Who took what out of the portal is in the audit log (evidence, exports with people's phones), and no
page or file with a full phone number is kept by a browser or proxy cache (Cache-Control: no-store)."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
import sqlalchemy as sa

from portal.audit.display import present
from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import AuthActions, instance_by_key, make_user
from tests.ui.test_id_leak_scan import get_urls

PDF = b"%PDF-1.4\n% evidence\n"
PHONE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?![\d*])")  # a full mobile number; a masked one has ****


def _client(app, username: str, role: str, unit: str | None = None) -> AuthActions:
    make_user(username, role, unit=unit)
    auth = AuthActions(app.test_client())
    assert auth.login(username).status_code == 302
    return auth


def _last(action: str) -> AuditEntry:
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()))


def test_an_evidence_download_is_recorded_with_who_and_what(app, plan):
    inst = instance_by_key("transfer-children@yanhu-mz")
    owner = _client(app, "mz", "liaison", "yanhu-mz")
    owner.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), "移交名册.pdf")}, content_type="multipart/form-data")
    evidence = instance_by_key("transfer-children@yanhu-mz").evidence[0]
    boss = _client(app, "chief", "leader")
    response = boss.client.get(f"/tasks/{inst.id}/evidence/{evidence.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Cache-Control"] == "no-store"
    response.close()
    entry = _last("download_evidence")
    assert entry is not None and entry.actor_name == "chief" and entry.after["file"] == "移交名册.pdf"
    view = present([entry])[0]
    assert view.actor == "测试chief" and view.action == "下载佐证材料"
    assert view.object == "佐证材料 · 做好儿童移交工作 · 盐湖区民政局：移交名册.pdf"
    # a refused download is not a download
    count = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "download_evidence"))
    stranger = _client(app, "other", "liaison", "yongji-mz")
    assert stranger.client.get(f"/tasks/{inst.id}/evidence/{evidence.id}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "download_evidence")) == count


@pytest.mark.parametrize("url, label", [
    ("/tasks/export.xlsx?unit=", "任务台账"),
    ("/tasks/export.csv?unit=", "任务台账"),
    ("/training/reports/overdue?format=xlsx", "培训逾期名单"),
    ("/training/reports/matrix?county=yanhu&format=xlsx", "培训完成情况"),
])
def test_exports_with_people_are_recorded_and_not_cached(app, demo, url, label):
    auth = _client(app, "office", "admin")
    before = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "export"))
    response = auth.client.get(url)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "export")) == before + 1
    entry = _last("export")
    view = present([entry])[0]
    assert entry.actor_name == "office" and label in view.object and view.action == "导出"
    assert ("文件格式", "CSV 文本" if url.startswith("/tasks/export.csv") else "Excel 表格") in view.after


@pytest.mark.parametrize("role, unit", [("admin", None), ("trainer", "yanhu-mz"), ("leader", None), ("liaison", "yanhu-mz")])
def test_every_page_with_a_full_phone_number_is_not_cached(app, demo, role, unit):
    """Every GET page of the portal, in the demo state with a 具体责任人 phone set: where a full mobile
    number shows, the response says no-store."""
    inst = demo
    inst.responsible_name, inst.responsible_phone = "张联络", "13912345678"
    db.session.commit()
    auth = _client(app, f"p-{role}", role, unit)
    with_phones, cached = [], []
    for url in get_urls(app, inst):
        response = auth.client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        if PHONE.search(response.get_data(as_text=True)):
            with_phones.append(url.split("?")[0])
            if response.headers.get("Cache-Control") != "no-store":
                cached.append(url)
    assert not cached, f"pages with full phone numbers that may be cached: {cached}"
    expected = {"admin": 4, "trainer": 4, "leader": 1, "liaison": 1}[role]  # roster, person, edit form, duty …
    assert len(set(with_phones)) >= expected, with_phones
    assert f"/tasks/{inst.id}" in with_phones


def test_a_page_without_personal_data_may_be_cached(app, plan):
    auth = _client(app, "reader", "staff")
    assert "no-store" not in auth.client.get("/policy/").headers.get("Cache-Control", "")


def test_no_download_happens_when_its_record_cannot_be_written(app, plan, monkeypatch):
    """The record is committed before the file is sent: if the log cannot take it, nothing leaves."""
    from portal.audit import services

    inst = instance_by_key("transfer-children@yanhu-mz")
    owner = _client(app, "mz", "liaison", "yanhu-mz")
    owner.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), "名册.pdf")}, content_type="multipart/form-data")
    evidence = instance_by_key("transfer-children@yanhu-mz").evidence[0]

    def unavailable(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT INTO audit_entry", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "record", unavailable)
    response = owner.client.get(f"/tasks/{inst.id}/evidence/{evidence.id}")
    assert response.status_code == 503 and PDF not in response.data
