"""The library's admin page: upload statute files, preview them with their problems, import;
edit the register's metadata (audited, with its history on the entry's page)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import locking
from portal.core.refusals import FormKey
from portal.policy import admin_services as svc
from portal.policy import imports
from portal.policy import services as s
from portal.policy.forms import (
    DeleteImportForm,
    ImportForm,
    RegisterEntryForm,
    RestoreImportForm,
    RetireImportForm,
    UploadForm,
)
from portal.web.access import requires
from portal.web.forms import NOTHING_REFUSED, Refused

admin_bp = Blueprint("library_admin", __name__, url_prefix="/admin/library")


@admin_bp.route("/")
@requires("manage_library")
def index():
    return _index_page(UploadForm())


def _index_page(form, error: str | None = None, retire_form=None, retiring: int | None = None,
                delete_form=None, refused: Refused = NOTHING_REFUSED):
    """The page; `refused`: a row's 撤下/恢复/删除 the service refused, its message beside that row's
    forms with the reason typed kept (422)."""
    return render_template("policy/admin.html", form=form, entries=s.register_entries(), docs=s.list_documents(),
                           imports=imports.imports(), retire_form=retire_form or RetireImportForm(),
                           restore_form=RestoreImportForm(), retiring=retiring, error=error,
                           delete_form=delete_form or DeleteImportForm(), refused=refused)


def _row_refused(import_id: int, why: Exception | str):
    return _index_page(UploadForm(), refused=Refused(FormKey.library_import(import_id), str(why), request.form)), 422


@admin_bp.route("/upload", methods=["POST"])
@requires("manage_library")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():  # the form's own messages beside it (`_form_errors.html`)
        return _index_page(form), 422
    try:
        batch = svc.stage(form.files.data or [])
    except svc.AdminError as exc:
        return _index_page(form, error=str(exc)), 400
    return redirect(url_for("library_admin.preview", batch=batch))


@admin_bp.route("/upload/<batch>")
@requires("manage_library")
def preview(batch: str):
    try:
        view = svc.preview(batch[:16])
    except svc.AdminError as exc:  # a link to a batch gone or never made (no form was sent): back to the page
        flash(str(exc), "error")
        return redirect(url_for("library_admin.index"))
    return render_template("policy/admin_preview.html", view=view, form=ImportForm(batch=view.batch))


@admin_bp.route("/import", methods=["POST"])
@requires("manage_library")
def do_import():
    form = ImportForm()
    if not form.validate_on_submit():
        return _index_page(UploadForm(), error="上传批次无效或页面已过期，请重新上传。"), 422
    try:
        run = svc.import_batch(form.batch.data, current_user.username)
    except svc.AdminError as exc:
        return _index_page(UploadForm(), error=str(exc)), 422
    return render_template("policy/admin_result.html", run=run)


@admin_bp.route("/imports/<int:import_id>/retire", methods=["POST"])
@requires("manage_library")
def retire_import(import_id: int):
    row = imports.get(import_id) or abort(404)
    form = RetireImportForm()
    if not form.validate_on_submit():
        return _index_page(UploadForm(), retire_form=form, retiring=row.id), 400
    try:
        imports.retire(row, form.reason.data, svc._content_dir(), current_user.username)
    except imports.ImportError_ as exc:
        return _row_refused(row.id, exc)
    flash(f"已撤下《{row.title}》，它不再出现在法规库和搜索中；如有需要可随时恢复。", "success")
    return redirect(url_for("library_admin.index"))


@admin_bp.route("/imports/<int:import_id>/restore", methods=["POST"])
@requires("manage_library")
def restore_import(import_id: int):
    row = imports.get(import_id) or abort(404)
    if not RestoreImportForm().validate_on_submit():
        return _row_refused(row.id, "页面已过期，请刷新后重试。")
    try:
        imports.restore(row, svc._content_dir(), current_user.username)
    except imports.ImportError_ as exc:
        return _row_refused(row.id, exc)
    flash(f"已恢复《{row.title}》。", "success")
    return redirect(url_for("library_admin.index"))


@admin_bp.route("/imports/<int:import_id>/delete", methods=["POST"])
@requires("manage_library")
def delete_import(import_id: int):
    """Delete a retired import for good, with a reason (audited); retiring is the reversible step."""
    row = imports.get(import_id) or abort(404)
    form = DeleteImportForm()
    if not form.validate_on_submit():
        return _index_page(UploadForm(), delete_form=form, retiring=row.id), 400
    title = row.title
    try:
        imports.delete(row, form.reason.data, current_user.username)
    except imports.ImportError_ as exc:
        return _row_refused(row.id, exc)
    flash(f"已删除撤下的《{title}》导入记录及其文本。", "success")
    return redirect(url_for("library_admin.index"))


@admin_bp.route("/register/<key>", methods=["GET", "POST"])
@requires("manage_library")
def register_edit(key: str):
    entry = s.get_entry(key)
    if entry is None or not entry.active:
        abort(404)
    form = RegisterEntryForm(obj=None if _posted() else _values(entry))
    error = conflict = None
    if form.validate_on_submit():
        mine = {k: getattr(form, k).data for k in svc.EDITABLE}
        try:
            svc.update_entry(entry, mine, form.stamp.data or "", current_user.username, form.overwrite.data)
        except svc.StaleEntry as exc:
            error = str(exc)
            theirs = _values(entry)
            conflict = locking.conflict({k: form[k].label.text for k in svc.EDITABLE},
                                        {k: getattr(theirs, k) for k in svc.EDITABLE}, mine, theirs.stamp,
                                        changed=("regulation", entry.key))
        except svc.AdminError as exc:
            error = str(exc)
        else:
            flash("已保存，修改已记入审计日志。", "success")
            return redirect(url_for("policy.register_entry", key=entry.key))
    status = 409 if error and "他人修改" in error else (400 if form.errors or error else 200)
    return render_template("policy/admin_register_form.html", entry=entry, form=form, error=error,
                           conflict=conflict), status


def _posted() -> bool:
    return request.method == "POST"


def _values(entry):
    class Values:
        title, number, issuer = entry.title, entry.number, entry.issuer
        issued = entry.issued.isoformat() if entry.issued else ""
        effective = entry.effective.isoformat() if entry.effective else ""
        status, aliases, notes, stamp = entry.status, entry.aliases, entry.notes, svc.stamp_of(entry)

    return Values()
