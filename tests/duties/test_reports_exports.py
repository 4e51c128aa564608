"""Monthly reports, 台账 and 任务分工表 exports, reminders and the demo state."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.duties.demo import load_demo_state, remove_demo_state
from portal.extensions import db
from portal.models import AuditEntry, DutyNote, MonthlyReport, Notice
from portal.reports.services import current_month
from tests.conftest import instance_by_key, make_user, signed_in


def test_ledger_export_xlsx_and_csv_honour_filters(app, plan):
    mz = signed_in(app, "mz", "liaison", unit="yanhu-mz")
    response = mz.client.get("/tasks/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb["台账"]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["序号", "分工表序号", "任务", "来源条款", "单位"] and "最新记录" in headers
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    transfer = instance_by_key("transfer-children@yanhu-mz")
    [row] = [r for r in ws.iter_rows(min_row=2)
             if r[2].value == transfer.duty.title and r[4].value == "盐湖区民政局"]
    deadline = row[8]
    assert deadline.is_date and deadline.value.date().isoformat() == "2022-09-30"  # a real, sortable date
    overdue = row[10].value
    assert isinstance(overdue, int) and overdue > 365
    plan_ws = load_workbook(io.BytesIO(mz.client.get("/duties/plan.xlsx").data))["任务分工表"]
    plan_numbers = {r[1].value: r[0].value for r in plan_ws.iter_rows(min_row=2)}
    assert row[1].value == plan_numbers[transfer.duty.title]  # the same 序号 finds the row in 任务分工表
    units = {r[4].value for r in ws.iter_rows(min_row=2)}
    assert "盐湖区民政局" in units and not any("永济" in u for u in units)
    assert ws.column_dimensions["C"].width >= 20
    response = mz.client.get("/tasks/export.csv?role=lead&state=not_started")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "序号" and len(rows) > 1
    assert all(r[4] == "盐湖区民政局" and r[5] == "未启动" for r in rows[1:])
    assert mz.client.get("/tasks/export.pdf").status_code == 404


def test_plan_export_lists_every_duty_with_its_checklist(app, plan):
    staff = signed_in(app, "st", "staff")
    wb = load_workbook(io.BytesIO(staff.client.get("/duties/plan.xlsx").data))
    ws = wb["任务分工表"]
    assert [c.value for c in ws[1]][:5] == ["序号", "任务", "来源条款", "牵头单位", "配合单位"]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert len(rows) == len(plan.created)
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == list(range(1, len(rows) + 1))
    transfer = rows[instance_by_key("transfer-children@yanhu-mz").duty.title]
    assert "三（二）8" in transfer[2].value and "13个单位" in transfer[3].value
    assert transfer[9].value.startswith("安排部署 → 梳理应移交人员信息")


def test_monthly_report_draft_submit_and_who_has_not(app, plan):
    mz = signed_in(app, "mz", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/items/{inst.active_items[0].id}", {"done": "1"})
    month = current_month()
    page = mz.client.get(f"/reports/yanhu-mz/{month}").get_data(as_text=True)
    assert "完成清单事项" in page and "做好儿童移交工作" in page  # pre-filled with the month's changes
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "本月完成安排部署", "problems": "", "next_steps": "梳理信息", "submit": "0", "version": "0"})
    assert response.status_code == 302
    # A second liaison who opened the empty form before that save is told, not silently overwritten.
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "另一个人的内容", "submit": "0", "version": "0"})
    assert response.status_code == 422 and "已被他人修改" in response.get_data(as_text=True)
    report = db.session.scalar(sa.select(MonthlyReport))
    assert report.status == "draft"
    stale = report.version
    mz.post(f"/reports/yanhu-mz/{month}", {"progress": "本月完成安排部署（修订）", "next_steps": "梳理信息", "submit": "0", "version": str(stale)})
    response = mz.post(f"/reports/yanhu-mz/{month}", {"progress": "旧页面上的内容", "submit": "0", "version": str(stale)})
    assert response.status_code == 422 and "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    report = db.session.scalar(sa.select(MonthlyReport))
    mz.post(f"/reports/yanhu-mz/{month}", {"progress": "本月完成安排部署（修订）", "submit": "1", "version": str(report.version)})
    db.session.expire_all()
    assert db.session.scalar(sa.select(MonthlyReport)).status == "submitted"
    # Another unit's liaison may not read it; a leader may.
    other = signed_in(app, "yj", "liaison", unit="yongji-mz")
    assert other.client.get(f"/reports/yanhu-mz/{month}").status_code == 403
    leader = signed_in(app, "ld", "leader")
    overview = leader.client.get(f"/reports/?month={month}").get_data(as_text=True)
    assert "盐湖区民政局" in overview and "已提交" in overview and "未填写" in overview
    assert "月份格式不正确" in leader.client.get("/reports/?month=2026-13").get_data(as_text=True)
    assert leader.client.get("/reports/yanhu-mz/2026-13").status_code == 404


def test_remind_posts_notices_that_the_liaison_sees(app, plan, runner):
    result = runner.invoke(args=["portal", "remind"])
    assert result.exit_code == 0
    assert "yanhu-mz 盐湖区民政局: overdue" in result.output
    notice = db.session.scalar(sa.select(Notice).join(Notice.unit).where(Notice.unit.has(code="yanhu-mz"))
                               .order_by(Notice.id))  # the digest; the 督办 ladder's message follows it
    assert "已逾期" in notice.body and "做好儿童移交工作" in notice.body
    mz = signed_in(app, "mz", "liaison", unit="yanhu-mz")
    assert notice.title in mz.client.get("/").get_data(as_text=True)
    posted = db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.unit_id == notice.unit_id))
    assert posted == 2  # the digest and one 督办通知 for the unit's late duties
    # Run again the same day (cron twice): no duplicate notices.
    again = runner.invoke(args=["portal", "remind"])
    assert "already reminded today" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.unit_id == notice.unit_id)) == posted


def test_demo_state_loads_labelled_and_removes_cleanly(app, plan):
    mz_user = make_user("mz", "liaison", unit="yanhu-mz")
    lines = load_demo_state()
    assert any("closed" in l for l in lines) and any("returned" in l for l in lines)
    assert any("extension pending" in l for l in lines) and any("report" in l for l in lines)
    assert instance_by_key("transfer-children@linyi-mz").state == "closed"
    returned = instance_by_key("transfer-children@hejin-mz")
    assert returned.state == "in_progress" and returned.state_reason
    assert all(n.author.display_name.startswith("演示数据") for n in returned.notes)
    # A real user's work on a demo duty survives removal.
    from portal.duties.services import add_note

    yanhu = instance_by_key("transfer-children@yanhu-mz")
    add_note(mz_user, yanhu, "真实记录")
    remove_demo_state()
    assert instance_by_key("transfer-children@linyi-mz").state == "not_started"
    yanhu = instance_by_key("transfer-children@yanhu-mz")
    assert [n.body for n in yanhu.notes] == ["真实记录"] and not any(i.done for i in yanhu.items)
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReport.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(DutyNote.id))) == 1
    # The audit log keeps what happened, labelled.
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.actor_name == "demo-data")) > 0
    assert load_demo_state()  # can be loaded again


def test_exports_keep_user_text_as_text_not_formulas(app, plan):
    mz = signed_in(app, "mz", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/notes", {"body": '=HYPERLINK("http://evil.example","点我")'})
    wb = load_workbook(io.BytesIO(mz.client.get("/tasks/export.xlsx").data))
    cell = next(r[12] for r in wb["台账"].iter_rows(min_row=2)
                if r[2].value == inst.duty.title and r[4].value == inst.unit.name)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    text = mz.client.get("/tasks/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_exports_show_the_last_update_in_local_time_once_near_midnight(app, plan):
    """16:30 UTC on 29 November is 00:30 on 30 November in 运城: the CSV, the xlsx and the page agree."""
    from datetime import datetime

    from portal.core.labels import zh_datetime
    from portal.duties.exports import LEDGER_HEADERS

    inst = instance_by_key("transfer-children@yanhu-mz")
    stored = datetime(2026, 11, 29, 16, 30)
    inst.updated_at = stored
    db.session.commit()
    assert zh_datetime(stored) == "2026年11月30日 00:30"  # what the UI shows
    mz = signed_in(app, "mz", "liaison", unit="yanhu-mz")
    column = LEDGER_HEADERS.index("最近更新")
    ws = load_workbook(io.BytesIO(mz.client.get("/tasks/export.xlsx").data))["台账"]
    [cell] = [r[column] for r in ws.iter_rows(min_row=2) if r[2].value == inst.duty.title and r[4].value == inst.unit.name]
    assert cell.value == datetime(2026, 11, 30, 0, 30)
    rows = list(csv.reader(io.StringIO(mz.client.get("/tasks/export.csv").data.decode("utf-8-sig"))))
    [row] = [r for r in rows[1:] if r[2] == inst.duty.title and r[4] == inst.unit.name]
    assert row[column] == "2026年11月30日 00:30"
