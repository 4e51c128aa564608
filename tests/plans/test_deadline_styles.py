"""The ways plans write a task's time and its units that the benchmark's tuned plans showed (session 9):
a 完成时限 cell read whole (「2026年12月」 is the month's end), 「无」 under 配合单位, a time inside the
assignment's bracket, 牵头责任单位/协同责任单位 lines, a time staged over several dates."""
from __future__ import annotations

from datetime import date

import pytest

from portal.plan_text.deadlines import find_deadline
from portal.plan_text.drafting import draft_duties
from portal.plan_text.reader import read_plan
from portal.plan_text.units import split_names


def draft(tmp_path, lines, issued=None):
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return {d.clause: d for d in draft_duties(read_plan(path), [], issued)}


def test_a_time_cell_is_read_whole_and_a_none_cell_names_no_unit(tmp_path):
    duties = draft(tmp_path, [
        "重点任务分工表",
        "| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |",
        "| --- | --- | --- | --- | --- |",
        "| 1 | 建设儿童关爱服务平台。 | 市民政局 | 市财政局、市教育局 | 2026年12月 |",
        "| 2 | 制定困境儿童评估办法。 | 市民政局 | 无 | 2026年6月 |",
        "| 3 | 开展关爱服务活动。 | 市民政局 | 市妇联 | 持续推进 |",
        "| 4 | 报送工作进展。 | 市民政局 | / | 每季度 |",
    ])
    first, second, third, fourth = (duties[f"tb1.{k}"] for k in range(1, 5))
    assert (first.deadline_text, first.deadline) == ("2026年12月", date(2026, 12, 31))
    assert (second.cooperating, second.deadline) == ([], date(2026, 6, 30))
    assert (third.deadline_text, third.deadline) == ("持续推进", None)
    assert (fourth.cooperating, fourth.deadline_text, fourth.deadline) == ([], "每季度", None)


@pytest.mark.parametrize("cell", ["无", "暂无", "/", "—", " 无 "])
def test_a_cell_saying_none_is_no_name(cell):
    assert split_names(cell) == []


def test_a_time_inside_the_bracket_is_the_items_time_and_no_unit(tmp_path):
    duties = draft(tmp_path, [
        "湘西自治州人民政府", "2020年2月22日", "湘西自治州2020年工作计划", "一、提升政务服务效能",
        "1.加大简政放权力度。承接好省下放行政许可事项。（牵头单位:州行政审批服务局;责任单位:州司法局、州委编办及州直相关单位,"
        "各县市人民政府,6月底完成）",
    ])
    duty = duties["1.1"]
    assert duty.lead == ["州行政审批服务局"]
    assert duty.cooperating == ["州司法局", "州委编办", "州直相关单位", "各县市人民政府"]
    assert (duty.deadline_text, duty.deadline) == ("6月底完成", date(2020, 6, 30))


def test_lines_naming_the_kind_before_the_responsible_unit(tmp_path):
    duties = draft(tmp_path, [
        "2020年市政府重点工作及责任分解", "一、确保完成全年主要预期目标",
        "1. 地区生产总值增长8%以上。",
        "牵头负责领导:金力。",
        "牵头责任单位:市发展改革委。",
        "协同责任单位:市经信局、市商务局、滁州经开区管委会、中新苏滁高新区管委会等,各县、市、区政府。",
    ])
    duty = duties["1.1"]
    assert duty.lead == ["市发展改革委"]  # the leader's name is no unit
    # a zone's 管委会 is named after its place: no 市 put before it
    assert duty.cooperating == ["市经信局", "市商务局", "滁州经开区管委会", "中新苏滁高新区管委会", "各县、市、区政府"]
    assert duty.deadline is None


@pytest.mark.parametrize(("text", "words", "day"), [
    ("确保到2032年底，贡山县实现目标；2033年底，泸水市实现目标；2034年底，福贡县实现目标。", "2034年底", date(2034, 12, 31)),
    ("2022年6月底前完成摸底排查，年底前建立台账。", "年底前", date(2022, 12, 31)),
    ("于2012年10月底前制定实施细则；各区要于2012年底前制定落实意见。", "2012年底前", date(2012, 12, 31)),
])
def test_a_staged_time_ends_at_its_last_stage(text, words, day):
    found = find_deadline(text)
    assert (found.text, found.day) == (words, day)


