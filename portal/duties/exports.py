"""The 任务分工表 and the 台账 as rows, and those rows as .xlsx or .csv."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import sqlalchemy as sa

from portal import xlsx
from portal.content.duties_file import deadline_text_arranged
from portal.content.policy_doc import label_for
from portal.core.labels import ARRANGED_DEADLINE_MARK, ARRANGED_MARK, zh_date
from portal.core.time import today
from portal.duties.crossref import titled
from portal.duties.ledger import InstanceView
from portal.duties.ledger_columns import EXPORT_COLUMNS, ExportRow, export_deadline
from portal.export_text import local_cell, safe_cell
from portal.extensions import db
from portal.models import Duty, DutyInstance, DutyNote

# Rows are identified by what a 科员 reads: the duty's 序号 in the 任务分工表 (stable: the plan's order,
# not the export's filter), the 任务 and the 单位 — never by the internal duty or instance key.
DUTY_TABLE_HEADERS = ["序号", "任务", "来源条款", "牵头单位", "配合单位", "范围", "工作领域", "完成时限", "时限说明", "工作清单",
                "督查室工作安排和说明"]
DUTY_TABLE_WIDTHS = [6, 28, 16, 22, 30, 10, 16, 14, 30, 50, 40]

LEDGER_HEADERS = [c.export_header or c.header for c in EXPORT_COLUMNS]
LEDGER_WIDTHS = [c.width for c in EXPORT_COLUMNS]
SCOPE_LABELS = {"city": "市级", "per-county": "各县（市、区）", "per-unit": "各机构"}


def duty_table_numbers() -> dict[int, int]:
    """Each current duty's 序号 in the 任务分工表 (its place in the plan's order), by duty id."""
    ids = db.session.scalars(sa.select(Duty.id).where(~Duty.archived).order_by(Duty.position, Duty.id))
    return {duty_id: n for n, duty_id in enumerate(ids, 1)}


def duty_table_duties(plan_id: int | None = None) -> list[Duty]:
    """The current duties in the plan's order with what the 任务分工表 shows of their instances (units,
    cooperating units, checklist): a few statements whatever the number of duties. ``plan_id``: one
    plan's only (default every plan's)."""
    instances = sa.orm.selectinload(Duty.instances)
    query = sa.select(Duty).where(~Duty.archived)
    if plan_id is not None:
        query = query.where(Duty.plan_id == plan_id)
    return list(db.session.scalars(
        query.order_by(Duty.position, Duty.id)
        .options(instances.selectinload(DutyInstance.unit), instances.selectinload(DutyInstance.cooperators),
                 instances.selectinload(DutyInstance.items))))


def duty_table_rows(duties: list[Duty]) -> list[list]:
    """``duties``: ``duty_table_duties()``, whose order gives each its 序号."""
    rows = []
    for n, duty in enumerate(duties, 1):
        live = [i for i in duty.instances if not i.archived]
        leads = [u.short_name for u in sorted({i.unit for i in live}, key=lambda u: u.sort_order)]
        coops = arranged_names({(c.unit, c.arranged) for i in live for c in i.cooperators})
        checklist = live[0].active_items if live else []
        rows.append([
            n, duty.title, "、".join(label_for(c) for c in duty.clause_ids),
            "、".join(leads) if len(leads) <= 3 else f"{leads[0]}等{len(leads)}个单位",
            "、".join(coops) if len(coops) <= 6 else "、".join(coops[:6]) + f"等{len(coops)}个单位",
            SCOPE_LABELS.get(duty.scope, duty.scope), duty.theme, export_deadline(duty.deadline, duty.deadline_kind, duty.period),
            marked_deadline_text(duty.deadline_text),
            " → ".join(i.title + (ARRANGED_MARK if i.arranged else "") for i in checklist),
            titled(duty.arrangement or ""),  # other duties by title, never by key
        ])
    return rows


def arranged_names(cooperators) -> list[str]:
    """(unit, arranged) pairs as short names in the units' order, the office's additions marked."""
    return [u.short_name + (ARRANGED_MARK if arranged else "")
            for u, arranged in sorted(cooperators, key=lambda p: (p[0].sort_order, p[0].id))]


def marked_deadline_text(text: str) -> str:
    """A deadline text the 方案 does not state, marked as the office's (see deadline_text_arranged)."""
    return ARRANGED_DEADLINE_MARK + text if text and deadline_text_arranged(text) else text


def ledger_rows(views: list[InstanceView], numbers: dict[int, int] | None = None) -> list[list]:
    """``numbers``: the duties' 序号 in the 任务分工表 (``duty_table_numbers()``), so a row can be found there."""
    numbers = numbers or {}
    on = today()
    notes = latest_note_bodies([v.inst.id for v in views])
    rows = []
    for n, v in enumerate(views, 1):
        row = ExportRow(n, v, numbers.get(v.duty.id, ""), notes.get(v.inst.id, ""), on)
        rows.append([col.value(row) for col in EXPORT_COLUMNS])
    return rows


def latest_note_bodies(instance_ids: list[int]) -> dict[int, str]:
    """Each instance's latest note (the highest id: the order the duty page shows), in one statement."""
    if not instance_ids:
        return {}
    latest = (sa.select(sa.func.max(DutyNote.id)).where(DutyNote.instance_id.in_(instance_ids))
              .group_by(DutyNote.instance_id))
    return dict(db.session.execute(sa.select(DutyNote.instance_id, DutyNote.body).where(DutyNote.id.in_(latest))).all())


def to_xlsx(title: str, headers: list[str], widths: list[int], rows: list[list]) -> bytes:
    """A list sheet (the 台账, the 任务分工表): header row frozen and filtered, rows streamed with the
    shared styles (`portal.xlsx`), long-text columns wrapped."""
    wb = xlsx.new_book()
    xlsx.write_sheet(wb, title, headers, widths, rows, wrap=[i for i, w in enumerate(widths) if w >= 20],
                     convert=lambda v: safe_cell(local_cell(v)))
    return xlsx.to_bytes(wb)


def _csv_value(value):
    """A cell already in local time (see local_cell) as Chinese text; no further conversion."""
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return zh_date(value)
    return value


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([safe_cell(_csv_value(local_cell(v))) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly
