"""The 任务台账's columns, each written once: its header, its cell on the page and its value in the
export (and the export's column width). The page (`templates/duties/_ledger_rows.html`: headers,
cells, the empty row's colspan) and the export (`portal.duties.exports.ledger_rows`,
`portal.duties.exports.LEDGER_HEADERS`, `portal.duties.exports.LEDGER_WIDTHS`) are drawn from
`COLUMNS` in the orders `PAGE` and `EXPORT`.

A page cell is a function of (cells, row, duty): `cells` is the request's
`portal.duties.ledger_cells.Cells` (repeated values rendered once), `row` a
`portal.duties.ledger.LedgerRow` (plain columns: a value the page shows must be in its select),
`duty` the row's `portal.refdata.DutyRef`. An export value is a function of an `ExportRow` (the
whole ORM instance, so the export needs no select of its own).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from portal.content.policy_doc import label_for
from portal.core import duty_rules
from portal.core.labels import open_deadline_label, zh_date
from portal.duties.ledger import InstanceView


@dataclass(frozen=True, slots=True)
class ExportRow:
    """What an export cell may read: the row's place, the full instance view, the duty's 序号 in the
    任务分工表, its latest note, and the day the export was made."""

    n: int
    view: InstanceView
    number: int | str
    note: str
    on: date


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    cell: Callable | None = None  # (cells, row, duty) -> Markup; None: not on the page
    value: Callable[[ExportRow], object] | None = None  # None: not in the export
    width: int = 12  # the export's column width
    export_header: str = ""  # when the export names it otherwise (a unit in the header)
    attrs: Markup = Markup("")  # the page cell's attributes besides data-label
    labelled: bool = True  # data-label: the header a card shows at 390 px (not on the card's title)

    @property
    def td(self) -> Markup:
        """The page cell's opening tag."""
        label = Markup(' data-label="{}"').format(self.header) if self.labelled else Markup("")
        return Markup("<td{}{}>").format(Markup(" ") + self.attrs if self.attrs else "", label)


def export_deadline(d, kind: str, period: str = ""):
    """A real date (sortable in Excel), or what the duty has instead of one: 定期（每季度）, 长期; a periodic
    duty's date is its current period's end (定期（每季度）本期至…)."""
    if d and kind == "periodic":
        return f"{open_deadline_label(kind, period)}本期至{zh_date(d)}"
    return d if d else open_deadline_label(kind, period)


def _title_cell(cells, row, duty) -> Markup:
    badge = Markup(' <span class="badge">配合</span>') if cells.my_unit_id and row.cooperating else ""
    return Markup('<a href="{}{}">{}</a>{}\n      <br><small class="muted">{}</small>').format(
        cells.tasks, row.id, duty.title, badge, duty.theme)


def _unit_cell(cells, row, duty) -> Markup:
    unit = row.unit
    out = Markup("{}").format(unit.short_name if unit else "")
    if row.responsible_name:
        out += Markup('<br><small class="muted">责任人 {}</small>').format(row.responsible_name)
    return out


def _state_cell(cells, row, duty) -> Markup:
    behind = Markup(' <small class="warn">欠进度</small>') if row.schedule == "behind" else ""
    return cells.state(row.state) + behind


def _overdue(r: ExportRow):
    inst = r.view.inst
    return (r.on - inst.deadline).days if r.view.light == duty_rules.RED and inst.deadline else ""


COLUMNS: dict[str, Column] = {
    "n": Column("序号", value=lambda r: r.n, width=6),
    "number": Column("分工表序号", value=lambda r: r.number, width=10),
    "title": Column("任务", _title_cell, lambda r: r.view.duty.title, 28, attrs=Markup('class="cell-title"'),
                    labelled=False),
    "clauses": Column("来源条款", lambda c, row, duty: c.clauses(duty),
                      lambda r: "、".join(label_for(c) for c in r.view.duty.clause_ids), 16,
                      attrs=Markup('class="nowrap"')),
    "unit": Column("单位", _unit_cell, lambda r: r.view.inst.unit.name, 20),
    "state": Column("状态", _state_cell, lambda r: duty_rules.STATE_LABELS[r.view.inst.state], 10),
    "light": Column("预警", lambda c, row, duty: c.light(row.light), lambda r: duty_rules.LIGHT_LABELS[r.view.light], 8,
                    attrs=Markup('class="cell-light"')),
    "progress": Column("进度", lambda c, row, duty: c.progress(row.progress), lambda r: r.view.progress, 8,
                       export_header="进度(%)", attrs=Markup('class="nowrap"')),
    "deadline": Column("完成时限", lambda c, row, duty: c.deadline(row, duty),
                       lambda r: export_deadline(r.view.inst.deadline, r.view.duty.deadline_kind, r.view.duty.period),
                       16, attrs=Markup('class="nowrap"')),
    "original": Column("原定时限", value=lambda r: (r.view.inst.original_deadline
                                                  if r.view.inst.original_deadline != r.view.inst.deadline else ""),
                       width=16),
    "overdue": Column("逾期天数", value=_overdue, width=10),
    "updated": Column("最近更新", value=lambda r: r.view.inst.updated_at, width=20),
    "note": Column("最新记录", value=lambda r: r.note, width=50),
    "responsible": Column("具体责任人", value=lambda r: r.view.inst.responsible_name, width=12),
    "phone": Column("联系电话", value=lambda r: r.view.inst.responsible_phone, width=16),
}

# The page's columns in order (a card at 390 px reads them top to bottom), and the export's.
PAGE: tuple[str, ...] = ("light", "title", "clauses", "unit", "state", "progress", "deadline")
EXPORT: tuple[str, ...] = ("n", "number", "title", "clauses", "unit", "state", "light", "progress", "deadline",
                           "original", "overdue", "updated", "note", "responsible", "phone")

PAGE_COLUMNS: tuple[Column, ...] = tuple(COLUMNS[k] for k in PAGE)
EXPORT_COLUMNS: tuple[Column, ...] = tuple(COLUMNS[k] for k in EXPORT)
