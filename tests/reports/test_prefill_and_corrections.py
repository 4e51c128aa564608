"""Issue 11: the 进展报告 prefill lists only what the unit did; a submitted report can be corrected
(new version, the old one kept as superseded) until the 督查室 has read it."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, MonthlyReport
from portal.reports.services import current_month, month_activity
from tests.conftest import instance_by_key, signed_in
from tests.duties.test_workflow import admin, liaison, tick


def test_prefill_lists_only_what_the_unit_did(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    month = current_month()
    from portal.units.services import unit_by_code

    unit = unit_by_code("yanhu-mz")
    # the sync created every duty this month: that is not the unit's work
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "create", AuditEntry.object_type == "duty_instance")) > 0
    assert month_activity(unit, month) == []
    page = mz.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "新建" not in page and "本月暂无任务变动" in page
    inst = instance_by_key("transfer-children@yanhu-mz")
    tick(mz, inst, inst.active_items[0])
    mz.post(f"/tasks/{inst.id}/notes", {"body": "召开部署会"})
    lines = month_activity(unit, month)
    assert len(lines) == 2 and all("做好儿童移交工作" in ln for ln in lines)
    assert "完成清单事项「安排部署」" in lines[0] and "添加工作记录「召开部署会」" in lines[1]
    assert not lines[0].startswith("0")  # 9月1日, not 09月01日


def submit(mz, month, text):
    mz.post(f"/reports/yanhu-mz/{month}", {"progress": text, "submit": "1", "version": "0"})
    db.session.expire_all()
    return db.session.scalar(sa.select(MonthlyReport))


def test_correction_keeps_the_old_version_until_the_office_reads(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    month = current_month()
    report = submit(mz, month, "本月完成安排部署")
    page = mz.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "更正报告" in page
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "本月完成安排部署和信息梳理", "problems": "",
                                                      "next_steps": "", "submit": "correct",
                                                      "version": str(report.version)})
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport))
    assert report.progress == "本月完成安排部署和信息梳理" and report.revision == 2
    assert [(r.revision, r.progress) for r in report.superseded] == [(1, "本月完成安排部署")]
    page = mz.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "已更正，已被新版取代" in page and "本月完成安排部署" in page
    # a stale correction form is refused, not applied over the new version
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "旧页面", "submit": "correct", "version": "1"})
    assert response.status_code == 422
    # the office opens it: read, and corrections stop
    boss = admin(app)
    office_page = boss.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "本月完成安排部署和信息梳理" in office_page
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport))
    assert report.read_at is not None
    page = mz.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "更正报告" not in page and "督查室已于" in page
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "再改", "submit": "correct",
                                                      "version": str(report.version)})
    assert response.status_code == 422 and "督查室已阅读" in response.get_data(as_text=True)
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "report")))
    assert "correct_report" in actions and "read_report" in actions


def test_leader_reading_does_not_end_corrections(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    month = current_month()
    submit(mz, month, "本月完成安排部署")
    leader = signed_in(app, "ld", "leader")
    leader.client.get(f"/reports/yanhu-mz/{month}")
    db.session.expire_all()
    assert db.session.scalar(sa.select(MonthlyReport)).read_at is None


def test_month_controls_are_chinese_lists_and_open_the_month(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    html = mz.client.get("/reports/").get_data(as_text=True)
    assert 'type="month"' not in html and "onsubmit" not in html
    assert '<option value="2022-05">2022年5月</option>' in html
    response = mz.client.get("/reports/?open=1&month=2022-09")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/yanhu-mz/2022-09")
