"""收藏: the 我的收藏 page and its forms (star a document or article, folders of one's own).
Everyone signed in has their own; nothing here shows or changes another person's."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape

from portal.core.refusals import FormKey
from portal.policy import bp
from portal.policy import favourites as fav
from portal.policy import services as s
from portal.policy.forms import DeleteFolderForm, FolderForm, MoveFavouriteForm, StarForm, UnstarForm
from portal.policy.views import clause_page, document_page, star_context
from portal.web.access import any_account
from portal.web.forms import Refused, first_error
from portal.web.htmx import is_partial_request


@bp.route("/favourites/")
@any_account  # trainees (学员) too
def favourites():
    folder = None
    raw = request.args.get("folder", "").strip()
    if raw:
        folder = fav.folder_of(current_user, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        if folder is None:
            abort(404)
    return _page(folder)


def _page(folder=None, error: str = "", form=None, status: int = 200, failed: str = ""):
    return render_template("policy/favourites.html", groups=fav.groups(current_user, folder), shown=folder,
                           folders=fav.folders(current_user), folder_form=form or FolderForm(), error=error,
                           failed=failed, move_form=MoveFavouriteForm(), plain_form=DeleteFolderForm()), status


@bp.route("/favourites/star", methods=["POST"])
@any_account
def star():
    form = StarForm()
    if not form.validate_on_submit():
        return _star_refused(first_error(form), *_starred(form))
    doc = s.get_document(form.doc.data or "")
    if doc is None or not doc.active:
        abort(404)
    clause = None
    if form.clause.data:
        clause = s.get_clause(doc, form.clause.data)
        if clause is None or clause.retired:
            abort(404)
    folder = fav.folder_of(current_user, form.folder.data)
    if form.folder.data and folder is None:
        return _star_refused("所选收藏夹无效，请重新选择。", doc, clause)
    if form.action.data == "star":
        fav.star(current_user, doc, clause, folder)
        said = f"已收藏到“{folder.name if folder else fav.UNFILED}”。"
    else:
        found = fav.find(current_user, doc, clause.clause_id if clause is not None else "")
        if found is not None:
            fav.unstar(current_user, found)
        said = "已取消收藏。"
    if is_partial_request():
        return render_template("policy/_star.html", said=said, **star_context(doc, clause))
    flash(said, "success")
    if clause is not None:
        return redirect(url_for("policy.clause", doc_id=doc.doc_id, clause_id=clause.clause_id))
    return redirect(url_for("policy.document", doc_id=doc.doc_id))


def _starred(form: StarForm) -> tuple:
    """The document (and article) a refused 收藏 was posted from, where they still read (else None)."""
    doc = s.get_document(str(form.doc.data or "")[:100])
    if doc is None or not doc.active:
        return None, None
    clause = s.get_clause(doc, str(form.clause.data)[:60]) if form.clause.data else None
    return doc, clause if clause is not None and not clause.retired else None


def _star_refused(message: str, doc=None, clause=None):
    """The page the 收藏 was posted from again, the reason beside it (422); 我的收藏 when that page is
    gone. To htmx: the reason alone, in place of the star box's message."""
    if is_partial_request():
        return f'<p class="form-error" role="alert">{escape(message)}</p>', 400
    if doc is None:
        return _page(error=message, status=422)
    refused = Refused(FormKey.star(clause.clause_id if clause is not None else ""), message)
    return clause_page(doc, clause, refused) if clause is not None else document_page(doc, refused)


@bp.route("/favourites/folders", methods=["POST"])
@any_account
def folder_create():
    form = FolderForm()
    if not form.validate_on_submit():
        return _page(error=first_error(form), form=form, status=400, failed="new")
    try:
        folder = fav.create_folder(current_user, form.name.data)
    except fav.FavouriteError as exc:
        return _page(error=str(exc), form=form, status=400, failed="new")
    flash(f"已新建收藏夹“{folder.name}”。", "success")
    return redirect(url_for("policy.favourites"))


def _own_folder(folder_id: int):
    return fav.folder_of(current_user, folder_id) or abort(404)


@bp.route("/favourites/folders/<int:folder_id>/rename", methods=["POST"])
@any_account
def folder_rename(folder_id: int):
    folder = _own_folder(folder_id)
    form = FolderForm()
    if not form.validate_on_submit():
        return _page(error=first_error(form), status=400, failed=f"rename-{folder.id}")
    try:
        fav.rename_folder(current_user, folder, form.name.data)
    except fav.FavouriteError as exc:
        return _page(error=str(exc), status=400, failed=f"rename-{folder.id}")
    flash(f"收藏夹已改名为“{folder.name}”。", "success")
    return redirect(url_for("policy.favourites"))


@bp.route("/favourites/folders/<int:folder_id>/delete", methods=["POST"])
@any_account
def folder_delete(folder_id: int):
    folder = _own_folder(folder_id)
    if not DeleteFolderForm().validate_on_submit():
        return _page(error="页面已过期，请刷新后重试。", status=400)
    name = folder.name
    moved = fav.delete_folder(current_user, folder)
    flash(f"已删除收藏夹“{name}”" + (f"，其中 {moved} 项收藏移到“{fav.UNFILED}”。" if moved else "。"), "success")
    return redirect(url_for("policy.favourites"))


def _own_favourite(favourite_id: int):
    return fav.favourite_of(current_user, favourite_id) or abort(404)


@bp.route("/favourites/<int:favourite_id>/move", methods=["POST"])
@any_account
def favourite_move(favourite_id: int):
    item = _own_favourite(favourite_id)
    form = MoveFavouriteForm()
    valid = form.validate_on_submit()
    folder = fav.folder_of(current_user, form.folder.data) if valid else None
    if not valid or (form.folder.data and folder is None):
        return _page(error="所选收藏夹无效，请重新选择。", status=400)
    fav.move(current_user, item, folder)
    flash(f"已移到“{folder.name if folder else fav.UNFILED}”。", "success")
    return redirect(url_for("policy.favourites"))


@bp.route("/favourites/<int:favourite_id>/remove", methods=["POST"])
@any_account
def favourite_remove(favourite_id: int):
    item = _own_favourite(favourite_id)
    if not UnstarForm().validate_on_submit():
        return _page(error="页面已过期，请刷新后重试。", status=400)
    fav.unstar(current_user, item)
    flash("已取消收藏。", "success")
    return redirect(url_for("policy.favourites"))
