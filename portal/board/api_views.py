"""`GET /api/progress`: the board's figures as JSON, under the same access rules as the page."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from portal.board import bp, rollup, services
from portal.core.time import today
from portal.web.access import logged_in
from portal.web.query_args import plan_arg


def progress_payload(user, on, plan_id: int = 0) -> dict:
    """Every plan's figures, or one plan's (`plan_id`); the transfer tracker with its own plan only."""
    all_rows = services.load_rows(on)
    transfer_rows = all_rows
    tracked = services.transfer_duty()
    if plan_id:
        all_rows = [r for r in all_rows if r.plan_id == plan_id]
    rows = services.visible(user, all_rows)
    scope = services.scope_of(user)
    transfer = []
    if scope != services.TOTALS and not (plan_id and (tracked is None or tracked.plan_id != plan_id)):
        codes = {r.unit_code for r in rows}
        transfer = [t for t in services.transfer_rows(on, transfer_rows) if scope == services.FULL or t.unit_code in codes]
    return {
        "as_of": on.isoformat(),
        "scope": scope,
        "plan": plan_id or None,
        "totals": rollup.count(all_rows).as_dict(),
        "units": [unit_json(u) for u in rollup.by_unit(rows)],
        "instances": [instance_json(r) for r in rows],
        "transfer": [transfer_json(t) for t in transfer],
    }


def unit_json(u: rollup.UnitSummary) -> dict:
    c = u.counts
    return {"code": u.code, "name": u.name, "county": u.county_name or None, "total": c.total,
            "by_state": dict(c.by_state), "closed": c.closed, "pct_complete": c.pct_complete, "overdue": c.overdue}


def instance_json(r: rollup.Row) -> dict:
    return {"key": r.key, "plan": r.plan_id, "title": r.title, "clause_ids": list(r.clause_ids), "unit": r.unit_code,
            "unit_name": r.unit_name, "county": r.county_name or None, "state": r.state, "light": r.light,
            "progress": r.progress, "deadline": r.deadline.isoformat() if r.deadline else None,
            "url": f"/tasks/{r.instance_id}"}


def transfer_json(t: rollup.TransferRow) -> dict:
    steps = [{"name": title, "status": status} for title, status in t.cells]
    return {"county": t.county_name, "county_code": t.county_code, "unit": t.unit_code, "status": t.status,
            "closed": t.done, "steps": steps, "indicators": dict(t.indicators), "institution": t.institution}


@bp.route("/api/progress")
@logged_in
def api_progress():
    return jsonify(progress_payload(current_user, today(), plan_arg(request.args)))
