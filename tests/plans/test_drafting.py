"""Drafting a plan's 任务分工 from its text: the three ways plans assign work, scope, deadlines in the
text's words and as dates, steps quoted from the clause, and names matched to the unit register."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from portal.content.policy_doc import read_document
from portal.content.units_file import parse_units
from portal.plan_text.deadlines import find_deadline
from portal.plan_text.drafting import draft_duties
from portal.plan_text.model import UnitName
from portal.plan_text.reader import read_plan
from portal.plan_text.units import match_unit, split_names, units_from_register
from tests.plans.helpers import docx_plan

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "content" / "policy" / "yunmin-2021-74.source.txt"


@pytest.fixture(scope="module")
def units():
    path = ROOT / "content" / "units.csv"
    rows, problems = parse_units(path.read_bytes(), str(path))
    assert problems == []
    return units_from_register([SimpleNamespace(id=r.line, name=r.name, short_name=r.short_name,
                                                aliases=r.aliases, level=r.level) for r in rows])


def unit_id(units, short_name):
    return next(u.id for u in units if u.short_name == short_name)


def draft(tmp_path, lines, units=(), issued=None, name="plan.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return {d.clause: d for d in draft_duties(read_plan(path), list(units), issued)}


def test_a_bracket_after_the_item_names_lead_and_cooperating_units(tmp_path, units):
    duties = draft(tmp_path, [
        "关于做好困境儿童保障工作的实施方案", "一、重点任务",
        "1. 摸清底数。2022年9月底前完成困境儿童信息排查，建立台账。（市民政局牵头，市财政局、市教育局配合）",
        "2. 加强监护。落实监护责任。（省民政厅牵头，各县（市、区）人民政府负责）"], units)
    first = duties["1.1"]
    assert (first.title, first.lead, first.cooperating) == ("摸清底数", ["市民政局"], ["市财政局", "市教育局"])
    assert first.lead_ids == [unit_id(units, "市民政局")]
    assert first.cooperating_ids == [unit_id(units, "市财政局"), unit_id(units, "市教育局")]
    assert (first.deadline_text, first.deadline) == ("2022年9月底前完成", date(2022, 9, 30))
    assert first.sources["lead"].endswith("（市民政局牵头，市财政局、市教育局配合）")
    assert first.sources["deadline"] == "2022年9月底前完成困境儿童信息排查，建立台账。"
    assert first.checklist == ["2022年9月底前完成困境儿童信息排查，建立台账。"]
    second = duties["1.2"]
    assert second.lead == ["省民政厅"] and second.lead_ids == [None]  # unknown to the register: the office maps it
    assert second.cooperating == ["各县（市、区）人民政府"] and second.cooperating_ids == [None]


def test_responsible_units_without_a_lead_take_the_first_listed_as_lead(tmp_path):
    duties = draft(tmp_path, [
        "测试工作要点", "一、重点任务",
        "（一）加强市场体系建设。推进市场体系建设。〔责任单位：省发展改革委、省市场监管局按职责分工负责。下同。〕",
        "（二）优化准入环境。推进证照分离。（市残联、市财政局负责）"])
    assert (duties["1.1"].lead, duties["1.1"].cooperating) == (["省发展改革委"], ["省市场监管局"])
    assert (duties["1.2"].lead, duties["1.2"].cooperating) == (["市残联"], ["市财政局"])


def test_lead_and_responsible_lines_under_an_item(tmp_path):
    duties = draft(tmp_path, ["测试分工方案", "一、主要目标", "1.地区生产总值增长6%左右。", "牵头单位:区发改局",
                              "责任单位:开发区,各街道、区直各部门", "完成时限:2023年年底前"])
    duty = duties["1.1"]
    assert (duty.lead, duty.cooperating) == (["区发改局"], ["开发区", "各街道", "区直各部门"])
    assert (duty.deadline_text, duty.deadline) == ("2023年年底前", date(2023, 12, 31))


def test_a_bracket_closing_a_group_of_points_assigns_the_group(tmp_path):
    duties = draft(tmp_path, ["测试责任分解", "（一）预案建设", "1.完善应急预案体系", "（1）加强应急预案管理。",
                              "（2）加强应急预案演练。", "（责任单位：市应急局、各县（市、区）人民政府）"])
    assert list(duties) == ["1.1"]
    duty = duties["1.1"]
    assert (duty.lead, duty.cooperating) == (["市应急局"], ["各县（市、区）人民政府"])
    assert duty.checklist == ["加强应急预案管理。", "加强应急预案演练。"]


def test_a_task_table_gives_a_duty_per_row(tmp_path, units):
    rows = [["序号", "工作任务", "责任单位", "完成时限"],
            ["1", "制定移交方案。", "市民政局、市公安局", "年底前"],
            ["2", "办理户籍迁移。", "公安部门", "长期坚持"]]
    path = docx_plan(tmp_path / "plan.docx", ["测试实施方案", "一、工作任务", "做好各项工作。", "运城市民政局", "2022年3月1日",
                                              "附件1", "重点任务分工表"], rows)
    duties = {d.clause: d for d in draft_duties(read_plan(path), units)}
    first, second = duties["fj1.1"], duties["fj1.2"]
    assert (first.title, first.lead, first.cooperating) == ("制定移交方案", ["市民政局"], ["市公安局"])
    assert (first.deadline_text, first.deadline) == ("年底前", date(2022, 12, 31))  # the plan's year
    assert (second.lead_ids, second.deadline_text, second.deadline) == ([unit_id(units, "市公安局")], "长期坚持", None)
    # the same shape as a row the office's 任务分工表 gives back: its clauses, and no 工作安排 of its own
    assert first.clauses == ["fj1.1"]
    assert (first.arranged_cooperating, first.deadline_arranged) == ([], False)


def test_prose_per_department_gives_a_duty_per_department_with_the_shipped_anchor_ids(units):
    duties = [d for d in draft_duties(read_plan(SOURCE), units) if d.clause.startswith("4.2.")]
    shipped = {c.id: c.text for c in read_document(ROOT / "content" / "policy" / "yunmin-2021-74.md").clauses
               if c.id.startswith("4.2.")}
    assert [d.clause for d in duties] == list(shipped)
    for duty in duties:
        assert shipped[duty.clause].replace("\n", "").startswith(duty.lead[0])
        assert duty.sources["lead"].startswith(duty.lead[0])
    by_clause = {d.clause: d for d in duties}
    assert by_clause["4.2.5"].lead_ids == [unit_id(units, "市教育局")]  # 教育部门, an alias
    assert by_clause["4.2.16"].lead == ["残联组织"]  # 「残联组织在同等条件下要……」


def test_clause_prose_takes_the_first_subject_as_lead_and_county_wide_scope(units):
    duties = {d.clause: d for d in draft_duties(read_plan(SOURCE), units)}
    transfer = duties["3.2.9"]
    assert transfer.lead == ["县（市、区）民政局"] and transfer.scope == "county" and transfer.lead_ids == [None]
    handover = duties["3.2.8"]
    assert (handover.deadline_text, handover.deadline) == ("9月底结束", date(2022, 9, 30))
    assert duties["3.1.3"].scope == "city"
    assert "1" not in duties and "2" not in duties  # 指导思想, 工作目标: no tasks
    flat = SOURCE.read_text(encoding="utf-8").replace("**", "").replace("\n", "")
    for duty in duties.values():  # every step is quoted from the plan
        for step in duty.checklist:
            assert step in flat


def test_a_mechanism_make_up_is_not_the_task_lead(tmp_path):
    duties = draft(tmp_path, ["测试方案", "一、保障措施",
                              "（一）健全机制。建立由民政部门牵头，教育、公安等部门参加的联席会议制度。财政部门要保障工作经费。"])
    assert duties["1.1"].lead == ["财政部门"]


@pytest.mark.parametrize(("text", "issued", "words", "day"), [
    ("2022年9月底前完成移交", None, "2022年9月底前完成", date(2022, 9, 30)),
    ("确保年底前全部到位", date(2022, 3, 1), "年底前", date(2022, 12, 31)),
    ("9月底前完成", date(2021, 12, 30), "9月底前完成", date(2022, 9, 30)),
    ("2023年6月30日前印发", None, "2023年6月30日前印发", date(2023, 6, 30)),
    ("2024年上半年完成", None, "2024年上半年完成", date(2024, 6, 30)),
    ("此项工作长期坚持", None, "长期坚持", None),
    ("实施期限至2021年12月31日。", None, None, None),
    ("负责长期监护和抚养的儿童", None, None, None),
])
def test_deadlines_in_the_texts_own_words(text, issued, words, day):
    found = find_deadline(text, issued)
    if words is None:
        assert found is None
    else:
        assert (found.text, found.day) == (words, day)


def test_names_match_the_register_by_name_short_name_and_alias(units):
    mz = unit_id(units, "市民政局")
    assert match_unit("运城市民政局", units) == mz
    assert match_unit("市民政局", units) == mz
    assert match_unit("民政部门", units) == mz  # the city's, though every county's 民政局 shares the alias
    assert match_unit("人力资源和社会保障部门", units) == unit_id(units, "市人社局")
    assert match_unit("各县（市、区）人民政府", units) is None
    assert match_unit("省民政厅", units) is None
    collective = UnitName(999, "各县（市、区）人民政府", "各县政府", ("各县(市、区)人民政府",), "county")
    assert match_unit("各县(市、区)人民政府", [*units, collective]) == 999
    assert split_names("市编办、市教育局以及市财政局") == ["市编办", "市教育局", "市财政局"]
    assert split_names("市级各有关部门及各县市区政府按职责分工负责") == ["市级各有关部门", "各县市区政府"]
    assert split_names("市民政局、各县（市、区）人民政府") == ["市民政局", "各县（市、区）人民政府"]


def test_aims_are_no_tasks_but_a_task_that_names_them_is(tmp_path):
    duties = draft(tmp_path, ["测试方案", "一、指导思想", "以新思想为指导。", "二、工作目标", "到2025年建成体系。",
                              "三、重点任务", "（一）加强形势研判。市应急局要定期研判形势。"])
    assert list(duties) == ["3.1"] and duties["3.1"].lead == ["市应急局"]


def test_a_plan_s_table_reads_the_office_table_s_column_words(tmp_path):
    # 协同单位 / 时限要求: words an office's 任务分工表 uses, so a plan's own table may too
    path = tmp_path / "plan.md"
    path.write_text("某某工作任务分解表\n\n| 序号 | 工作任务 | 牵头单位 | 协同单位 | 时限要求 |\n| --- | --- | --- | --- | --- |\n"
                    "| 1 | 建立工作台账。 | 市民政局 | 市财政局 | 2023年6月底前 |\n", encoding="utf-8")
    (duty,) = draft_duties(read_plan(path), [])
    assert (duty.lead, duty.cooperating, duty.deadline) == (["市民政局"], ["市财政局"], date(2023, 6, 30))


def test_a_row_led_by_one_county_s_government_with_each_county_s_bureaus_is_every_county_s():
    from portal.plan_text.division_table import read_rows  # lazy: the 任务分工表 reader, this test's only user

    units = [UnitName(1, "盐湖区", "盐湖区", (), "county"), UnitName(2, "盐湖区民政局", "盐湖区民政局", ("民政部门",), "county"),
             UnitName(3, "运城市民政局", "市民政局", ("民政部门",), "city")]
    assert match_unit("盐湖区人民政府", units) == 1 and match_unit("盐湖区政府", units) == 1
    assert match_unit("永济市人民政府", units) is None  # a county the register lacks stays unknown
    grid = [(1, ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]),
            (2, [1, "统筹推进关爱服务阵地建设", "盐湖区人民政府", "各县（市、区）民政局", "2026年12月31日"]),
            (3, [2, "建设盐湖区儿童之家", "盐湖区人民政府", "市民政局", "2026年12月31日"])]
    rows, problems = read_rows(grid, "任务分工表.xlsx", units)
    assert problems == []
    assert (rows[0].scope, rows[0].lead_ids) == ("county", [1])  # each county's government, 盐湖区 its example
    assert rows[1].scope == "city"  # with the city's bureau: 盐湖区's own task


@pytest.mark.parametrize("task_header", ["民生实事", "工作内容", "目标任务", "工作措施", "具体措施", "实事项目"])
@pytest.mark.parametrize(("lead_header", "deadline_header"), [
    ("责任单位", "完成时限"), ("牵头部门", "时间安排"), ("主办单位", "进度安排"), ("责任部门", "完成时间")])
def test_a_task_table_is_read_by_its_reviewed_column_words(tmp_path, task_header, lead_header, deadline_header):
    duties = draft(tmp_path, [
        "2016年重点工作分解表",
        f"| 序号 | {task_header} | {lead_header} | {deadline_header} |",
        "| --- | --- | --- | --- |",
        "| 1 | 新建城区公园一座。 | 县住建局 | 2016年12月底前 |",
    ])
    duty = duties["tb1.1"]
    assert (duty.lead, duty.deadline) == (["县住建局"], date(2016, 12, 31))


def test_a_units_cell_merged_over_two_rows_is_both_rows(tmp_path):
    duties = draft(tmp_path, [
        "2016年民生实事目标任务分解表",
        "| 序号 | 民生实事 | 责任单位 | 配合单位 | 完成时限 |",
        "| --- | --- | --- | --- | --- |",
        "| 1 | 开工建设老年养护楼。 | 县民政局 | 县财政局 | 2016年5月底前 |",
        "|  | 开工建设老年大学。 |  |  | 2016年12月底前 |",
        "| 2 | 新建人行天桥。 | 县住建局 |  | 2016年9月底前 |",
        "|  | 城市建设 |  |  |  |",
    ])
    assert [duties[f"tb1.{k}"].lead for k in (1, 2, 3)] == [["县民政局"], ["县民政局"], ["县住建局"]]
    assert duties["tb1.4"].lead == []  # a heading row inside the table takes no one's units
    # a 配合单位 cell may be empty of its own: it is not taken from the row above
    assert duties["tb1.2"].cooperating == [] and duties["tb1.2"].deadline == date(2016, 12, 31)


def test_responsible_units_lead_together_beside_a_cooperating_column_and_the_first_alone(tmp_path):
    beside = draft(tmp_path, [
        "2023年政府工作报告任务分解",
        "| 具体任务 | 责任单位 | 配合单位 | 完成时限 |",
        "| --- | --- | --- | --- |",
        "| 举办全县运动会。 | 卫健局、文旅局 | 各乡镇 | 12月底前 |",
        "| 改扩建社区卫生服务中心。 | 卫健局、住建局 |  | 12月底前 |",
    ])
    assert (beside["tb1.1"].lead, beside["tb1.1"].cooperating) == (["卫健局", "文旅局"], ["各乡镇"])
    assert (beside["tb1.2"].lead, beside["tb1.2"].cooperating) == (["卫健局", "住建局"], [])
    alone = draft(tmp_path, [
        "2016年民生实事目标任务分解表",
        "| 序号 | 民生实事 | 责任单位 | 完成时限 |",
        "| --- | --- | --- | --- |",
        "| 1 | 启动县图书馆新馆建设。 | 县文体广新局、县代建中心 | 12月底前 |",
    ])
    assert (alone["tb1.1"].lead, alone["tb1.1"].cooperating) == (["县文体广新局"], ["县代建中心"])
