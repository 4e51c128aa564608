"""The JSON API: duty instances with their state, light, progress and checklist."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from portal import refdata
from portal.content.duties_file import deadline_text_arranged
from portal.core.labels import open_deadline_label, zh_date
from portal.duties import bp
from portal.duties.ledger import read_ledger
from portal.duties.views import ledger_filter_from_args
from portal.extensions import db
from portal.models import ChecklistItem, DutyCooperator
from portal.web.access import logged_in


@bp.route("/api/duties")
@logged_in
def api_duties():
    """Duty instances with filters (unit, state, light, area, role). Each row names a unit and its
    role in the duty: the filtered unit (or the caller's own) where it cooperates, else the lead."""
    f = ledger_filter_from_args()
    if "unit" not in request.args and "county" not in request.args:
        f.unit_code = ""  # the API lists everything unless asked for one unit
    viewpoint = f.unit_code or (current_user.unit.code if current_user.unit else "")
    rows = read_ledger(current_user, f)  # one statement; names from portal.refdata
    within = _codes_within(viewpoint)  # a county speaks for all its units
    ids = [r.id for r in rows]
    items: dict[int, list] = {}
    coops: dict[int, list[dict]] = {}
    if rows:
        for iid, title, done, arranged in db.session.execute(
                sa.select(ChecklistItem.instance_id, ChecklistItem.title, ChecklistItem.done, ChecklistItem.arranged)
                .where(ChecklistItem.instance_id.in_(ids), ~ChecklistItem.archived)
                .order_by(ChecklistItem.position, ChecklistItem.id)):
            # columns: no ORM object per item; `arranged`: the office's step, not the 方案's
            items.setdefault(iid, []).append({"title": title, "done": done, "arranged": arranged})
        for iid, unit_id, arranged in db.session.execute(
                sa.select(DutyCooperator.instance_id, DutyCooperator.unit_id, DutyCooperator.arranged)
                .where(DutyCooperator.instance_id.in_(ids))):
            unit = refdata.unit(unit_id)
            coops.setdefault(iid, []).append({"unit": unit.code, "name": unit.name, "arranged": arranged,
                                              "order": unit.sort_order})
    out = []
    for r in rows:
        duty, lead = r.duty, r.unit.code
        cooperators = sorted(coops.get(r.id, []), key=lambda c: c.pop("order", 0))
        coop_codes = {c["unit"] for c in cooperators}
        cooperating = bool(within & coop_codes) and lead not in within
        out.append({
            "key": r.key,
            "plan": duty.plan_id,  # GET /api/plans names it
            "title": duty.title,
            "clause_ids": list(duty.clause_ids),
            "unit": min(within & coop_codes) if cooperating else lead,
            "role": "cooperating" if cooperating else "lead",
            "lead_unit": lead,
            "state": r.state,
            "light": r.light,
            "progress": r.progress,
            "deadline": r.deadline.isoformat() if r.deadline else None,
            "original_deadline": r.original_deadline.isoformat() if r.original_deadline else None,
            "deadline_label": r.deadline and zh_date(r.deadline) or open_deadline_label(duty.deadline_kind, duty.period),
            "deadline_text": duty.deadline_text,
            "deadline_text_arranged": deadline_text_arranged(duty.deadline_text),
            "cooperators": cooperators,
            "checklist": items.get(r.id, []),
            "url": f"/tasks/{r.id}",
        })
    return jsonify(out)


def _codes_within(code: str) -> set[str]:
    unit = refdata.unit_by_code(code) if code else None
    if unit is None:
        return {code} if code else set()
    return {refdata.unit(uid).code for uid in refdata.unit_ids_within(unit)}
