"""Plans: listing with their counts, one plan's page data, archiving, and the names shown for states."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.audit.services import record
from portal.extensions import db
from portal.models import AuditEntry, Duty, DutyInstance, Plan, PlanDraftDuty, Unit

STATE_LABELS = {"draft": "草稿", "published": "已发布", "archived": "已归档"}
CHANGED = "该方案刚被他人修改（发布、修订或归档），请刷新页面后再试。"


def commit_plan_change() -> str | None:
    """Commit a change of a plan's own row; `CHANGED` (nothing saved) when a colleague changed the plan
    since it was read (its version column), so two publishes of one draft cannot both happen."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return CHANGED
    return None


@dataclass(frozen=True)
class PlanCounts:
    duties: int = 0
    instances: int = 0
    closed: int = 0
    drafts: int = 0


def get_plan(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


def list_plans(state: str = "") -> list[Plan]:
    query = sa.select(Plan).order_by(Plan.id)
    if state in STATE_LABELS:
        query = query.where(Plan.state == state)
    return list(db.session.scalars(query))


def counts(plan_ids: list[int] | None = None) -> dict[int, PlanCounts]:
    """Live duties, live instances, closed instances and open draft duties per plan (three statements)."""
    where = [Duty.plan_id.in_(plan_ids)] if plan_ids is not None else []
    duties = dict(db.session.execute(sa.select(Duty.plan_id, sa.func.count(Duty.id))
                                     .where(~Duty.archived, *where).group_by(Duty.plan_id)).all())
    instances = {pid: (n, int(closed or 0)) for pid, n, closed in db.session.execute(
        sa.select(Duty.plan_id, sa.func.count(DutyInstance.id),
                  sa.func.sum(sa.case((DutyInstance.state == "closed", 1), else_=0)))
        .join(DutyInstance.duty).where(~DutyInstance.archived, *where).group_by(Duty.plan_id))}
    draft_where = [PlanDraftDuty.plan_id.in_(plan_ids)] if plan_ids is not None else []
    drafts = dict(db.session.execute(sa.select(PlanDraftDuty.plan_id, sa.func.count(PlanDraftDuty.id))
                                     .where(*draft_where).group_by(PlanDraftDuty.plan_id)).all())
    ids = set(duties) | set(instances) | set(drafts)
    return {pid: PlanCounts(duties.get(pid, 0), *instances.get(pid, (0, 0)), drafts.get(pid, 0)) for pid in ids}


def live_duties(plan: Plan) -> tuple[list[tuple[Duty, int]], PlanCounts]:
    """The plan's live duties with their live instance counts, and the plan's totals (one statement;
    the open draft's duties counted from `plan.drafts`, which its page loads anyway)."""
    live = [DutyInstance.duty_id == Duty.id, ~DutyInstance.archived]
    instances = sa.select(sa.func.count(DutyInstance.id)).where(*live).scalar_subquery()
    closed = sa.select(sa.func.count(DutyInstance.id)).where(*live, DutyInstance.state == "closed").scalar_subquery()
    rows = db.session.execute(sa.select(Duty, instances, closed).where(Duty.plan_id == plan.id, ~Duty.archived)
                              .order_by(Duty.position, Duty.id)).all()
    totals = PlanCounts(len(rows), sum(r[1] for r in rows), sum(r[2] for r in rows),
                        len(plan.drafts) if plan.drafting else 0)
    return [(r[0], r[1]) for r in rows], totals


def duties_by_clause(duties: list[tuple[Duty, int]]) -> dict[str, list[tuple[Duty, int]]]:
    """The plan's live duties (with their instance counts) under each clause they cite: a plan's text
    kept with the plan shows, clause by clause, the duties it created."""
    out: dict[str, list[tuple[Duty, int]]] = {}
    for duty, n in duties:
        for cid in dict.fromkeys(duty.clause_ids or ()):
            out.setdefault(cid, []).append((duty, n))
    return out


def archive_plan(plan: Plan) -> str | None:
    """Archive a plan: its live duties and their instances are archived with it, so they leave the board,
    the 任务台账, the home page, reminders and reports (every view already leaves archived ones out: one
    rule). Their history stays. A message when it cannot be."""
    if plan.state == "archived":
        return "该方案已归档。"
    if plan.kind != "plan":
        return "交办事项逐项办理和销号，不能整体归档。"
    before = plan.state
    plan.state = "archived"
    duties = db.session.scalars(sa.select(Duty).where(Duty.plan_id == plan.id, ~Duty.archived)).all()
    instances = db.session.scalars(sa.select(DutyInstance).join(DutyInstance.duty).where(
        Duty.plan_id == plan.id, ~DutyInstance.archived)).all()
    for duty in duties:
        duty.archived = True
        record("archive", "duty", duty.key, label=duty.title, after={"archived": True, "with_plan": plan.title})
    for inst in instances:
        inst.archived = True
    plan.archived_with = {"state": before, "duties": [d.id for d in duties], "instances": [i.id for i in instances]}
    record("archive", "plan", plan.id, label=plan.title, before={"state": before},
           after={"state": "archived", "duties": len(duties), "instances": len(instances)})
    return commit_plan_change()


def restore_plan(plan: Plan) -> str | None:
    """Restore an archived plan: the duties and instances its archiving took out of service are back in
    service (on the board, the 任务台账, the home page, reminders and reports) with their history, and the
    plan returns to the state it had. A duty an earlier revision retired stays retired. A message when it
    cannot be."""
    if plan.state != "archived":
        return "该方案未归档，无需恢复。"
    taken = plan.archived_with or {}
    duty_ids, instance_ids = taken.get("duties"), taken.get("instances")
    if duty_ids is None:  # archived before what it took was kept: the duties the log says went with it
        duty_ids, instance_ids = _archived_with_plan(plan)
    duties = db.session.scalars(sa.select(Duty).where(Duty.plan_id == plan.id, Duty.id.in_(duty_ids or [-1]),
                                                      Duty.archived)).all()
    instances = db.session.scalars(sa.select(DutyInstance).join(DutyInstance.duty).where(
        Duty.plan_id == plan.id, DutyInstance.id.in_(instance_ids or [-1]), DutyInstance.archived)).all()
    for duty in duties:
        duty.archived = False
        record("restore", "duty", duty.key, label=duty.title, before={"archived": True},
               after={"archived": False, "with_plan": plan.title})
    for inst in instances:
        inst.archived = False
    state = taken.get("state") if taken.get("state") in ("draft", "published") else "published"
    plan.state, plan.archived_with = state, {}
    record("restore", "plan", plan.id, label=plan.title, before={"state": "archived"},
           after={"state": state, "duties": len(duties), "instances": len(instances)})
    return commit_plan_change()


def _archived_with_plan(plan: Plan) -> tuple[list[int], list[int]]:
    """A plan archived before `Plan.archived_with` was kept: its duties whose latest archiving entry in
    the log says it came with the plan, and their instances whose unit is still in service."""
    duties = {d.key: d for d in db.session.scalars(sa.select(Duty).where(Duty.plan_id == plan.id, Duty.archived))}
    if not duties:
        return [], []
    latest: dict[str, dict] = {}
    for key, after in db.session.execute(
            sa.select(AuditEntry.object_id, AuditEntry.after)
            .where(AuditEntry.object_type == "duty", AuditEntry.action == "archive",
                   AuditEntry.object_id.in_(list(duties))).order_by(AuditEntry.id)):
        latest[key] = after or {}
    ids = [duties[k].id for k, after in latest.items() if after.get("with_plan")]
    instances = db.session.scalars(sa.select(DutyInstance.id).join(DutyInstance.unit).where(
        DutyInstance.duty_id.in_(ids or [-1]), DutyInstance.archived, Unit.active)).all()
    return ids, list(instances)


def as_json(plan: Plan, c: PlanCounts) -> dict:
    """A plan in `GET /api/plans`."""
    return {"id": plan.id, "title": plan.title, "number": plan.number, "state": plan.state,
            "state_label": STATE_LABELS[plan.state], "issuer": plan.issuer,
            "issued": plan.issued.isoformat() if plan.issued else None, "version": plan.version,
            "duties": c.duties, "instances": c.instances, "closed": c.closed, "drafts": c.drafts,
            "url": f"/plans/{plan.id}"}
