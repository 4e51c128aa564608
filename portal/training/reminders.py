"""Training reminders through the portal's one message call (`portal.outbox.enqueue`, kind
'training_due'): each trainee with an account hears of their trainings due within `DUE_SOON` days and
of the overdue ones; each county's trainers get a weekly summary of their county (figures and the
overdue people). `flask portal remind` runs it daily; a dedupe key per person or county and ISO week
keeps it to one message a week each, however often it runs."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for

from portal import outbox
from portal.capabilities import can, roles_with
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Trainee, TrainingModule, User, UserRole
from portal.training import tally
from portal.training.figures import _completed_exists, counted, figures, overdue_list
from portal.training.scope import county_scope, county_units

DUE_SOON = timedelta(days=14)
SUMMARY_OVERDUE_LINES = 50  # the summary names this many overdue people; the link lists them all
KIND = "training_due"


def _link(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # no server name configured outside a request: the message goes without a link
        return None


def _week(on: date) -> str:
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


def _pending(on: date):
    """(trainee, user, module title, due) of every open assignment due by `on + DUE_SOON`, for people
    with an account."""
    stmt = (counted(sa.select(Trainee.id, Trainee.user_id, TrainingModule.title, Assignment.due).select_from(Assignment))
            .where(Trainee.user_id.is_not(None), Assignment.due <= on + DUE_SOON, ~_completed_exists())
            .order_by(Trainee.id, Assignment.due))
    return db.session.execute(stmt)


def remind_trainees(on: date) -> int:
    """One message per trainee listing what is overdue and what is due soon. Returns messages queued."""
    by_person: dict[tuple[int, int], list[tuple[str, date]]] = defaultdict(list)
    for trainee_id, user_id, title, due in _pending(on):
        by_person[(trainee_id, user_id)].append((title, due))
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_([uid for _, uid in by_person]), User.active))} if by_person else {}
    sent = 0
    for (trainee_id, user_id), items in by_person.items():
        user = users.get(user_id)
        if user is None:
            continue
        late = [f"{title}（应于{zh_date(due)}前完成，已逾期{(on - due).days}天）" for title, due in items if due < on]
        soon = [f"{title}（请于{zh_date(due)}前完成）" for title, due in items if due >= on]
        lines = (["已逾期：", *late] if late else []) + (["即将到期：", *soon] if soon else [])
        outbox.enqueue(KIND, subject=f"培训提醒：{len(late)} 项已逾期，{len(soon)} 项即将到期" if late else
                       f"培训提醒：{len(soon)} 项即将到期", body="\n".join(lines), users=[user],
                       link=_link("training.mine"), dedupe_key=f"training_due:trainee:{trainee_id}:{_week(on)}")
        sent += 1
    return sent


def trainers_by_county() -> dict[int | None, list[User]]:
    """Active trainer accounts (the roles with `training_work`) that manage training, by the county they
    manage (None: the city)."""
    trainers: dict[int | None, list[User]] = defaultdict(list)
    stmt = (sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.active, UserRole.role.in_(roles_with("training_work"))).distinct())
    for user in db.session.scalars(stmt):
        if can(user, "manage_training"):
            trainers[county_scope(user)].append(user)
    return trainers


def summary_text(county_name: str, tally: training_rules.Tally, overdue: list, total_overdue: int, on: date) -> str:
    lines = [f"{county_name}培训情况（截至{zh_date(on)}）：已安排 {tally.assigned} 人次，已完成 {tally.completed} 人次，"
             f"完成率 {training_rules.percent_text(tally.completed, tally.assigned)}，逾期 {total_overdue} 人次。"]
    if overdue:
        lines.append("逾期人员：")
        lines += [f"{r.name}（{training_rules.post_label(r.post)}，{r.place}）{r.module}，应于{zh_date(r.due)}前完成"
                  for r in overdue]
        if total_overdue > len(overdue):
            lines.append(f"另有 {total_overdue - len(overdue)} 人次逾期，见逾期名单。")
    return "\n".join(lines)


def weekly_summaries(on: date) -> int:
    """Each county's trainers get their county's summary; the city's trainers get each county's."""
    trainers = trainers_by_county()
    sent = 0
    for county in county_units():
        readers = trainers.get(county.id, []) + trainers.get(None, [])
        if not readers:
            continue
        tally = figures(county.id).total
        overdue = overdue_list(county.id, limit=SUMMARY_OVERDUE_LINES)
        outbox.enqueue(KIND, subject=f"{county.name}培训周报（{zh_date(on)}）",
                       body=summary_text(county.name, tally, overdue, tally.overdue, on), users=readers,
                       link=_link("training.overdue"), dedupe_key=f"training_due:county:{county.id}:{_week(on)}")
        sent += 1
    return sent


def send_training_reminders(on: date | None = None) -> list[str]:
    """What `flask portal remind` runs for training; returns the lines it prints."""
    on = on or today()
    recounted = tally.recount_lapsed(on)  # certificates expired since: their completions no longer count
    trainees = remind_trainees(on)
    counties = weekly_summaries(on)
    db.session.commit()
    return [f"training: {trainees} trainee reminder(s), {counties} county summary(ies) queued; "
            f"{recounted} module figure(s) recounted for expired certificates"]
