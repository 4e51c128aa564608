"""A plan's 任务分工表: downloaded (the published duties for everyone; the open draft for the office) and
an edited table uploaded back into the open draft (portal.plans.division)."""
from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal.audit.services import record_download
from portal.core.labels import size_text
from portal.core.refusals import FormKey
from portal.duties.division import DIVISION_HEADERS, DIVISION_WIDTHS, TITLE, division_docx
from portal.duties.export_views import DOCX, XLSX, _download
from portal.duties.exports import to_xlsx
from portal.plans import bp, division
from portal.plans.forms import UploadForm
from portal.plans.review_views import review_page
from portal.plans.views import plan_or_404
from portal.web.access import logged_in, requires
from portal.web.actions import attempt
from portal.web.forms import Refused

SHOWN_PROBLEMS = 30


def _table(plan, fmt: str, draft: bool):
    if fmt not in ("xlsx", "docx"):
        abort(404)
    rows = division.rows_for(plan, draft)
    name = f"{TITLE}-{plan.number or plan.title}{'（草稿）' if draft else ''}.{fmt}"
    record_download("export", "plan", f"{plan.title}：{TITLE}（{len(rows)} 项）",
                    {"file": name, "rows": len(rows), "format": fmt, "draft": draft})
    if fmt == "xlsx":
        return _download(to_xlsx(TITLE, DIVISION_HEADERS, DIVISION_WIDTHS, rows), name, XLSX)
    return _download(division_docx(rows, plan.title, plan.number), name, DOCX)


@bp.route("/plans/<int:plan_id>/division.<fmt>")
@logged_in
def division_table(plan_id: int, fmt: str):
    """The published decomposition as the 任务分工表 offices exchange."""
    return _table(plan_or_404(plan_id), fmt, draft=False)


@bp.route("/plans/<int:plan_id>/draft-division.<fmt>")
@requires("manage_plans")
def draft_division_table(plan_id: int, fmt: str):
    """The open draft as the 任务分工表, to edit in Excel or Word and upload back."""
    plan = plan_or_404(plan_id)
    if not plan.drafting:
        abort(404)
    return _table(plan, fmt, draft=True)


@bp.route("/plans/<int:plan_id>/division/import", methods=["POST"])
@requires("manage_plans")
def import_division(plan_id: int):
    plan = plan_or_404(plan_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _refused_here(plan, "页面已过期，请刷新后重试。")
    if not plan.drafting:
        return _refused_here(plan, "该方案没有待审核的草稿：请先在方案页「修订任务分工」。")
    upload = form.file.data
    filename = Path(getattr(upload, "filename", "") or "").name
    data = upload.read() if upload else b""
    refused = _refused(filename, data)
    if refused:
        return _refused_here(plan, refused)
    reports = []
    refusal = attempt(lambda: reports.append(division.import_table(plan, filename, data, current_user)),
                      division.ImportStale)
    if refusal is not None:
        return _refused_here(plan_or_404(plan_id), str(refusal))
    report = reports[0]
    if report.problems:
        shown = [f"{p.file} " + (f"第{p.line}行：" if p.line else "") + p.reason for p in report.problems[:SHOWN_PROBLEMS]]
        if len(report.problems) > SHOWN_PROBLEMS:
            shown.append(f"另有 {len(report.problems) - SHOWN_PROBLEMS} 处问题未列出。")
        return _refused_here(plan, f"「{filename}」有 {len(report.problems)} 处问题，草稿未作任何改动，请修改后重新上传：",
                             shown)
    flash(_summary(report), "success")
    return redirect(url_for("plans.review", plan_id=plan.id) + "#division")


def _refused_here(plan, why: str, problems: list[str] | None = None):
    """The review page again, the reason (and the table's problems) beside the upload form."""
    return review_page(plan, other=Refused(FormKey.DIVISION, why), problems=problems)


def _refused(filename: str, data: bytes) -> str:
    if Path(filename).suffix.lower() not in division.SUFFIXES:
        return "请上传 .xlsx 或 .docx 格式的任务分工表。"
    if not data:
        return "文件是空的。"
    if len(data) > division.MAX_BYTES:
        return f"任务分工表不能超过 {size_text(division.MAX_BYTES)}。"
    return ""


def _summary(report: division.ImportReport) -> str:
    if not (report.updated or report.added or report.dropped):
        return f"已导入任务分工表：与草稿一致，没有改动（{report.unchanged} 项）。"
    parts = [f"修改 {len(report.updated)} 项", f"新增 {len(report.added)} 项", f"删除 {len(report.dropped)} 项",
             f"未变 {report.unchanged} 项"]
    return "已导入任务分工表：" + "，".join(parts) + "。"
