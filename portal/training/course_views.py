"""课程 pages: the courses (every trainer reads them), a course created or changed by the city's trainers
and the office (a course is the same for every county). Thin over `courses`."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import refdata
from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import TrainingCourse
from portal.training import bp, courses
from portal.training import services as s
from portal.training.course_forms import course_form
from portal.training.scope import CITY, TrainingError, can_manage
from portal.web.access import requires


def _may_edit() -> bool:
    return can_manage(current_user, CITY)


@bp.route("/training/courses")
@requires("manage_training")
def courses_list():
    return render_template("training/courses.html", courses=courses.all_courses(), modules=courses.module_index(),
                           clauses=refdata.clauses(), may_edit=_may_edit(), training_rules=training_rules,
                           modules_of=courses.modules_of)


def _values(form) -> courses.CourseValues:
    return courses.CourseValues(
        title=form.title.data.strip(), tier=form.tier.data, post=form.role.data,
        module_ids=tuple(form.modules.data or ()), clause_id=form.clause_id.data,
        description=(form.description.data or "").strip(), validity_months=form.validity_months.data,
        active=bool(form.active.data))


def _edit(course: TrainingCourse | None):
    if not _may_edit():
        if request.method == "POST":
            abort(403)
        flash("课程由市级培训管理员或管理员设定。", "info")
        return redirect(url_for("training.courses_list"))
    modules = s.live_modules()
    if request.method == "POST":
        form = course_form(modules, formdata=request.form)
        if form.validate_on_submit():
            try:
                saved, issued = courses.save_course(current_user, course, form.version.data, _values(form), today())
            except TrainingError as exc:
                db.session.rollback()
                return render_template("training/course_form.html", form=form, course=course, error=str(exc)), 409
            flash(f"课程“{saved.title}”已保存" + (f"，已为 {issued} 名已完成全部模块的人员颁发结业证书。" if issued else "。"),
                  "success")
            return redirect(url_for("training.courses_list"))
        return render_template("training/course_form.html", form=form, course=course, error=None), 422
    data = {"active": True} if course is None else {
        "title": course.title, "tier": course.tier, "role": course.post, "modules": list(course.module_ids),
        "clause_id": course.clause_id, "description": course.description, "validity_months": course.validity_months,
        "active": course.active, "version": course.version}
    return render_template("training/course_form.html", form=course_form(modules, data=data), course=course, error=None)


@bp.route("/training/courses/new", methods=["GET", "POST"])
@requires("manage_training")  # further: the city's trainers and the office
def course_new():
    return _edit(None)


@bp.route("/training/courses/<int:course_id>", methods=["GET", "POST"])
@requires("manage_training")  # further: the city's trainers and the office
def course_edit(course_id: int):
    course = db.session.get(TrainingCourse, course_id)
    if course is None:
        abort(404)
    return _edit(course)
