"""Whole-roster .xlsx files (the matrix, the overdue list): served at once when small or kept, else
built in the background with a page that shows the progress and then the download link. Thin over
`portal.training.export_jobs`."""
from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from portal.audit.services import record_download
from portal.export_text import download_name
from portal.extensions import db
from portal.models import TrainingPlace, Unit
from portal.training import bp
from portal.training import export_jobs as jobs
from portal.web.access import no_store, requires
from portal.web.htmx import is_partial_request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = "找不到这次导出（导出的文件只给发起导出的人下载）。"


def deliver(spec: jobs.ExportSpec):
    """The file now (small enough to build within the request, or kept from the same figures), or a job
    and its page. The audit log records every file handed out, before it is sent."""
    rows = jobs.rows_of(spec)
    if rows <= jobs.INLINE_ROWS:
        built = jobs.build(spec, current_user)  # built before the record's commit
        record_download("export", built.object_type, built.label, jobs.audit_after(built.filename, built.rows))
        return send_file(BytesIO(built.data), as_attachment=True, download_name=download_name(built.filename), mimetype=XLSX)
    kept = jobs.kept_file(jobs.cache_name(spec, current_user))
    if kept is not None:
        about = jobs.described(spec, rows)
        return _send(kept, about["file"], about["object_type"], about["label"], about["rows"])
    job = jobs.start(spec, current_user, rows)
    return redirect(url_for("training.export_job", job_id=job.id), 303)


def _send(path, filename: str, object_type: str, label: str, rows: int):
    record_download("export", object_type, label, jobs.audit_after(filename, rows))
    return send_file(path, as_attachment=True, download_name=download_name(filename), mimetype=XLSX, max_age=0)


def _again_url(job) -> str:
    """The address that asks for the same file again (after an interruption or a failure)."""
    spec = jobs.spec_of(job)
    if spec.what == "overdue":
        return url_for("training.overdue", format="xlsx")
    county = db.session.get(Unit, spec.county_id)
    township = db.session.get(TrainingPlace, spec.township_id) if spec.township_id is not None else None
    args = {"county": county.code, "format": "xlsx"} | ({"township": township.id} if township else {})
    return url_for("training.matrix", **args)


def _not_found():
    flash(NOT_FOUND, "error")
    return redirect(url_for("training.index"))


@bp.route("/training/exports/<int:job_id>")
@requires("see_figures")
@no_store
def export_job(job_id: int):
    job = jobs.visible_job(job_id, current_user)
    if job is None:
        return _not_found()
    template = "training/_export_job.html" if is_partial_request() else "training/export_job.html"
    return render_template(template, job=job, interrupted=jobs.interrupted(job), again=_again_url(job),
                           ready=jobs.file_of(job) is not None, about=jobs.result_of(job), what=jobs.spec_of(job).what)


@bp.route("/training/exports/<int:job_id>/file")
@requires("see_figures")
@no_store
def export_file(job_id: int):
    job = jobs.visible_job(job_id, current_user)
    if job is None:
        return _not_found()
    path = jobs.file_of(job)
    if path is None:
        flash("文件尚未生成或已过期，请稍候或重新导出。", "error")
        return redirect(url_for("training.export_job", job_id=job.id))
    about = jobs.result_of(job)
    return _send(path, about["file"], about["object_type"], about["label"], about["rows"])
