"""Plans built by hand for the tests (the reader and drafter arrive separately: their shapes are
portal.plan_text.model)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Unit
from portal.plan_text.model import Clause, DraftDuty, PlanDocument


def unit_id(code: str) -> int:
    return db.session.scalar(sa.select(Unit.id).where(Unit.code == code))


def sample_document() -> PlanDocument:
    """A small plan of another bureau: two task clauses and a general one."""
    return PlanDocument(
        title="运城市困境儿童关爱保护工作要点", number="运民字〔2026〕9号", issued=date(2026, 3, 1),
        clauses=[
            Clause("1", "一、", "总体要求", "坚持儿童利益最大化。", 1, 3),
            Clause("2", "二、", "重点任务", "", 1, 5),
            Clause("2.1", "（一）", "", "开展困境儿童摸底排查，2026年6月底前完成。（市民政局牵头，市教育局配合）", 2, 6),
            Clause("2.2", "（二）", "", "各县（市、区）建立关爱服务台账，年底前完成。（各县（市、区）民政局负责）", 2, 7),
        ])


def sample_drafts() -> list[DraftDuty]:
    mz, jy = unit_id("city-mz"), unit_id("city-jy")
    return [
        DraftDuty(clause="2.1", title="开展困境儿童摸底排查", lead=["市民政局"], cooperating=["市教育局", "市儿童之家"],
                  scope="city", deadline_text="2026年6月底前", deadline=date(2026, 6, 30),
                  quote="开展困境儿童摸底排查，2026年6月底前完成。", checklist=["制定排查方案", "完成摸底排查"],
                  lead_ids=[mz], cooperating_ids=[jy, None],
                  sources={"title": "开展困境儿童摸底排查", "lead": "（市民政局牵头，市教育局配合）",
                           "deadline": "2026年6月底前完成"}),
        DraftDuty(clause="2.2", title="建立关爱服务台账", lead=["民政部门"], cooperating=[],
                  scope="county", deadline_text="年底前", deadline=date(2026, 12, 31),
                  quote="各县（市、区）建立关爱服务台账，年底前完成。", checklist=["建立台账"],
                  lead_ids=[unit_id("yanhu-mz")], cooperating_ids=[],
                  sources={"lead": "（各县（市、区）民政局负责）", "deadline": "年底前完成"}),
    ]


def ready_plan():
    """The sample plan drafted, its unknown name mapped and its general clause given a reason: ready to publish."""
    from portal.plans import drafts

    plan = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    drafts.map_name(plan, "市儿童之家", unit_id("inst-sfly"), actor=None)
    drafts.set_no_duty(plan, "1", "总体要求，由各项任务承接。", actor=None)
    return plan



def docx_plan(path: Path, paragraphs: list[str], rows: list[list[str]]) -> Path:
    """``paragraphs``, then a table of ``rows`` (the first its header), saved at ``path``."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


CORPUS = Path(__file__).parent / "corpus"


def corpus_plan(name: str) -> str:
    """A real plan of the benchmark's corpus as its issuer published it: the source header (up to the
    line ``---``) stripped."""
    return (CORPUS / f"{name}.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]


def form_posting_to(html: str, action: str, holding: str = "") -> str:
    """The first <form> of a page posting to `action` (and holding `holding`), as drawn: where a
    refusal's message (data-testid="form-refused") and what was typed belong."""
    for part in html.split("<form")[1:]:
        form = part.split("</form>")[0]
        if f'action="{action}"' in form and holding in form:
            return form
    raise AssertionError(f"no form posting to {action}")


def refused_message(html: str) -> str:
    """The one refusal message drawn on a page."""
    found = re.findall(r'data-testid="form-refused">([^<]*)<', html)
    assert len(found) == 1, found
    return found[0]
