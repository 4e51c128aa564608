import sqlalchemy as sa
from flask import abort, render_template, request

from portal.extensions import db
from portal.models import User
from portal.units import bp
from portal.units.services import unit_by_code, unit_tree
from portal.web.access import logged_in
from portal.web.query_args import plan_arg


@bp.route("/")
@logged_in
def index():
    level = request.args.get("level", "")
    tree = unit_tree()
    if level in ("市级", "县级", "机构"):
        tree = [(root, kids) for root, kids in tree if root.level == level or any(k.level == level for k in kids)]
    counts = dict(
        db.session.execute(
            sa.select(User.unit_id, sa.func.count(User.id)).where(User.active).group_by(User.unit_id)
        ).all()
    )
    return render_template("units/index.html", tree=tree, level=level, user_counts=counts)


@bp.route("/<code>")
@logged_in
def detail(code: str):
    unit = unit_by_code(code[:40])
    if unit is None:
        abort(404)
    members = db.session.scalars(
        sa.select(User).where(User.unit_id == unit.id, User.active).order_by(User.display_name)
    ).all()
    problems: list[str] = []
    plan_id = plan_arg(request.args, problems)  # the trend chart: every plan's duties, or the one chosen
    return render_template("units/detail.html", unit=unit, members=members, plan_id=plan_id, problems=problems)
