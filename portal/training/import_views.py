"""Roster import pages: upload and preview, confirm, and a large import's progress page. Thin over
roster.py (checks, batches) and import_jobs.py (background jobs); the uploaded file waits for the
confirmation in the staging folder (portal.files.staging: never in a backup, swept when stale)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from portal.core.refusals import FormKey
from portal.files import staging
from portal.files.storage import StorageError
from portal.training import bp
from portal.training import import_jobs as jobs
from portal.training.forms import ConfirmImportForm, EmptyForm, UploadRosterForm
from portal.training.roster import check_roster, import_roster, preview
from portal.training.roster_file import HEADERS, MAX_BYTES, RowProblem
from portal.training.views import passwords_page
from portal.web.access import requires
from portal.web.forms import NOTHING_REFUSED, Refused, first_error
from portal.web.htmx import htmx_redirect, is_partial_request

STAGED = "roster"
PREVIEW_NOT_SAVED = "服务器存储空间已满，预览未能保存，本次未导入任何数据。请联系系统管理员处理后再上传。"
PREVIEW_NOT_WRITABLE = "服务器暂时无法保存上传的文件（存储目录不可写），本次未导入任何数据。请联系系统管理员。"
EXPIRED = "导入已过期或已完成，请重新上传花名册。"


def _page(form, result=None, token=None, refused: Refused = NOTHING_REFUSED):
    """The import page; refused (422): the upload or its confirmation refused, the reason beside the
    upload form (`refused`), or the roster's problems listed under it (`result`)."""
    status = 422 if refused.key or (result is not None and not result.ok) else 200
    return render_template("training/import.html", form=form, result=result, token=token,
                           confirm=ConfirmImportForm(token=token), headers=HEADERS, refused=refused,
                           jobs=jobs.waiting_for(current_user), job_status=jobs.status_text), status


@bp.route("/training/roster/import", methods=["GET", "POST"])
@requires("manage_training")
def roster_import():
    form = UploadRosterForm()
    if not form.validate_on_submit():
        return _page(form, refused=Refused(FormKey.ROSTER, first_error(form)) if form.is_submitted() else NOTHING_REFUSED)
    upload = form.file.data
    data = upload.stream.read(MAX_BYTES + 1)
    filename = upload.filename or ""
    result = import_roster(data, filename, current_user, dry_run=True)
    token = None
    if result.ok:
        try:
            stored = staging.stage(STAGED, data, ".csv" if filename.lower().endswith(".csv") else ".xlsx")
        except StorageError as exc:
            current_app.logger.error("roster preview not staged: %s", exc.detail)
            result.problems.append(RowProblem(0, "", PREVIEW_NOT_SAVED if exc.full else PREVIEW_NOT_WRITABLE))
        else:
            staging.discard(STAGED, session.get("roster_upload", ""))  # an earlier preview not confirmed
            session["roster_upload"], session["roster_upload_name"] = stored, filename[:200]
            token = stored[:32]
    return _page(form, result, token)


@bp.route("/training/roster/import/confirm", methods=["POST"])
@requires("manage_training")
def roster_import_confirm():
    form = ConfirmImportForm()
    stored = session.get("roster_upload", "")
    path = staging.staged_path(STAGED, stored)
    if not form.validate_on_submit() or not stored.startswith(form.token.data or "-") or path is None:
        return _page(UploadRosterForm(), refused=Refused(FormKey.ROSTER, EXPIRED))
    data, filename = path.read_bytes(), session.get("roster_upload_name") or path.name
    rows, checked = check_roster(data, path.name, current_user)  # the database may have changed since
    if checked.ok:
        preview(rows, checked)
    staging.discard(STAGED, stored)
    session.pop("roster_upload", None)
    session.pop("roster_upload_name", None)
    if not checked.ok:
        return _page(UploadRosterForm(), checked)
    if jobs.runs_in_background(rows, checked):
        job = jobs.start(rows, checked, filename, current_user)
        return redirect(url_for("training.import_job", job_id=job.id))
    result = import_roster(data, path.name, current_user, dry_run=False)
    if not result.ok:  # someone registered one of its phones or accounts a moment ago
        return _page(UploadRosterForm(), result)
    if not result.initial_passwords:
        flash(f"花名册已导入：{result.summary()}。", "success")
        return redirect(url_for("training.roster"))
    return passwords_page(result.initial_passwords, "花名册已导入", result.summary(), url_for("training.roster"))


def _not_found():
    abort(404, description="找不到这次导入（只有发起导入的人和管理员可以查看）。")


@bp.route("/training/roster/import/jobs/<int:job_id>")
@requires("manage_training")
def import_job(job_id: int):
    job = jobs.visible_job(job_id, current_user)
    if job is None:
        return _not_found()
    finished = job.state in ("done", "failed")
    if is_partial_request():
        if finished:  # the full page shows the outcome (and the first passwords, once)
            return htmx_redirect(url_for("training.import_job", job_id=job.id))
        return render_template("training/_import_job.html", job=job, interrupted=jobs.interrupted(job),
                               resume=EmptyForm())
    passwords = jobs.take_passwords(job, current_user) if finished else None
    if passwords:
        heading = "花名册已导入" if job.state == "done" else "花名册导入中止"
        return passwords_page(passwords, heading, jobs.summary(job) or job.message, url_for("training.roster"))
    return render_template("training/import_job.html", job=job, interrupted=jobs.interrupted(job),
                           resume=EmptyForm(), summary=jobs.summary(job), passwords_lost=passwords == [])


@bp.route("/training/roster/import/jobs/<int:job_id>/resume", methods=["POST"])
@requires("manage_training")
def import_job_resume(job_id: int):
    job = jobs.visible_job(job_id, current_user)
    if job is None:
        return _not_found()
    if EmptyForm().validate_on_submit() and jobs.resume(job):
        flash("已继续导入。", "success")
    return redirect(url_for("training.import_job", job_id=job.id))
