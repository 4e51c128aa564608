"""A clearly labelled demo state (演示数据) so a first look shows a living board.

Everything is done through the normal services by an account named 演示数据 that cannot log in,
so notes, ticks and the timeline all say where they came from; removal undoes exactly that.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.audit.services import record
from portal.core import duty_rules
from portal.core.roles import ADMIN, LIAISON
from portal.core.time import today
from portal.duties import services
from portal.extensions import db
from portal.models import Duty, DutyInstance, MonthlyReport, Unit, User
from portal.reports import services as reports

DEMO_USERNAME = "demo-data"
# Verification is done by a second demo account: nobody verifies their own 销号 request.
DEMO_OFFICE_USERNAME = "demo-office"


def demo_actor(username: str = DEMO_USERNAME, name: str = "演示数据") -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=name, active=False, password_hash="!")
        user.set_roles([ADMIN, LIAISON])  # acts for each unit in turn, and as the office
        db.session.add(user)
        db.session.commit()
    return user


def demo_office() -> User:
    return demo_actor(DEMO_OFFICE_USERNAME, "演示数据（督查室）")


def _instance(duty: Duty, unit_code: str) -> DutyInstance | None:
    return next((i for i in duty.instances if i.unit.code == unit_code and not i.archived), None)


def _as_unit(actor: User, inst: DutyInstance) -> None:
    actor.unit_id = inst.unit_id  # the demo actor acts as that unit's liaison


def load_demo_state() -> list[str]:
    if db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).where(DutyInstance.demo)):
        return ["demo state already present (flask portal demo-data --remove to clear it)"]
    actor = demo_actor()
    duties = db.session.scalars(sa.select(Duty).where(~Duty.archived).order_by(Duty.position)).all()
    per_county = next((d for d in duties if d.scope == "per-county" and
                       any(len(i.active_items) >= 5 for i in d.instances)), None)
    city = [i for d in duties if d.scope == "city" for i in d.instances if not i.archived and i.unit.code == "city-mz"]
    done: list[str] = []
    if per_county is not None:
        steps = [("yanhu-mz", "advance"), ("yongji-mz", "request"), ("hejin-mz", "returned"), ("linyi-mz", "closed")]
        for code, scenario in steps:
            inst = _instance(per_county, code)
            if inst is None:
                continue
            _play(actor, inst, scenario)
            done.append(f"{inst.key}: {scenario}")
    if len(city) >= 2:
        _as_unit(actor, city[0])
        services.request_extension(actor, city[0], "演示：相关配套制度需经市政府常务会审议，申请延期。",
                                   date(today().year + 1, 3, 31))
        city[0].demo = True
        done.append(f"{city[0].key}: extension pending")
        _as_unit(actor, city[1])
        services.set_blocked(actor, city[1], True, "演示：等待市财政局明确资金渠道。", None)
        city[1].demo = True
        done.append(f"{city[1].key}: blocked")
    yanhu = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    if yanhu is not None:
        actor.unit_id = yanhu.id
        month = reports.current_month()
        if reports.get_report(yanhu, month) is None:
            filled = reports.prefill(yanhu, month)
            report = reports.save(actor, yanhu, month, reports.ReportInput(
                filled["progress"], "演示：部分儿童户籍迁移手续仍在办理中。", "演示：下月完成档案整理和移交手续。"),
                submit=True, expected_version=None)
            report.demo = True
            done.append(f"report {yanhu.code} {month}: submitted")
    actor.unit_id = None
    db.session.commit()
    return done or ["nothing to do: load the 任务分工表 first (flask portal sync)"]


def _play(actor: User, inst: DutyInstance, scenario: str) -> None:
    _as_unit(actor, inst)
    items = inst.active_items
    count = 3 if scenario == "advance" else len(items)
    for item in items[:count]:
        services.set_item(actor, inst, item.id, True)
    services.add_note(actor, inst, "演示：已召开专题部署会，明确专人负责，逐一梳理应移交儿童信息。")
    if scenario != "advance":
        services.request_close(actor, inst, "", inst.version)
    office = demo_office()
    if scenario == "returned":
        services.decide_close(office, inst, False, "演示：缺少移交手续清单扫描件，请补充佐证材料后重新申请。", inst.version)
    if scenario == "closed":
        services.decide_close(office, inst, True, "演示：材料齐全，核验通过。", inst.version)
    inst.demo = True
    db.session.commit()


def remove_demo_state() -> list[str]:
    """Undo what the demo account did; work by real users on the same duties stays."""
    demo_ids = set(db.session.scalars(sa.select(User.id).where(
        User.username.in_([DEMO_USERNAME, DEMO_OFFICE_USERNAME]))))
    if not demo_ids:
        return ["no demo state"]
    lines = []
    for inst in db.session.scalars(sa.select(DutyInstance).where(DutyInstance.demo)):
        for note in [n for n in inst.notes if n.author_id in demo_ids]:
            db.session.delete(note)
        for ev in [e for e in inst.evidence if e.uploader_id in demo_ids]:
            db.session.delete(ev)
        for ext in [e for e in inst.extensions if e.requested_by_id in demo_ids]:
            db.session.delete(ext)
        for item in inst.items:
            if item.done and item.done_by_id in demo_ids:
                item.done, item.done_by_id, item.done_at = False, None, None
        db.session.flush()
        db.session.expire(inst)
        approved = [e.proposed_deadline for e in inst.extensions if e.status == "approved"]
        inst.deadline = max(approved) if approved else inst.original_deadline
        real_work = bool(inst.notes or inst.evidence or any(i.done for i in inst.items))
        if inst.state != duty_rules.CLOSED or inst.closed_at is None or not real_work:
            inst.state = duty_rules.IN_PROGRESS if real_work else duty_rules.NOT_STARTED
        inst.state_reason, inst.closed_at, inst.demo = "", None, False
        record("remove_demo", "duty_instance", inst.id, label=inst.key, after={"state": inst.state}, actor_name="demo-data")
        lines.append(f"{inst.key}: reset to {inst.state}")
    for report in db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.demo)):
        lines.append(f"report {report.unit.code} {report.month}: removed")
        db.session.delete(report)
    db.session.commit()
    return lines or ["no demo state"]



