"""The 任务分工表 as offices exchange it: 序号, 工作任务, 牵头单位, 配合单位, 完成时限, 来源条款, as .xlsx and
.docx. Written so `portal.plan_text.division_table.read_division_table` reads it back unchanged: names
from the unit register (a duty of every county as 各县（市、区）民政局), dates written out, clauses by
their labels, and what the office added marked 「（督查室安排）」 (see `portal.core.labels.ARRANGED_MARK`)."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from portal import docx_doc, refdata
from portal.content.duties_file import deadline_text_arranged
from portal.content.policy_doc import label_for
from portal.core.duty_rules import period_named
from portal.core.labels import ARRANGED_MARK, open_deadline_label, zh_date
from portal.core.plan import PLAN_NUMBER
from portal.models import Duty, DutyInstance, Unit

DIVISION_HEADERS = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限", "来源条款"]
DIVISION_WIDTHS = [6, 36, 26, 40, 22, 22]
COUNTY_WIDE = "各县（市、区）"  # how a 任务分工表 names a duty every county's bureau carries
TITLE = "任务分工表"


def division_rows(duties: list[Duty]) -> list[list]:
    """``duties``: the current duties in the plan's order (as the 任务分工表 export reads them), which
    gives each its 序号."""
    rows = []
    for n, duty in enumerate(duties, 1):
        live = [i for i in duty.instances if not i.archived]
        deadline = zh_date(duty.deadline) if duty.deadline else open_deadline_label(duty.deadline_kind, duty.period)
        if deadline_text_arranged(duty.deadline_text):
            deadline += ARRANGED_MARK
        rows.append([n, duty.title, "、".join(_leads(duty, live)), "、".join(_cooperating(duty, live)), deadline,
                     clause_labels(duty.clause_ids)])
    return rows


def clause_labels(clause_ids) -> str:
    """来源条款 as people write them (三（二）8); an id with no label form (an 附件's) as it is."""
    labels = []
    for cid in clause_ids or ():
        try:
            labels.append(label_for(cid))
        except ValueError:
            labels.append(cid)
    return "、".join(labels)


def draft_division_rows(drafts) -> list[list]:
    """A plan's open draft (PlanDraftDuty rows in order) as the same table: what the office edits before
    publishing. Names unknown to the register stay as written."""
    rows = []
    for n, d in enumerate(drafts, 1):
        per_county = d.scope == "per-county"
        named = None if d.deadline else period_named(d.deadline_text)  # 「每年」 publishes as 定期（每年）
        deadline = zh_date(d.deadline) if d.deadline else open_deadline_label("periodic" if named else "none", named or "")
        if deadline_text_arranged(d.deadline_text):
            deadline += ARRANGED_MARK
        arranged = set(d.arranged_cooperating_ids or ())
        rows.append([n, d.title, "、".join(_draft_names(d.lead, d.lead_ids, per_county)),
                     "、".join(_draft_names(d.cooperating, d.cooperating_ids, per_county, arranged)), deadline,
                     clause_labels(d.clause_ids)])
    return rows


def _draft_names(names: list[str], ids: list, per_county: bool, arranged: set | frozenset = frozenset()) -> list[str]:
    """Names as the table writes them: the register's short name; in a per-county duty a county's unit as
    各县（市、区）… (the county itself as 各县（市、区）); the office's own marked 「（督查室安排）」."""
    shown: list[str] = []
    for i, name in enumerate(names):
        uid = ids[i] if i < len(ids) else None
        unit = refdata.unit(uid) if uid else None
        if unit is None:
            text = name
        elif per_county and unit.level == "县级" and unit.parent_id:
            county = refdata.unit(unit.parent_id)
            text = COUNTY_WIDE + _kind(unit, county.code if county else "")
        elif per_county and unit.level == "县级":
            text = COUNTY_WIDE  # each county's government
        else:
            text = unit.short_name
        if uid in arranged:
            text += ARRANGED_MARK
        if text not in shown:
            shown.append(text)
    return shown


def _kind(unit: Unit, county: str) -> str:
    """盐湖区民政局 in 盐湖区 → 民政局: the kind of county unit a per-county duty names."""
    county_unit = refdata.unit_by_code(county) if county else None
    prefix = county_unit.short_name if county_unit else ""
    return unit.short_name.removeprefix(prefix) if prefix else unit.short_name


def _in_county(unit: Unit, county: str) -> bool:
    return bool(county) and unit.code.startswith(county + "-") and unit.level == "县级"


def _leads(duty: Duty, live: list[DutyInstance]) -> list[str]:
    if duty.scope == "per-county" and live:
        return [COUNTY_WIDE + _kind(live[0].unit, live[0].county)]
    units = sorted({i.unit for i in live}, key=lambda u: (u.sort_order, u.id))
    return [u.short_name for u in units]


def _cooperating(duty: Duty, live: list[DutyInstance]) -> list[str]:
    """Every instance's cooperating units once, a county's own unit as 各县（市、区）…, the office's marked."""
    names: dict[str, tuple[int, bool]] = {}
    for inst in live:
        for c in inst.cooperators:
            if duty.scope == "per-county" and _in_county(c.unit, inst.county):
                name, order = COUNTY_WIDE + _kind(c.unit, inst.county), -1
            else:
                name, order = c.unit.short_name, c.unit.sort_order
            names.setdefault(name, (order, c.arranged))
    return [name + (ARRANGED_MARK if arranged else "")
            for name, (_, arranged) in sorted(names.items(), key=lambda p: p[1][0])]


def division_docx(rows: list[list], plan_title: str = "", number: str = PLAN_NUMBER) -> bytes:
    """The table in a landscape A4 Word document, headed by the plan it divides."""
    doc, styles = docx_doc.new_document(TITLE, landscape=True)
    heading = styles.heading(TITLE, 0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    basis = f"《{plan_title}》" + (f"（{number}）" if number else "") if plan_title else number
    doc.add_paragraph(f"依据：{basis}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("注：标有“（督查室安排）”的配合单位和完成时限，方案原文未写明，由督查室确定。")
    styles.table(DIVISION_HEADERS, [[str(v) for v in row] for row in rows])
    return docx_doc.to_bytes(doc)
