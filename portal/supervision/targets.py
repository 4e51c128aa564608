"""Whom a 催办 goes to: one duty, every late duty, a unit, the units late with a monthly report, the
counties late with a training group — each unit with the facts its message names."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from portal import refdata
from portal.core import duty_rules
from portal.core.labels import zh_date
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, CohortRule, Completion, Duty, DutyInstance, Unit
from portal.reports.services import due_date, parse_month, submissions
from portal.supervision.rules import Facts
from portal.supervision.services import Target, link_to
from portal.training import certificates
from portal.web.inputs import parse_int
from portal.web.query_args import plan_arg

MAX_TARGETS = 500  # one send; more is a list the office should narrow first


def _open_instances():
    return (sa.select(DutyInstance).join(Duty, Duty.id == DutyInstance.duty_id)
            .options(sa.orm.joinedload(DutyInstance.duty), sa.orm.joinedload(DutyInstance.unit))
            .where(~DutyInstance.archived, ~Duty.archived, DutyInstance.state.in_(duty_rules.OPEN_STATES)))


def duty_facts(inst: DutyInstance) -> Facts:
    return Facts(unit=inst.unit.name, matter=f"「{inst.duty.title}」任务", deadline=inst.deadline,
                 link=link_to("duties.instance", instance_id=inst.id))


def duty_targets(instance_ids: list[int]) -> list[Target]:
    if not instance_ids:
        return []
    stmt = _open_instances().where(DutyInstance.id.in_(instance_ids[:MAX_TARGETS])).order_by(DutyInstance.id)
    return [Target("duty", i.unit, duty_facts(i), instance_id=i.id) for i in db.session.scalars(stmt).unique()]


def overdue_targets(plan_id: int = 0) -> list[Target]:
    """Every open duty past its deadline (the office's overdue list), longest late first: every
    plan's, or the one plan's chosen where the link was (the 台账, 督办)."""
    stmt = (_open_instances().where(DutyInstance.deadline < today())
            .order_by(DutyInstance.deadline, DutyInstance.id).limit(MAX_TARGETS))
    if plan_id:
        stmt = stmt.where(Duty.plan_id == plan_id)
    return [Target("duty", i.unit, duty_facts(i), instance_id=i.id) for i in db.session.scalars(stmt).unique()]


def unit_target(code: str) -> list[Target]:
    """A unit about its board as a whole (its late duties counted in the message)."""
    unit = refdata.unit_by_code(code[:40])
    if unit is None or not unit.active:
        return []
    late = db.session.scalar(sa.select(sa.func.count()).select_from(
        _open_instances().where(DutyInstance.unit_id == unit.id, DutyInstance.deadline < today()).subquery()))
    live = db.session.get(Unit, unit.id)
    return [Target("unit", live, Facts(unit=unit.name, matter="任务台账中的任务", deadline=None,
                                       link=link_to("duties.index", unit=unit.code), overdue_items=late or 0))]


def report_targets(month: str, codes: list[str]) -> list[Target]:
    """The units whose 进展报告 for `month` is late (or, named, those of them in `codes`)."""
    due_day = current_app.config["REPORT_DUE_DAY"]
    year, mon = map(int, month.split("-"))
    out = []
    for row in submissions(month, due_day):
        if not row.late or (codes and row.unit.code not in codes):
            continue
        out.append(Target("report", row.unit, Facts(unit=row.unit.name, matter=f"{year}年{mon}月月度进展报告",
                                                    deadline=due_date(month, due_day),
                                                    link=link_to("reports.edit", unit_code=row.unit.code, month=month)),
                          about=month))
    return out[:MAX_TARGETS]


def training_targets(rule_id: int) -> list[Target]:
    """The counties with people late in one training assignment group (module, cohort, due date)."""
    rule = db.session.get(CohortRule, rule_id)
    if rule is None:
        return []
    done = sa.exists().where(Completion.trainee_id == Assignment.trainee_id,
                             Completion.module_id == Assignment.module_id, certificates.counts_as_done(today()))
    # The group as people see it: the module and its due date (in the rule's county when it names one),
    # whether each person was assigned through the rule or one by one.
    stmt = sa.select(Assignment.county_id, sa.func.count()).where(
        Assignment.module_id == rule.module_id, Assignment.due == rule.due, Assignment.active,
        Assignment.due < today(), ~done)
    if rule.county_id is not None:
        stmt = stmt.where(Assignment.county_id == rule.county_id)
    rows = db.session.execute(stmt.group_by(Assignment.county_id)).all()
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([r[0] for r in rows])))}
    out = []
    for county_id, late in sorted(rows, key=lambda r: units[r[0]].sort_order):
        unit = units[county_id]
        matter = f"培训「{rule.module.title}」（{zh_date(rule.due)}前完成，{late}人逾期）"
        out.append(Target("training", unit, Facts(unit=unit.name, matter=matter, deadline=rule.due,
                                                  link=link_to("training.overdue", county=unit.code)),
                          about=str(rule.id)))
    return out


def from_args(args) -> tuple[list[Target], str]:
    """The targets a 催办 link names (?instance=…, ?scope=overdue, ?unit=…, ?report=YYYY-MM[&unit=…],
    ?training=<group>) and what the page calls them."""
    if args.get("scope") == "overdue":
        plan_id = plan_arg(args)
        return overdue_targets(plan_id), f"《{refdata.plan(plan_id).title}》的全部逾期任务" if plan_id else "全部逾期任务"
    if args.get("report"):
        month = parse_month(args.get("report", "")[:7])
        return (report_targets(month, args.getlist("unit")), "逾期未报的月度进展报告") if month else ([], "")
    if args.get("training"):
        rule_id = parse_int(args.get("training", ""), 1)
        return (training_targets(rule_id), "培训逾期") if rule_id else ([], "")
    if args.getlist("instance"):
        ids = [i for i in (parse_int(v, 1) for v in args.getlist("instance")[:MAX_TARGETS]) if i]
        return duty_targets(ids), "任务"
    if args.get("unit"):
        return unit_target(args.get("unit", "")), "单位"
    return [], ""