def test_an_undated_plans_spans_count_from_the_start_it_names_for_its_period(tmp_path):
    duties = draft(tmp_path, [
        "关于推进人才集聚工程的实施意见", "一、总体目标",
        "1.目标。2012年起5年内，大力实施六大人才行动计划。",
        "二、重点项目",
        "2.经营管理人才项目。5年内重点引进100名经营管理人才。（牵头单位：市委组织部，配合单位：市国资委）",
    ])
    duty = duties["2.2"]
    assert (duty.deadline_text, duty.deadline) == ("5年内", date(2016, 12, 31))


# ---- session 10, blind batches: a table's own year, staged and month-only cells, a time in a bracket ----------


def test_cells_giving_only_a_month_take_the_year_of_the_plans_date(tmp_path):
    duties = draft(tmp_path, [
        "某县人民政府办公室关于对民生实事进行重点督办的通知",
        "某府办〔2019〕8号",
        "各乡镇人民政府:",
        "现将民生实事目标任务分解下达。",
        "某县人民政府办公室",
        "2019年3月5日",
        "附件",
        "民生实事目标任务分解表",
        "| 序号 | 民生实事 | 责任单位 | 完成时限 |",
        "| --- | --- | --- | --- |",
        "| 1 | 新建人行天桥2座。 | 县住建局 | 9月投入使用 |",
        "| 2 | 建成残疾人综合服务中心。 | 县残联 | 5月底前动工 |",
        "| 3 | 改造农贸市场1个。 | 县商务局 | 12月底前 |",
        "| 4 | 新建社区食堂。 | 县民政局 | 2月投入使用 |",
    ])
    by_row = dict(enumerate(duties.values(), start=1))  # a notice without numbered clauses: its table's rows
    assert (by_row[1].deadline_text, by_row[1].deadline) == ("9月投入使用", date(2019, 9, 30))
    assert by_row[2].deadline == date(2019, 5, 31)
    assert by_row[3].deadline == date(2019, 12, 31)
    # a month already past when the plan was issued is next year's
    assert by_row[4].deadline == date(2020, 2, 29)


@pytest.mark.parametrize(("head", "year"), [
    (["国务院关于落实重点工作部门分工的意见", "国发〔2018〕9号"], 2018),  # the 文号's year
    (["某县2021年政府工作报告任务分解"], 2021),  # the title's one year
])
def test_an_undated_plan_takes_its_year_from_its_number_or_title(tmp_path, head, year):
    duties = draft(tmp_path, [
        *head,
        "| 具体任务 | 责任单位 | 配合单位 | 完成时限 |",
        "| --- | --- | --- | --- |",
        "| 完成老年人疫苗接种。 | 卫健局 | 各乡镇 | 1月底前完成;其它事项12月底前取得明显成效并长期坚持 |",
    ])
    duty = duties["tb1.1"]
    # a staged cell is due at its last stage; 「并长期坚持」 is what follows, not the time checked
    assert (duty.deadline_text, duty.deadline) == ("12月底前", date(year, 12, 31))


def test_a_title_naming_a_span_of_years_gives_no_year(tmp_path):
    duties = draft(tmp_path, [
        "某市2021—2025年儿童发展规划任务分解",
        "| 具体任务 | 责任单位 | 完成时限 |",
        "| --- | --- | --- |",
        "| 建设儿童友好公园。 | 市住建局 | 12月底前 |",
    ])
    assert duties["tb1.1"].deadline is None


def test_a_time_after_the_bodies_in_one_bracket_is_no_unit(tmp_path):
    duties = draft(tmp_path, [
        "国务院关于落实重点工作部门分工的意见", "国发〔2018〕9号", "一、总体部署", "（一）主要目标。",
        "1.做好今年政府工作，实现经济社会发展目标任务。（国务院各部门分别负责，年内持续推进）",
        "2.推进简政放权。（市政务服务局牵头，市司法局配合，长期坚持）",
    ])
    first, second = duties["1.1.1"], duties["1.1.2"]
    assert (first.lead, first.cooperating) == (["国务院各部门"], [])
    # 年内 bounds the pushing on: due at the end of the plan's year (its 文号's), not 长期
    assert (first.deadline_text, first.deadline) == ("年内", date(2018, 12, 31))
    assert first.sources["deadline"] == "（国务院各部门分别负责，年内持续推进）"
    assert (second.lead, second.cooperating, second.deadline_text, second.deadline) == (
        ["市政务服务局"], ["市司法局"], "长期坚持", None)
