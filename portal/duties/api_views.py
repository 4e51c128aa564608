"""Exports, the JSON API and the coverage report."""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, current_app, jsonify, make_response, render_template, request
from flask_login import current_user

from portal.access import logged_in, roles
from portal.duties import bp
from portal.duties.exports import (
    LEDGER_HEADERS,
    LEDGER_WIDTHS,
    PLAN_HEADERS,
    PLAN_WIDTHS,
    ledger_rows,
    plan_rows,
    to_csv,
    to_xlsx,
)
from portal.duties.services import board, today
from portal.duties.sync import coverage_gaps
from portal.duties.views import board_filter_from_args
from portal.extensions import db
from portal.models import ChecklistItem, Duty
from portal.roles import ADMIN

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, filename: str, mimetype: str):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@bp.route("/tasks/export.<fmt>")
@logged_in
def export_ledger(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    rows = ledger_rows(board(current_user, board_filter_from_args()))
    stamp = f"{today():%Y%m%d}"
    if fmt == "xlsx":
        return _download(to_xlsx("台账", LEDGER_HEADERS, LEDGER_WIDTHS, rows), f"任务台账-{stamp}.xlsx", XLSX)
    return _download(to_csv(LEDGER_HEADERS, rows), f"任务台账-{stamp}.csv", "text/csv; charset=utf-8")


@bp.route("/duties/plan.<fmt>")
@logged_in
def export_plan(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    duties = db.session.scalars(sa.select(Duty).where(~Duty.archived).order_by(Duty.position)).all()
    rows = plan_rows(duties)
    if fmt == "xlsx":
        return _download(to_xlsx("任务分工表", PLAN_HEADERS, PLAN_WIDTHS, rows), "任务分工表.xlsx", XLSX)
    return _download(to_csv(PLAN_HEADERS, rows), "任务分工表.csv", "text/csv; charset=utf-8")


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
    for item in db.session.scalars(sa.select(ChecklistItem).where(
            ChecklistItem.instance_id.in_([v.inst.id for v in views]), ~ChecklistItem.archived)
            .order_by(ChecklistItem.position)):
        items.setdefault(item.instance_id, []).append(item)
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
            "checklist": [{"title": i.title, "done": i.done} for i in items.get(v.inst.id, [])],
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


@bp.route("/supervision/coverage")
@roles(ADMIN)
def coverage():
    from pathlib import Path

    gaps, problems = coverage_gaps(Path(current_app.config["CONTENT_DIR"]))
    duty_count = db.session.scalar(sa.select(sa.func.count(Duty.id)).where(~Duty.archived))
    return render_template("duties/coverage.html", gaps=gaps, problems=problems, duty_count=duty_count)
