"""The first plan, faithful (issue 19) on the board, the duty page, the 通报, the exports and the API:
the transfer tracker counts the two 儿童福利院, a periodic duty says 定期 with its period, and what the
office added is marked as its 工作安排 wherever a duty is shown."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from portal.extensions import db
from portal.models import IndicatorValue
from tests.conftest import instance_by_key, make_user


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


# ---- the transfer tracker -----------------------------------------------------------------------

def test_transfer_tracker_counts_the_two_institutions(varied, auth, client):
    wenxi = instance_by_key("inst-transfer-children@inst-wenxi-fly")
    db.session.add(IndicatorValue(instance_id=wenxi.id, name="移交儿童人数", value=9))
    for item in wenxi.active_items:
        item.done = True
    db.session.commit()
    auth.as_role("leader")
    tracker = section(text(client.get("/board/transfer")), "transfer")
    assert 'data-county="闻喜县儿童福利院"' in tracker and 'data-county="新绛县儿童福利院"' in tracker
    assert tracker.count("<tr data-county=") == 15  # 13 county bureaus and the two institutions
    total = tracker.split('data-total="移交儿童人数">')[1].split("<")[0]
    assert int(total) == varied["children"] + 9  # the institution's children are in the total
    # the county page's summary is still its own bureau's transfer (none of its steps ticked)
    county = text(client.get("/board/counties/wenxi"))
    summary = county.split('data-testid="county-summary">')[1].split("</p>")[0]
    assert "（0/7 步）" in summary


def test_transfer_figures_in_the_report_and_the_api(varied, auth, client):
    xinjiang = instance_by_key("inst-transfer-children@inst-xinjiang-fly")
    db.session.add(IndicatorValue(instance_id=xinjiang.id, name="移交档案份数", value=3))
    db.session.commit()
    auth.as_role("leader")
    ws = load_workbook(io.BytesIO(client.get("/board/report.xlsx").data))["移交进度"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3) if r[0].value}
    assert "新绛县儿童福利院" in rows and "闻喜县儿童福利院" in rows
    names = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "县（市、区）或机构")]
    files = names.index("移交档案份数")
    assert rows["合计"][files].value == varied["files"] + 3
    progress = client.get("/api/progress").get_json()
    institutions = [t for t in progress["transfer"] if t["institution"]]
    assert sorted(t["county"] for t in institutions) == ["新绛县儿童福利院", "闻喜县儿童福利院"]


# ---- a periodic duty is 定期, not 长期 -------------------------------------------------------------

def test_periodic_drills_show_their_period_not_long_term(varied, auth, client):
    drills = instance_by_key("sfly-drills")
    auth.as_role("leader")
    page = text(client.get(f"/tasks/{drills.id}"))
    assert "定期（每季度）" in page
    drill = text(client.get("/board?u=inst-sfly&a=3.1.1", headers={"HX-Request": "true", "HX-Target": "drill"}))
    line = next(li for li in drill.split("<li>") if "应急预案定期演练" in li)
    assert "定期（每季度）" in line and "长期" not in line
    report = load_workbook(io.BytesIO(client.get("/board/report.xlsx").data))["任务明细"]
    row = next(r for r in report.iter_rows(values_only=True) if r[3] == "应急预案定期演练")
    assert any(str(cell).startswith("定期（每季度）") for cell in row)  # …本期至 the current period's end
    plan = load_workbook(io.BytesIO(client.get("/duties/plan.xlsx").data))["任务分工表"]
    row = next(r for r in plan.iter_rows(values_only=True) if r[1] == "应急预案定期演练")
    assert str(row[7]).startswith("定期（每季度）")
    ledger = load_workbook(io.BytesIO(client.get("/tasks/export.xlsx?unit=inst-sfly").data)).active
    row = next(r for r in ledger.iter_rows(values_only=True) if r[2] == "应急预案定期演练")
    assert str(row[8]).startswith("定期（每季度）")


def test_deadline_labels_for_rows():
    from datetime import date

    from portal.board.rollup import Row
    from portal.core.labels import deadline_label

    base = dict(instance_id=1, key="k", duty_key="d", title="t", clause_ids=(), area="", unit_code="u",
                unit_name="u", unit_short="u", unit_order=0, level="", county_code="", county_name="", kind="",
                group="", state="not_started", light="grey", progress=0, last_activity=None)
    assert deadline_label(Row(**base, deadline=None, deadline_kind="periodic", period="quarterly")) == "定期（每季度）"
    assert deadline_label(Row(**base, deadline=None, deadline_kind="none")) == "长期"
    assert deadline_label(Row(**base, deadline=date(2022, 9, 30))) == "2022年9月30日"


# ---- the office's 工作安排 marked ------------------------------------------------------------------

def test_duty_page_marks_arranged_cooperators_and_deadline_reasoning(plan, auth, client):
    auth.as_role("leader")
    page = text(client.get(f"/tasks/{instance_by_key('fire-safety').id}"))
    cooperators = page.split('data-testid="cooperators">')[1].split("</td>")[0]
    assert cooperators.count("badge arranged") == 3  # 4.2.13 says 儿童福利机构, not which
    page = text(client.get(f"/tasks/{instance_by_key('transfer-hukou@yanhu-ga').id}"))
    cooperators = page.split('data-testid="cooperators">')[1].split("</td>")[0]
    assert "盐湖区民政局" in cooperators and "督查室安排" not in cooperators  # 三（一）1 names them
    deadline = page.split('data-testid="deadline-text">')[1].split("</tr>")[0]
    assert "时限说明" in deadline and "督查室工作安排" in deadline and "方案表述" not in deadline
    page = text(client.get(f"/tasks/{instance_by_key('transfer-children@yanhu-mz').id}"))
    deadline = page.split('data-testid="deadline-text">')[1].split("</tr>")[0]
    assert "方案表述" in deadline and "督查室工作安排" not in deadline  # the 方案's own words


def test_plan_export_and_api_keep_the_arrangement_marks(plan, auth, client):
    auth.as_role("leader")
    ws = load_workbook(io.BytesIO(client.get("/duties/plan.xlsx").data))["任务分工表"]
    headers = [c.value for c in ws[1]]
    rows = {r[1]: dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    adult = rows["完善成年安置评估制度"]
    assert "市公安局（督查室安排）" in adult["配合单位"] and "市福利院（督查室安排）" not in adult["配合单位"]
    assert adult["时限说明"].startswith("【督查室工作安排】")
    assert rows["做好儿童移交工作"]["时限说明"] == "2022年5月份启动、9月底结束（三（二）8）"
    coordination = rows[instance_by_key("city-transfer-coordination").duty.title]
    assert "督促指导各县（市、区）按期移交（督查室安排）" in coordination["工作清单"]
    remark = rows["9月1日前长期监护儿童全部移交"]["督查室工作安排和说明"]
    assert "督查室工作安排和说明" in headers and "“做好儿童移交工作”" in remark and "transfer-children" not in remark
    api = client.get("/api/duties").get_json()
    by_key = {d["key"]: d for d in api}
    coops = {c["name"]: c["arranged"] for c in by_key["adult-placement"]["cooperators"]}
    assert coops == {"运城市社会福利院": False, "运城市公安局": True}
    items = {i["title"]: i["arranged"] for i in by_key["city-transfer-coordination"]["checklist"]}
    assert items["督促指导各县（市、区）按期移交"] is True and False in items.values()
    assert by_key["adult-placement"]["deadline_text_arranged"] is True
    assert by_key["transfer-children@yanhu-mz"]["deadline_text_arranged"] is False
    assert by_key["sfly-drills"]["deadline_label"] == "定期（每季度）"


def test_liaison_sees_the_marks_too(plan, client):
    from tests.conftest import AuthActions

    make_user("mzl", "liaison", unit="city-mz")
    auth = AuthActions(client)
    auth.login("mzl")
    page = text(client.get(f"/tasks/{instance_by_key('housing').id}"))
    assert "运城市民政局" in page.split('data-testid="cooperators">')[1].split("</td>")[0]
    assert "督查室安排" in page.split('data-testid="cooperators">')[1].split("</td>")[0]


def test_report_lists_mark_arranged_cooperators(plan, auth, client):
    auth.as_role("leader")
    ws = load_workbook(io.BytesIO(client.get("/board/report.xlsx").data))["任务明细"]
    rows = {r[3]: r for r in ws.iter_rows(values_only=True) if r[3]}
    assert rows["成年孤儿优先住房保障"][2] == "市民政局（督查室安排）"
    assert "（督查室安排）" not in rows["移交儿童户口迁移"][2]
