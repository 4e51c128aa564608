"""Downloads of the 任务台账 and the 任务分工表 (xlsx / csv); the rows are built in exports.py."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, make_response
from flask_login import current_user

from portal.access import logged_in, no_store
from portal.audit.services import record_download
from portal.duties import bp
from portal.duties.exports import (
    LEDGER_HEADERS,
    LEDGER_WIDTHS,
    PLAN_HEADERS,
    PLAN_WIDTHS,
    ledger_rows,
    plan_duties,
    plan_numbers,
    plan_rows,
    to_csv,
    to_xlsx,
)
from portal.duties.services import board, today
from portal.duties.views import board_filter_from_args

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
    rows = ledger_rows(board(current_user, board_filter_from_args(), cooperators=False), plan_numbers())
    name = f"任务台账-{today():%Y%m%d}.{fmt}"
    data = to_xlsx("台账", LEDGER_HEADERS, LEDGER_WIDTHS, rows) if fmt == "xlsx" else to_csv(LEDGER_HEADERS, rows)
    record_download("export", "ledger", f"任务台账（{len(rows)} 项）", {"file": name, "rows": len(rows), "format": fmt})
    return _download(data, name, XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")


@bp.route("/duties/plan.<fmt>")
@logged_in
def export_plan(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    rows = plan_rows(plan_duties())
    if fmt == "xlsx":
        return _download(to_xlsx("任务分工表", PLAN_HEADERS, PLAN_WIDTHS, rows), "任务分工表.xlsx", XLSX)
    return _download(to_csv(PLAN_HEADERS, rows), "任务分工表.csv", "text/csv; charset=utf-8")


@bp.route("/duties/division.<fmt>")
@logged_in
def export_division(fmt: str):
    """The 任务分工表 as offices exchange it (序号, 工作任务, 牵头单位, 配合单位, 完成时限, 来源条款): what the
    office edits in Excel or Word and the portal reads back (`portal.plan_text.division_table`)."""
    import sqlalchemy as sa

    from portal.duties.division import DIVISION_HEADERS, DIVISION_WIDTHS, TITLE, division_docx, division_rows
    from portal.extensions import db
    from portal.models import PolicyDocument
    from portal.plan import PLAN_ID

    if fmt not in ("xlsx", "docx"):
        abort(404)
    rows = division_rows(plan_duties())
    if fmt == "xlsx":
        return _download(to_xlsx(TITLE, DIVISION_HEADERS, DIVISION_WIDTHS, rows), f"{TITLE}.xlsx", XLSX)
    plan_title = db.session.scalar(sa.select(PolicyDocument.title).where(PolicyDocument.doc_id == PLAN_ID)) or ""
    return _download(division_docx(rows, plan_title), f"{TITLE}.docx", DOCX)
