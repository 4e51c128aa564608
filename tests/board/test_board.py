"""The board over HTTP: what each role sees, drill-down, filters, indicators, 批示, the 台账 fixes, the 通报."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, DutyNote, IndicatorValue, Notice
from tests.conftest import instance_by_key, make_user


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ---- what each role sees ------------------------------------------------------------------------

def test_leader_sees_every_view(varied, auth, client):
    auth.as_role("leader")
    html = text(client.get("/board"))
    for testid in ("headline", "departments", "areas", "counties", "transfer", "milestones", "red-list", "yellow-list"):
        assert f'data-testid="{testid}"' in html, testid
    assert "县级民政局（13个）" in html and "盐湖区民政局" not in section(html, "departments")
    expanded = text(client.get("/board?expand=county:民政局"))
    assert "盐湖区民政局" in section(expanded, "departments")
    assert "2022年9月1日前" in html and "2022年9月底" in html and "2022年5月" in html
    assert "<svg" in html and 'style="' not in html.split('id="main"')[1] and "<script>" not in html


def test_cell_drill_down_by_htmx_and_in_the_url(varied, auth, client):
    auth.as_role("leader")
    fragment = text(client.get("/board?u=city-ga&a=3.1.1", headers={"HX-Request": "true", "HX-Target": "drill"}))
    assert "<html" not in fragment and 'data-testid="drill"' in fragment
    inst = instance_by_key("police-hukou")  # 市公安局's 三（一）1 duty, if keyed so
    links = re.findall(r'href="/tasks/(\d+)"', fragment)
    assert links, fragment
    full = text(client.get("/board?u=city-ga&a=3.1.1"))
    assert 'class="cell cell-' in full and " selected" in full and 'data-testid="drill"' in full
    assert inst is None or str(inst.id) in links


def test_filters_are_in_the_url_and_bad_values_explained(varied, auth, client):
    auth.as_role("leader")
    html = text(client.get("/board?county=yanhu"))
    areas = section(html, "areas")
    assert "盐湖区民政局" in areas and "市公安局" not in areas and "永济市民政局" not in areas
    by_name = text(client.get("/board?county=盐湖区"))
    assert by_name.count('data-county="') == 1 and 'data-county="盐湖区"' in by_name
    odd = text(client.get("/board?level=省级&kind=<x>&area=9"))
    assert "层级“省级”不在可选范围内" in odd and "&lt;x&gt;" in odd


def test_liaison_sees_own_rows_plus_city_totals(varied, auth, client):
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("yh")
    html = text(client.get("/board"))
    areas = section(html, "areas")
    assert "盐湖区民政局" in areas and "市公安局" not in areas and "永济市" not in areas
    assert "上方为全市合计" in html
    api = client.get("/api/progress").get_json()
    assert {u["code"] for u in api["units"]} == {"yanhu-mz"}
    assert api["totals"]["total"] > len(api["instances"])
    assert [t["county"] for t in api["transfer"]] == ["盐湖区"]
    assert client.get("/board/decisions").status_code == 403
    assert client.get("/board/report").status_code == 403


def test_staff_see_totals_only(varied, auth, client):
    auth.as_role("staff")
    html = text(client.get("/board"))
    assert 'data-testid="headline"' in html and 'data-testid="departments"' not in html
    assert 'data-testid="transfer"' not in html and 'data-testid="red-list"' not in html
    api = client.get("/api/progress").get_json()
    assert api["units"] == [] and api["instances"] == [] and api["transfer"] == [] and api["totals"]["total"] > 200
    assert client.get("/board/transfer").status_code == 403


def test_leaders_land_on_the_board(plan, client, auth):
    make_user("boss", "leader")
    response = auth.login("boss")
    assert response.headers["Location"] == "/board"
    assert client.get("/").status_code == 200  # the home page still works for them


# ---- indicators ----------------------------------------------------------------------------------

def test_lead_liaison_reports_figures_with_history_and_audit(varied, client, auth):
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("yh")
    inst = instance_by_key("transfer-children@yanhu-mz")
    page = text(client.get(f"/tasks/{inst.id}"))
    assert 'data-testid="indicators"' in page and "移交财产项数" in page
    response = auth.post(f"/board/instances/{inst.id}/indicators", {"name": "移交儿童人数", "value": "9", "note": "含2名病残儿童"},
                         follow_redirects=True)
    assert "已填报移交儿童人数：9" in text(response)
    page = text(client.get(f"/tasks/{inst.id}"))
    assert 'data-indicator="移交儿童人数">9 人' in page and "含2名病残儿童" in page
    values = db.session.scalars(sa.select(IndicatorValue.value).where(
        IndicatorValue.instance_id == inst.id, IndicatorValue.name == "移交儿童人数").order_by(IndicatorValue.id)).all()
    assert values == [5, 7, 9]  # history kept
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "report_indicator"))
    assert entry.before == {"indicator": "移交儿童人数", "value": 7} and entry.after["value"] == 9
    own = text(client.get("/board/transfer"))
    assert 'data-total="移交儿童人数">9<' in own  # a liaison's tracker holds their own county only
    client.post("/logout", data={"csrf_token": auth.csrf})
    auth.as_role("leader")
    assert 'data-total="移交儿童人数">13<' in text(client.get("/board/transfer"))  # 9 (盐湖区) + 4 (永济市)


def test_bad_figures_are_refused_with_a_reason(varied, client, auth):
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("yh")
    inst = instance_by_key("transfer-children@yanhu-mz")
    for data, message in (({"name": "移交儿童人数", "value": "3.5", "note": "含两名临时照料"}, "不带小数点的整数"),
                          ({"name": "移交儿童人数", "value": "-1"}, "不带小数点的整数"),
                          ({"name": "移交儿童人数", "value": ""}, "请填写数值"),
                          ({"name": "在院人数", "value": "3"}, "该任务没有这项指标")):
        response = auth.post(f"/board/instances/{inst.id}/indicators", data)
        assert response.status_code == 422  # the duty page again, not a redirect that drops the typing
        form = section(response.get_data(as_text=True), "indicators")
        assert message in form and 'data-testid="form-refused"' in form
        if data.get("note"):
            assert 'value="3.5"' in form and 'value="含两名临时照料"' in form
    other = instance_by_key("transfer-children@yongji-mz")
    assert auth.post(f"/board/instances/{other.id}/indicators", {"name": "移交儿童人数", "value": "1"}).status_code == 403
    before = db.session.scalar(sa.select(sa.func.count(IndicatorValue.id)))
    assert before == 4


# ---- 批示 and the decision queue ------------------------------------------------------------------

def test_leader_instruction_reaches_the_unit_and_is_audited(varied, client, auth):
    make_user("boss", "leader")
    make_user("yh", "liaison", unit="yanhu-mz")
    auth.login("boss")
    inst = instance_by_key("transfer-children@yanhu-mz")
    refused = auth.post(f"/board/instances/{inst.id}/instruction", {"body": "  "})
    assert refused.status_code == 422 and "请填写批示内容" in section(refused.get_data(as_text=True), "instructions")
    response = auth.post(f"/board/instances/{inst.id}/instruction", {"body": "请于本周内完成档案移交。"}, follow_redirects=True)
    assert "批示已送达责任单位" in text(response)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "instruction")).after == {
        "instruction": "请于本周内完成档案移交。"}
    assert db.session.scalar(sa.select(Notice).where(Notice.unit_id == inst.unit_id)).body == "请于本周内完成档案移交。"
    client.post("/logout", data={"csrf_token": auth.csrf})
    auth.login("yh")
    page = text(client.get(f"/tasks/{inst.id}"))
    assert "请于本周内完成档案移交。" in page and "作出批示" not in page
    assert auth.post(f"/board/instances/{inst.id}/instruction", {"body": "x"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(DutyNote.id)).where(DutyNote.kind == "instruction")) == 1


def test_leader_sees_the_decision_queue_read_only(varied, client, auth):
    from datetime import date

    from portal.duties import services

    liaison = make_user("yh", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    services.request_extension(liaison, inst, "档案整理需要时间", date(2031, 1, 1))
    auth.as_role("leader")
    html = text(client.get("/board/decisions"))
    pending = html.split('data-testid="pending-extensions"')[1]
    assert "测试yh" in pending and "档案整理需要时间" in pending and "2031年1月1日" in pending
    assert "<form" not in html.split('id="main"')[1].split("</main>")[0].replace('class="header-search"', "")
    closes = html.split('data-testid="pending-closes"')[1].split("</table>")[0]
    assert "做好儿童移交工作" in closes  # 临猗县's request (set by the fixture)


# ---- the 台账 ------------------------------------------------------------------------------------

def test_ledger_county_filter_covers_all_its_units(plan, client, auth):
    auth.as_role("leader")
    html = text(client.get("/tasks/?unit=yanhu&sort=unit"))
    units = set(re.findall(r"<td[^>]*>(盐湖区[^<]+)<", html))
    assert {"盐湖区民政局", "盐湖区公安局"} <= units
    api = client.get("/api/duties?county=盐湖区").get_json()
    assert {r["lead_unit"] for r in api} >= {"yanhu-mz", "yanhu-ga", "yanhu-jk"}
    assert all(r["lead_unit"].startswith("yanhu") or r["role"] == "cooperating" for r in api)
    assert client.get("/api/duties?county=火星").get_json() == []


def test_ledger_empty_result_says_why(plan, client, auth):
    auth.as_role("leader")
    html = text(client.get("/tasks/?unit=yanhu-ga&state=closed"))
    assert "盐湖区公安局在状态（已销号）下没有任务" in html and "清除其他筛选条件" in html and "查看全部单位" in html


def test_ledger_all_units_is_paginated(plan, client, auth):
    auth.as_role("leader")
    first = text(client.get("/tasks/?unit="))
    assert first.count("<tr data-key=") == 50 and "第 1 /" in first
    total = int(re.search(r"共 (\d+) 项", first).group(1))
    last_page = -(-total // 50)
    last = text(client.get(f"/tasks/?unit=&page={last_page}"))
    assert last.count("<tr data-key=") == total - 50 * (last_page - 1)


# ---- the 通报 ------------------------------------------------------------------------------------

def test_report_print_view_and_word(varied, client, auth):
    from docx import Document

    auth.as_role("leader")
    html = text(client.get("/board/report?county=yanhu&start=2022-09-01&end=2022-09-30"))
    assert "盐湖区儿童福利机构优化提质和创新转型工作推进情况通报" in html
    assert "运民发〔2021〕74号" in html and "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案" in html
    assert "统计期间：2022年9月1日至2022年9月30日" in html
    bad = text(client.get("/board/report?start=2022-13-01"))
    assert "起始日期“2022-13-01”：没有13月，请核对日期；已按默认统计期间处理" in bad
    response = client.get("/board/report.docx?county=yanhu")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in doc.paragraphs]
    # 公文 layout: the office's 版头, a 文号 to fill in, the title, the basis, sections, the 落款
    assert paragraphs[0] == "运城市民政局" and paragraphs[1] == "运民督〔2026〕　号" or paragraphs[1].startswith("运民督〔")
    assert paragraphs[3].startswith("盐湖区") and any("运民发〔2021〕74号" in p for p in paragraphs)
    for heading in ("一、总体情况", "二、本期与上期相比", "三、逾期任务（红灯）", "四、预警任务（黄灯）", "五、考核排名"):
        assert heading in paragraphs
    assert "附件：县级儿童福利机构移交进度" in paragraphs and "附件" in paragraphs
    transfer_table = doc.tables[-1]
    assert transfer_table.rows[0].cells[-1].text == "整体" and transfer_table.rows[-1].cells[0].text == "合计"
    assert doc.settings.odd_and_even_pages_header_footer and "PAGE" in doc.sections[0].footer._element.xml
    numbered = Document(io.BytesIO(client.get("/board/report.docx?county=yanhu&serial=7").data))
    assert numbered.paragraphs[1].text.endswith("〕7号")
    first, transfer = doc.sections[0], doc.sections[-1]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)  # A4, not US Letter
    assert (round(transfer.page_width.mm), round(transfer.page_height.mm)) == (297, 210)  # the wide table
    assert doc.core_properties.author != "python-docx" and "python-docx" not in doc.core_properties.comments
    assert doc.core_properties.created.year >= 2026
    assert client.get("/board/report.pdf").status_code == 404


def test_board_shows_a_close_at_once(varied, auth, client):
    """The rendered board is cached per data stamp: a decision must show on the next load."""
    from portal.duties import services as duty_services

    auth.as_role("leader")
    closed = lambda: int(re.search(r'data-figure="closed">(\d+)', text(client.get("/board"))).group(1))  # noqa: E731
    before = closed()
    assert closed() == before  # served again (from the cache)
    office = make_user("dcs", "admin")
    duty_services.decide_close(office, instance_by_key("transfer-children@linyi-mz"), True, "", None)
    assert closed() == before + 1


def test_counties_say_waiting_for_check_not_in_progress_and_areas_carry_titles(varied, auth, client):
    inst = instance_by_key("transfer-children@xinjiang-mz")
    for item in inst.active_items:
        item.done = True
    db.session.commit()
    auth.as_role("leader")
    html = text(client.get("/board"))
    counties = section(html, "counties")
    row = lambda name: counties.split(f">{name}</a>")[1].split("</tr>")[0]  # noqa: E731
    n = len(inst.active_items)
    assert "待申请销号" in row("新绛县") and f"{n}/{n} 步" in row("新绛县") and "推进中" not in row("新绛县")
    assert "待核验" in row("临猗县")
    assert "逾期" in row("盐湖区") and "3/7 步" in row("盐湖区")
    filters = html.split('data-testid="board-filters"')[1].split("</form>")[0]
    assert re.search(r"<option value=\"3\.1\.1\">三（一）1 做好收留和抚养工作</option>", filters)
    assert re.search(r"<option value=\"3\.2\.8\">三（二）8 做好移交工作</option>", filters)
    heads = section(html, "areas").split("</thead>")[0]  # columns name the area, not only its number
    assert re.search(r'<span class="area-no">三（二）8</span><span class="area-title">做好移交工作</span>', heads)
    legend = text(client.get("/board/transfer")).split('class="legend-line"')[1].split("</p>")[0]
    assert "待核验</span> 已申请销号、等待督查室核验" in legend and "待申请销号</span> 步骤齐全" in legend


def test_headline_queue_figures_agree_with_the_decision_page(varied, client, auth):
    """The headline's 待核验销号 / 待审批延期 (counted by one statement) say what the decision page
    lists: as many requests, and the longest wait in days is that of the oldest row."""
    from datetime import date, timedelta

    from portal.core.time import utcnow
    from portal.duties import services
    from portal.models import ExtensionRequest

    liaison = make_user("yh", "liaison", unit="yanhu-mz")
    services.request_extension(liaison, instance_by_key("transfer-children@yanhu-mz"), "档案整理需要时间",
                               date(2031, 1, 1))
    now = utcnow()
    for n, note in enumerate(db.session.scalars(sa.select(DutyNote).where(DutyNote.kind == "request_close"))):
        note.at = now - timedelta(days=9 + n)
    for ext in db.session.scalars(sa.select(ExtensionRequest)):
        ext.at = now - timedelta(days=4)
    db.session.commit()
    auth.as_role("leader")
    decisions = text(client.get("/board/decisions"))

    def waits(testid: str) -> list[int]:
        table = decisions.split(f'data-testid="{testid}"')[1].split("</table>")[0]
        return [int(w) for w in re.findall(r'data-label="已等待（天）" class="num">(\d+)<', table)]

    closes, extensions = waits("pending-closes"), waits("pending-extensions")
    assert closes and extensions == [4]
    board = text(client.get("/board"))
    figure = board.split('data-figure="pending_close">')[1].split("</dd>")[0]
    assert figure == f"{len(closes)}<small>最久已等 {max(closes)} 天</small>"
    figure = board.split('data-figure="pending_extension">')[1].split("</dd>")[0]
    assert figure == "1<small>最久已等 4 天</small>"


def test_the_report_covers_this_month_so_far_or_in_its_first_days_the_previous_month():
    from datetime import date

    from portal.board.bulletin import period

    problems: list[str] = []
    assert period({}, date(2026, 12, 1), problems) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period({}, date(2026, 1, 5), problems) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period({}, date(2026, 12, 6), problems) == (date(2026, 12, 1), date(2026, 12, 6))
    # a date given: the other one defaults to this month so far
    assert period({"start": "2026年12月1日"}, date(2026, 12, 2), problems) == (date(2026, 12, 1), date(2026, 12, 2))
    assert problems == []


def test_a_date_that_is_not_one_gives_the_whole_default_period_not_half_of_it():
    from datetime import date

    from portal.board.bulletin import period

    problems: list[str] = []
    on = date(2026, 12, 1)
    # "上个月" is not a date: before, the start fell back to this month's first day, later than the
    # typed end, and the two were swapped into 30 November – 1 December.
    got = period({"start": "上个月", "end": "2026年11月30日"}, on, problems)
    assert got == (date(2026, 11, 1), date(2026, 11, 30))
    assert problems == ["起始日期“上个月”：请按 2026年12月31日 或 2026-12-31 的格式填写日期；已按默认统计期间处理。"]
    problems.clear()
    assert period({"end": "2026年11月20日"}, on, problems) == (date(2026, 11, 1), date(2026, 11, 20))  # its month
    assert problems == []
