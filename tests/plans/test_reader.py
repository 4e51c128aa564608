"""Reading a plan file (.txt/.md, .docx, PDF) into clauses: the 方案 read from its OCR source gives the
clause ids of the shipped, hand-marked copy; problems name the file, the line and the reason."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal.content.policy_doc import read_document
from portal.plan_text.reader import read_plan
from tests.plans.helpers import docx_plan

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "content" / "policy" / "yunmin-2021-74.source.txt"
SHIPPED = ROOT / "content" / "policy" / "yunmin-2021-74.md"


def shipped_ids() -> list[str]:
    return [c.id for c in read_document(SHIPPED).sections]


def test_source_text_gives_the_shipped_clause_ids():
    doc = read_plan(SOURCE)
    assert [c.id for c in doc.clauses] == shipped_ids()
    assert doc.title == "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案"
    assert doc.number == "运民发〔2021〕74号"
    assert doc.issued == date(2021, 12, 30)
    assert doc.problems == []


def test_clause_fields_follow_the_numbering():
    doc = read_plan(SOURCE)
    by_id = {c.id: c for c in doc.clauses}
    item = by_id["3.2.8"]
    assert (item.number, item.heading, item.level) == ("8.", "做好移交工作", 3)
    assert item.text.startswith("儿童移交工作从2022年5月份启动、9月底结束")
    assert by_id["3.1"].level == 2 and by_id["3.1"].heading == "推进市福利院优化提质"
    assert by_id["1"].heading == "指导思想" and "习近平新时代" in by_id["1"].text
    # the line is where the clause starts in the file the user gave
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    assert "8. 做好移交工作" in lines[item.line - 1]
    # a clause's text is its own, not its children's
    assert by_id["3"].text == "" and "教育部门" in by_id["4.2"].text


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> None:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)


TASK_TABLE = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
              ["1", "制定移交工作方案。", "市民政局", "市财政局、市公安局", "2022年6月底前"],
              ["2", "办理儿童户籍迁移。", "市公安局", "", "2022年9月底前"]]


def test_docx_made_from_the_source_gives_the_same_ids_and_reads_its_table(tmp_path):
    paragraphs = [line for line in SOURCE.read_text(encoding="utf-8").split("\n") if line.strip()]
    cut = next(i for i, p in enumerate(paragraphs) if p.startswith("运城市民政局办公室"))
    paragraphs = paragraphs[: cut + 2] + ["附件1", "任务分工表"]
    path = tmp_path / "方案.docx"
    write_docx(path, paragraphs, TASK_TABLE)
    doc = read_plan(path)
    ids = [c.id for c in doc.clauses]
    assert ids == shipped_ids() + ["fj1", "fj1.1", "fj1.2"]
    by_id = {c.id: c for c in doc.clauses}
    assert by_id["fj1"].heading == "任务分工表"
    assert by_id["fj1.2"].text == "办理儿童户籍迁移。"
    # `line` is the paragraph number
    assert paragraphs[by_id["3.2.8"].line - 1].startswith("**8. 做好移交工作")
    assert len(doc.tables) == 1
    first = doc.tables[0][0]
    assert first.cells["牵头单位"] == "市民政局" and first.cells["完成时限"] == "2022年6月底前"
    assert doc.number == "运民发〔2021〕74号" and doc.issued == date(2021, 12, 30)


PLAN_LINES = ["运城市民政局关于印发测试工作方案的通知", "运民发〔2022〕5号", "各县（市、区）民政局：",
              "为做好测试工作，制定本方案。", "一、工作任务",
              "（一）做好移交工作。市民政局要制定方案（市财政局配合）。",
              "1. 梳理信息。各县（市、区）民政局要梳理应移交人员信息，2022年9月底前完成。",
              "（1）建立台账。", "（2）逐人核对。", "二、保障措施", "各相关部门要加强配合。",
              "运城市民政局", "2022年3月1日"]


def test_pdf_with_a_text_layer(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 11)
    for i, line in enumerate(PLAN_LINES):
        pdf.drawString(40, 800 - 18 * i, line)
    pdf.showPage()
    pdf.save()
    doc = read_plan(path)
    assert [c.id for c in doc.clauses] == ["header", "preamble", "1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.2",
                                           "2", "closing"]
    assert doc.title == "运城市民政局关于印发测试工作方案的通知"
    assert doc.number == "运民发〔2022〕5号" and doc.issued == date(2022, 3, 1)
    assert {c.id: c for c in doc.clauses}["1.1.1.2"].heading == "逐人核对"


def test_a_scan_without_text_is_refused_with_a_reason(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(40, 40, 500, 700, fill=1)  # what a scanned page is to a text reader: a picture
    pdf.showPage()
    pdf.save()
    doc = read_plan(path)
    assert doc.clauses == []
    assert len(doc.problems) == 1
    assert doc.problems[0].file == "scan.pdf"
    assert "扫描件" in doc.problems[0].reason and "文字识别" in doc.problems[0].reason


def test_text_in_gbk_is_read(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("\n".join(PLAN_LINES).encode("gb18030"))
    doc = read_plan(path)
    assert "1.1.1.2" in [c.id for c in doc.clauses] and doc.problems == []


def test_numbering_gaps_and_repeats_are_reported_with_their_line(tmp_path):
    lines = ["测试工作方案", "一、工作任务", "1. 第一项。", "3. 第三项。", "3. 又一个第三项。", "二、保障"]
    path = tmp_path / "plan.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_plan(path)
    assert [c.id for c in doc.clauses] == ["header", "1", "1.1", "1.3", "2"]
    assert [(p.file, p.line) for p in doc.problems] == [("plan.md", 4), ("plan.md", 5)]
    assert "编号不连续" in doc.problems[0].reason and "重复" in doc.problems[1].reason
    # the repeated item's words stay in the text of the clause before it
    assert "又一个第三项" in {c.id: c for c in doc.clauses}["1.3"].text


@pytest.mark.parametrize(("name", "data", "words"), [
    ("plan.doc", b"\xd0\xcf\x11\xe0 old word", "不支持的文件类型"),
    ("plan.docx", b"not a zip at all", "已损坏"),
    ("plan.pdf", b"%PDF-1.4 broken", "PDF"),
    ("plan.txt", b"", "空的"),
    ("plan.txt", "只有一段话，没有编号。".encode(), "没有找到"),
])
def test_unreadable_files_get_a_chinese_reason(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    doc = read_plan(path)
    assert doc.problems and words in doc.problems[0].reason
    assert all(p.file == name and p.line >= 1 for p in doc.problems)


def test_docx_beyond_the_package_limits_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w") as package:
        for i in range(301):
            package.writestr(f"part{i}.xml", "<x/>")
    doc = read_plan(path)
    assert doc.clauses == [] and "上限" in doc.problems[0].reason


def test_word_automatic_numbering_is_reported(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("测试工作方案")
    document.add_paragraph("一、工作任务")
    document.add_paragraph("做好移交工作。", style="List Number")
    path = tmp_path / "auto.docx"
    document.save(path)
    doc = read_plan(path)
    assert [(p.line, "自动编号" in p.reason) for p in doc.problems] == [(3, True)]


def test_two_task_tables_in_one_attachment_number_their_rows_on(tmp_path):
    lines = ["测试方案", "一、工作任务", "做好工作。", "运城市民政局", "2022年3月1日", "附件1", "任务分工表",
             "| 序号 | 工作任务 | 牵头单位 |", "|---|---|---|", "| 1 | 甲。 | 市民政局 |",
             "", "| 序号 | 工作任务 | 牵头单位 |", "|---|---|---|", "| 1 | 乙。 | 市财政局 |"]
    path = tmp_path / "plan.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_plan(path)
    rows = {c.id: c.text for c in doc.clauses if c.id.startswith("fj1.")}
    assert rows == {"fj1.1": "甲。", "fj1.2": "乙。"}
    assert [len(t) for t in doc.tables] == [1, 1]


def test_a_plan_that_is_only_its_task_table_reads_as_its_rows(tmp_path):
    from portal.plan_text.drafting import draft_duties

    rows = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
            ["1", "制定移交方案。", "市民政局", "市公安局", "2022年9月30日前"],
            ["2", "办理户籍迁移。", "市公安局", "", "长期坚持"]]
    path = docx_plan(tmp_path / "分工表.docx", ["运城市儿童福利工作重点任务分工表"], rows)
    plan = read_plan(path)
    assert plan.problems == []
    assert plan.title == "运城市儿童福利工作重点任务分工表"
    duties = draft_duties(plan, [])
    assert [(d.title, d.lead, d.cooperating, d.deadline) for d in duties] == [
        ("制定移交方案", ["市民政局"], ["市公安局"], date(2022, 9, 30)), ("办理户籍迁移", ["市公安局"], [], None)]


def test_a_table_without_task_rows_is_no_plan(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("某某表格\n\n| 序号 | 工作任务 | 牵头单位 |\n| --- | --- | --- |\n| 1 |  | 市民政局 |\n", encoding="utf-8")
    assert any("没有找到" in p.reason for p in read_plan(path).problems)
    path.write_text("某某表格\n\n| 单位 | 人数 |\n| --- | --- |\n| 市民政局 | 3 |\n", encoding="utf-8")
    assert any("没有找到" in p.reason for p in read_plan(path).problems)
