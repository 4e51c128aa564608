"""Control characters already stored (Word's line break U+000B, ESC, BEL, …) and a township named with
/ \\ ? * [ ] : never break an export: every .xlsx, .docx and .csv opens, the text keeps its line breaks
as line breaks, and the same characters typed or imported today are normalised on the way in."""
from __future__ import annotations

import io

import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from portal.core.time import today
from portal.export_text import safe_cell, sheet_title
from portal.extensions import db
from portal.models import Duty, DutyInstance, DutyNote, Trainee, TrainingPlace, Unit
from portal.text import clean_text
from portal.training.exports import initial_passwords_xlsx
from tests.conftest import make_user
from tests.factories import gen_instance, gen_liaison, gen_note, gen_session
from tests.training.test_reports import setup_state

WORD_NOTE = "第一段\x0b第二段\x1b[31m\x07结束"  # a line break pasted from Word, an ESC sequence, a BEL
TOWNSHIP = "北城/街道\\[一]:*?\x1b"
EXPORTS = [
    "/tasks/export.xlsx", "/tasks/export.csv", "/tasks/export.xlsx?unit=", "/duties/plan.xlsx", "/duties/plan.csv",
    "/board/report.xlsx", "/board/report.docx",
    "/training/reports/matrix?county=yanhu&format=xlsx", "/training/reports/city?format=xlsx",
    "/training/reports/city?by=module&format=xlsx", "/training/reports/overdue?format=xlsx",
    "/training/coverage/yanhu.xlsx", "/training/roster/template.xlsx",
]


def store_control_characters() -> int:
    """What earlier versions stored as typed, written past today's input normalisation."""
    inst = gen_instance("transfer-children@yanhu-mz")
    gen_note(gen_liaison("cc-mz"), inst, WORD_NOTE)  # the service keeps what it is given
    db.session.execute(sa.update(DutyInstance).where(DutyInstance.id == inst.id)
                       .values(responsible_name="王\x1b五", responsible_phone="0359\x0b123456"))
    db.session.execute(sa.update(Duty).values(title=Duty.title + "\x0b（续）\x1b"))
    db.session.execute(sa.update(Unit).where(Unit.code == "yanhu-mz").values(name="盐湖区民政局\x07"))
    setup_state()
    township = db.session.scalar(sa.select(TrainingPlace).where(TrainingPlace.name == "北城街道"))
    township.name = TOWNSHIP
    db.session.execute(sa.update(Trainee).where(Trainee.phone == "13800000004").values(name="主任\x0b丁\x1b"))
    db.session.commit()
    return township.id


def texts(response) -> list[str]:
    data, kind = response.data, response.mimetype
    if kind.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(data))
        return [ws.title for ws in book.worksheets] + [str(c.value) for ws in book.worksheets
                                                       for row in ws.iter_rows() for c in row if c.value is not None]
    if kind.endswith("wordprocessingml.document"):
        doc = Document(io.BytesIO(data))
        return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [response.get_data(as_text=True).replace("\r\n", "\n")]  # the CSV's own row ends


def test_every_export_opens_with_control_characters_stored(app, plan, client, auth):
    township_id = store_control_characters()
    make_user("cc-admin", "admin", "trainer", "leader")
    auth.login("cc-admin")
    urls = EXPORTS + [f"/training/reports/matrix?county=yanhu&township={township_id}&format=xlsx"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = texts(response)
        assert not any(clean_text(t) != t for t in found), url  # no control character left anywhere
        if url.startswith("/tasks/export"):
            assert "第一段\n第二段[31m结束" in found[-1] if url.endswith("csv") else "第一段\n第二段[31m结束" in found, url
            assert any("王五" == t for t in found) or "王五" in found[-1], url
    matrix = client.get(f"/training/reports/matrix?county=yanhu&township={township_id}&format=xlsx")
    title = load_workbook(io.BytesIO(matrix.data)).active.title
    assert title == sheet_title(f"盐湖区{TOWNSHIP}培训完成情况") and "／" in title and "［" in title
    assert "\x1b" not in matrix.headers["Content-Disposition"] and "/" not in matrix.headers["Content-Disposition"]
    passwords = load_workbook(io.BytesIO(initial_passwords_xlsx(today(), [("主任\x0b丁\x1b", "zr", "Pw-1")]))).active
    assert passwords.cell(3, 2).value == "主任\n丁"


def test_text_typed_or_imported_is_stored_normalised(app, plan):
    from tests.training.helpers import import_rows, sync_modules, trainee

    mz = gen_session(app, gen_liaison("cc-typist"))
    inst = gen_instance("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/notes", {"body": "甲\r\n乙\x0b丙\x1b丁\u2028戊\x7f"})
    stored = db.session.scalar(sa.select(DutyNote.body).where(DutyNote.instance_id == inst.id))
    assert stored == "甲\n乙\n丙丁\n戊"
    sync_modules()
    import_rows("督导\x1b甲,儿童督导员,盐湖区,北\x0b城街道,,13800000009,,备注\x07")
    person = trainee("13800000009")
    assert (person.name, person.township.name, person.note) == ("督导甲", "北城街道", "备注")  # places lose spaces


def test_safe_cell_keeps_formulas_out_and_text_whole():
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("\x1b=1") == "'=1" and safe_cell(12) == 12
    assert safe_cell("甲\x0b乙") == "甲\n乙"
    assert sheet_title("[]:*?/\\") == "［］：＊？／＼" and sheet_title("'\x1b'") == "工作表" and len(sheet_title("长" * 40)) == 31
