"""The JSON API: duty instances with their state, light, progress and checklist."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user

from portal.access import logged_in
from portal.duties import bp
from portal.duties.services import board
from portal.duties.views import board_filter_from_args
from portal.extensions import db
from portal.models import ChecklistItem


@bp.route("/api/duties")
@logged_in
def api_duties():
    """Duty instances with filters (unit, state, light, area, role). Each row names a unit and its
    role in the duty: the filtered unit (or the caller's own) where it cooperates, else the lead."""
    f = board_filter_from_args()
    if "unit" not in request.args and "county" not in request.args:
        f.unit_code = ""  # the API lists everything unless asked for one unit
    viewpoint = f.unit_code or (current_user.unit.code if current_user.unit else "")
    views = board(current_user, f)
    within = _codes_within(viewpoint)  # a county speaks for all its units
    items: dict[int, list] = {}
    for iid, title, done in db.session.execute(sa.select(ChecklistItem.instance_id, ChecklistItem.title, ChecklistItem.done)
                                               .where(ChecklistItem.instance_id.in_([v.inst.id for v in views]),
                                                      ~ChecklistItem.archived)
                                               .order_by(ChecklistItem.position, ChecklistItem.id)):
        items.setdefault(iid, []).append({"title": title, "done": done})  # columns: no ORM object per item
    rows = []
    for v in views:
        coop_codes = {c.unit.code for c in v.inst.cooperators}
        cooperating = bool(within & coop_codes) and v.inst.unit.code not in within
        rows.append({
            "key": v.inst.key,
            "title": v.duty.title,
            "clause_ids": list(v.duty.clause_ids),
            "unit": min(within & coop_codes) if cooperating else v.inst.unit.code,
            "role": "cooperating" if cooperating else "lead",
            "lead_unit": v.inst.unit.code,
            "state": v.inst.state,
            "light": v.light,
            "progress": v.progress,
            "deadline": v.inst.deadline.isoformat() if v.inst.deadline else None,
            "original_deadline": v.inst.original_deadline.isoformat() if v.inst.original_deadline else None,
            "checklist": items.get(v.inst.id, []),
            "url": f"/tasks/{v.inst.id}",
        })
    return jsonify(rows)


def _codes_within(code: str) -> set[str]:
    from portal.duties.services import unit_ids_within
    from portal.models import Unit

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None
    if unit is None:
        return {code} if code else set()
    return set(db.session.scalars(sa.select(Unit.code).where(Unit.id.in_(unit_ids_within(unit)))))
