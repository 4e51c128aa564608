"""The 任务分工表 round trip (issue 19): export the plan's decomposition as the table offices use
(.xlsx and .docx), read it back with portal.plan_text.division_table, and get every duty back."""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from portal.content.policy_doc import clause_id_for_label as clause_id
from portal.duties.exports import duty_table_duties
from portal.extensions import db
from portal.models import Unit
from portal.plan_text.division_table import read_division_table
from portal.plan_text.model import DraftDuty, UnitName
from portal.plan_text.units import units_from_register


def register() -> list[UnitName]:
    return units_from_register(db.session.scalars(sa.select(Unit).where(Unit.active)))


def _assert_same(duty, row) -> None:
    """One duty of the database against the row read back: lead, cooperating, deadline, clauses."""
    live = [i for i in duty.instances if not i.archived]
    assert type(row) is DraftDuty  # the drafter's shape: one model whichever source a draft comes from
    assert row.title == duty.title
    assert row.clauses == list(duty.clause_ids) and row.clause == duty.clause_ids[0]
    assert row.deadline == duty.deadline
    if duty.scope == "per-county":
        assert row.scope == "county" and len(row.lead) == 1 and row.lead_ids == [None]
        kind = row.lead[0].removeprefix("各县（市、区）")
        assert all(i.unit.short_name.endswith(kind) for i in live)
    else:
        assert row.scope == "city" and None not in row.lead_ids
        assert set(row.lead_ids) == {i.unit_id for i in live}
    wanted_ids = {c.unit_id for i in live for c in i.cooperators
                  if not (duty.scope == "per-county" and c.unit.code.startswith(i.county + "-"))}
    assert {x for x in row.cooperating_ids if x is not None} == wanted_ids
    county_wide = [n for n, x in zip(row.cooperating, row.cooperating_ids, strict=True) if x is None]
    for name in county_wide:  # 各县（市、区）民政局: each instance's own county's unit of that kind
        kind = name.removeprefix("各县（市、区）")
        assert all(any(c.unit.short_name.endswith(kind) and c.unit.code.startswith(i.county + "-")
                       for c in i.cooperators) for i in live)
    arranged_units = {c.unit.short_name for i in live for c in i.cooperators if c.arranged}
    named = {n for n in row.arranged_cooperating if not n.startswith("各县")}
    assert named == {u for u in arranged_units if not any(u.endswith(n.removeprefix("各县（市、区）"))
                                                           for n in row.arranged_cooperating if n.startswith("各县"))}
    assert bool(row.arranged_cooperating) == bool(arranged_units)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_74_table_exports_and_reads_back_unchanged(plan, auth, client, tmp_path, fmt):
    auth.as_role("staff")
    response = client.get(f"/duties/division.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"任务分工表.{fmt}"
    path.write_bytes(response.data)
    rows, problems = read_division_table(path, register())
    assert problems == []
    duties = duty_table_duties()
    assert len(rows) == len(duties) == len(plan.created)
    for duty, row in zip(duties, rows, strict=True):
        _assert_same(duty, row)
    by_title = {r.title: r for r in rows}
    assert by_title["完善成年安置评估制度"].arranged_cooperating == ["市公安局"]
    assert by_title["完善成年安置评估制度"].deadline_arranged  # 未单列: the office's reading
    assert not by_title["做好儿童移交工作"].deadline_arranged
    assert by_title["应急预案定期演练"].deadline_text == "定期（每季度）"


def test_the_xlsx_table_has_the_office_columns_and_marks(plan, auth, client):
    auth.as_role("staff")
    ws = load_workbook(io.BytesIO(client.get("/duties/division.xlsx").data)).active
    assert [c.value for c in ws[1]] == ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "来源条款"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    transfer = rows["做好儿童移交工作"]
    assert transfer[2] == "各县（市、区）民政局" and transfer[4] == "2022年9月30日"
    assert transfer[5] == "三（二）8、三（一）1 第1段、四（三）"
    assert "市福利院" in transfer[3] and "各县（市、区）公安局" in transfer[3]
    assert rows["成年孤儿优先住房保障"][3] == "市民政局（督查室安排）"
    assert rows["9月1日前福利院儿童全部移交"][2] == "闻喜县儿童福利院、新绛县儿童福利院"


def _xlsx(tmp_path, rows, name="分工.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_an_edited_table_in_another_office_s_words_is_read(plan, tmp_path):
    path = _xlsx(tmp_path, [
        ["某某方案重点任务分工表"],
        ["编号", "重点任务", "责任单位", "协办单位", "时间节点", "依据"],
        [1, "建立工作台账", "市民政局", "市财政局、各县（市、区）民政局", "2023年6月底前", "三（一）2"],
        [2, "开展督导检查", "各县（市、区）民政局", "", "长期坚持", "4.1"],
        [3, "完成总结", "市民政局", "民政部门", date(2023, 12, 31), "二、四（二）6"],
    ])
    rows, problems = read_division_table(path, register())
    assert problems == []
    assert [r.title for r in rows] == ["建立工作台账", "开展督导检查", "完成总结"]
    assert rows[0].deadline == date(2023, 6, 30) and rows[0].deadline_text == "2023年6月底前"
    assert rows[0].cooperating == ["市财政局", "各县（市、区）民政局"]
    assert rows[0].cooperating_ids[0] is not None and rows[0].cooperating_ids[1] is None
    assert rows[1].scope == "county" and rows[1].deadline is None and rows[1].deadline_text == "长期坚持"
    assert rows[2].deadline == date(2023, 12, 31) and rows[2].clauses == ["2", "4.2.6"]
    mz = db.session.scalar(sa.select(Unit.id).where(Unit.code == "city-mz"))
    assert rows[2].cooperating_ids == [mz]  # 民政部门: the city's own
    assert rows[0].sources["lead"].startswith("第3行")


def test_row_and_column_errors_name_the_file_row_and_reason(plan, tmp_path):
    path = _xlsx(tmp_path, [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "来源条款"],
        [1, "任务甲", "市民政厅", "", "2022年9月30日", "三（二）8"],
        [2, "任务乙", "市民政局", "市不存在局", "尽快", "三（二）8"],
        [3, "任务丙", "市民政局", "", "2022年13月1日", "第八条"],
        [4, "", "市民政局", "", "长期", ""],
    ])
    rows, problems = read_division_table(path, register())
    assert len(rows) == 4  # read as far as it goes: the office fixes them in review
    reasons = {(p.file, p.line): p.reason for p in problems}
    assert "不认识的单位名称：市民政厅" in reasons[("分工.xlsx", 2)]
    assert [p.line for p in problems if "不认识的单位名称：市不存在局" in p.reason] == [3]
    assert any(p.line == 3 and "完成时限“尽快”读不出日期" in p.reason for p in problems)
    assert any(p.line == 4 and "完成时限" in p.reason for p in problems)
    assert any(p.line == 4 and "来源条款“第八条”不是条款编号" in p.reason for p in problems)
    assert any(p.line == 5 and p.reason == "工作任务为空" for p in problems)

    missing = _xlsx(tmp_path, [["序号", "工作任务", "配合单位", "来源条款"], [1, "任务", "市民政局", "二"]], "缺列.xlsx")
    rows, problems = read_division_table(missing, register())
    assert rows == [] and len(problems) == 1
    assert problems[0].file == "缺列.xlsx" and problems[0].line == 1
    assert "缺少列：牵头单位（或责任单位）、完成时限（或时间节点）" in problems[0].reason


def test_files_that_are_no_table_say_so(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a zip")
    rows, problems = read_division_table(bad)
    assert rows == [] and problems[0].file == "坏.xlsx" and "无法打开" in problems[0].reason
    text = tmp_path / "分工.txt"
    text.write_text("序号 工作任务", encoding="utf-8")
    assert "只能读取 .xlsx 或 .docx" in read_division_table(text)[1][0].reason


def test_merged_lead_cells_fill_every_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in (["序号", "工作任务", "牵头单位", "完成时限"], [1, "甲", "市民政局", "2022年9月30日"],
                [2, "乙", None, "2022年12月31日"]):
        ws.append(row)
    ws.merge_cells("C2:C3")
    path = tmp_path / "合并.xlsx"
    wb.save(path)
    rows, problems = read_division_table(path)
    assert problems == [] and [r.lead for r in rows] == [["市民政局"], ["市民政局"]]


def test_clause_labels_read_back_as_ids():
    assert clause_id("三（二）8") == "3.2.8" and clause_id("四（三）") == "4.3" and clause_id("二") == "2"
    assert clause_id("三（一）1 第2段") == "3.1.1.2" and clause_id("四（二）17") == "4.2.17"
    assert clause_id("3.2.8") == "3.2.8" and clause_id("十二（十一）3") == "12.11.3"
    assert clause_id("第八条") is None and clause_id("三8") is None and clause_id("三（二）0") is None
    assert clause_id("文头") == "header"


def test_division_check_command_prints_problems(plan, runner, tmp_path):
    good = _xlsx(tmp_path, [["工作任务", "牵头单位", "完成时限"], ["任务甲", "市民政局", "2022年9月30日"]], "好.xlsx")
    result = runner.invoke(args=["portal", "division-check", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 项任务，0 个问题" in result.output
    bad = _xlsx(tmp_path, [["工作任务", "牵头单位", "完成时限"], ["任务甲", "市民政厅", "尽快"]], "坏表.xlsx")
    result = runner.invoke(args=["portal", "division-check", str(bad)])
    assert result.exit_code == 1
    assert "坏表.xlsx:2: 不认识的单位名称：市民政厅" in result.output
    assert "坏表.xlsx:2: 完成时限“尽快”读不出日期" in result.output


def test_names_and_deadlines_read_as_the_plan_drafter_reads_them(plan, tmp_path):
    """One matcher, one deadline reader for plans and tables: 人力资源社会保障 without 和 is the register's
    人力资源和社会保障局, 县级民政部门 is county-wide, a county's own unit after a city one keeps its
    name, and a cell may say 第三季度 or 上半年."""
    path = _xlsx(tmp_path, [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        [1, "任务甲", "运城市人力资源社会保障局", "市民政局、盐湖区民政局", "2022年第三季度"],
        [2, "任务乙", "县级民政部门", "", "2022年上半年"],
        [3, "任务丙", "市民政局", "", "2022-09-30"],
    ])
    rows, problems = read_division_table(path, register())
    assert problems == []
    ids = dict(db.session.execute(sa.select(Unit.code, Unit.id)).all())
    assert rows[0].lead_ids == [ids["city-rs"]]
    assert rows[0].cooperating == ["市民政局", "盐湖区民政局"]
    assert rows[0].cooperating_ids == [ids["city-mz"], ids["yanhu-mz"]]
    assert rows[0].deadline == date(2022, 9, 30)
    assert rows[1].scope == "county" and rows[1].lead_ids == [None] and rows[1].deadline == date(2022, 6, 30)
    assert rows[2].deadline == date(2022, 9, 30)


def test_the_table_reader_knows_the_drafter_s_column_words(tmp_path):
    # 具体措施 / 主责单位 / 时间安排: words a plan's own task table uses, so an office's table may too
    path = _xlsx(tmp_path, [["序号", "具体措施", "主责单位", "协同单位", "时间安排"],
                            [1, "建立工作台账", "市民政局", "市财政局", "2023年6月底前"]])
    rows, problems = read_division_table(path)
    assert problems == []
    assert (rows[0].title, rows[0].lead, rows[0].cooperating) == ("建立工作台账", ["市民政局"], ["市财政局"])
    assert rows[0].deadline == date(2023, 6, 30)


def test_a_word_file_that_is_no_docx_says_what_to_do(tmp_path):
    # the plan reader's message (one way of opening Word files): a .doc or WPS file is to be saved as .docx
    import zipfile

    path = tmp_path / "分工表.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/other.xml", "<x/>")
    rows, problems = read_division_table(path)
    assert rows == [] and problems[0].file == "分工表.docx"
    assert "无法打开" in problems[0].reason and "另存为 .docx" in problems[0].reason
