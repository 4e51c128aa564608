"""Downloads of the 任务台账 and the 任务分工表 (xlsx / csv); the rows are built in exports.py."""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, make_response, request
from flask_login import current_user

from portal import refdata
from portal.audit.services import record_download
from portal.core.plan import PLAN_ID
from portal.core.time import today
from portal.duties import bp
from portal.duties.division import DIVISION_HEADERS, DIVISION_WIDTHS, TITLE, division_docx, division_rows
from portal.duties.exports import (
    DUTY_TABLE_HEADERS,
    DUTY_TABLE_WIDTHS,
    LEDGER_HEADERS,
    LEDGER_WIDTHS,
    duty_table_duties,
    duty_table_numbers,
    duty_table_rows,
    ledger_rows,
    to_csv,
    to_xlsx,
)
from portal.duties.ledger import ledger_views
from portal.duties.views import ledger_filter_from_args
from portal.extensions import db
from portal.models import PolicyDocument
from portal.web.access import logged_in, no_store
from portal.web.query_args import plan_arg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, filename: str, mimetype: str):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@bp.route("/tasks/export.<fmt>")
@logged_in
@no_store  # the 具体责任人's phones
def export_ledger(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    rows = ledger_rows(ledger_views(current_user, ledger_filter_from_args(), cooperators=False), duty_table_numbers())
    name = f"任务台账-{today():%Y%m%d}.{fmt}"
    data = to_xlsx("台账", LEDGER_HEADERS, LEDGER_WIDTHS, rows) if fmt == "xlsx" else to_csv(LEDGER_HEADERS, rows)
    record_download("export", "ledger", f"任务台账（{len(rows)} 项）", {"file": name, "rows": len(rows), "format": fmt})
    return _download(data, name, XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")


@bp.route("/duties/plan.<fmt>")
@logged_in
def export_duty_table(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    rows = duty_table_rows(duty_table_duties(plan_arg(request.args) or None))  # every plan's, or the one chosen
    if fmt == "xlsx":
        return _download(to_xlsx("任务分工表", DUTY_TABLE_HEADERS, DUTY_TABLE_WIDTHS, rows), "任务分工表.xlsx", XLSX)
    return _download(to_csv(DUTY_TABLE_HEADERS, rows), "任务分工表.csv", "text/csv; charset=utf-8")


@bp.route("/duties/division.<fmt>")
@logged_in
def export_division(fmt: str):
    """The 任务分工表 as offices exchange it (序号, 工作任务, 牵头单位, 配合单位, 完成时限, 来源条款): what the
    office edits in Excel or Word and the portal reads back (`portal.plan_text.division_table`)."""
    if fmt not in ("xlsx", "docx"):
        abort(404)
    plan_id = plan_arg(request.args)
    rows = division_rows(duty_table_duties(plan_id or None))  # every plan's, or the one chosen
    if fmt == "xlsx":
        return _download(to_xlsx(TITLE, DIVISION_HEADERS, DIVISION_WIDTHS, rows), f"{TITLE}.xlsx", XLSX)
    chosen = refdata.plan(plan_id) if plan_id else None
    if chosen is not None:
        return _download(division_docx(rows, chosen.title, chosen.number), f"{TITLE}.docx", DOCX)
    plan_title = db.session.scalar(sa.select(PolicyDocument.title).where(PolicyDocument.doc_id == PLAN_ID)) or ""
    return _download(division_docx(rows, plan_title), f"{TITLE}.docx", DOCX)
