"""Training: modules from content, assignment (individual and cohort), completion three ways, quizzes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.audit.services import record
from portal.content.training_quiz import grade
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.core.refusals import NotAllowed
from portal.core.time import today, utcnow
from portal.extensions import db
from portal.limits import SESSION_PLACE, TRAINER_NAME, too_long
from portal.models import (
    Assignment,
    CohortRule,
    Completion,
    QuizAttempt,
    SignInSheet,
    Trainee,
    TrainingModule,
    TrainingPlace,
    Unit,
    User,
)
from portal.training import certificates, courses, tally
from portal.training.modules import get_module, live_modules, sync_modules  # the module functions, as callers know them
from portal.training.quiz import quiz_from_dict
from portal.training.scope import TrainingError, can_manage, require

__all__ = ['NotAllowed', 'TrainingError', 'get_module', 'live_modules', 'sync_modules']


# ---- assignment --------------------------------------------------------------------------

@dataclass(frozen=True)
class Cohort:
    post: str  # "" = both posts
    county_id: int | None  # None = the city
    township_id: int | None

    def where(self, stmt):
        stmt = stmt.where(Trainee.active)
        if self.post:
            stmt = stmt.where(Trainee.post == self.post)
        if self.county_id is not None:
            stmt = stmt.where(Trainee.county_id == self.county_id)
        if self.township_id is not None:
            stmt = stmt.where(Trainee.township_id == self.township_id)
        return stmt


def cohort_label(post: str, county: Unit | None, township: TrainingPlace | None) -> str:
    place = township.name if township else (county.name if county else "全市")
    return f"{place}全部{training_rules.post_label(post) if post else '儿童督导员和儿童主任'}"


def _serialize_on(model, row_id: int, column: str) -> None:
    """Hold the row's write lock until commit (a row lock on PostgreSQL, the database write lock on
    SQLite) with an update that changes nothing, so check-then-write steps on it run one at a time:
    whoever comes second waits, then sees what the first committed. Call it before the check."""
    db.session.execute(sa.update(model).where(model.id == row_id).values({column: getattr(model, column)}))


@dataclass
class Assigned:
    """What an assignment did: people newly assigned, and people whose open assignment got the new due date."""

    new: int = 0
    redated: int = 0

    def text(self) -> str:
        return f"新安排 {self.new} 人" + (f"，调整完成时限 {self.redated} 人" if self.redated else "")


def _bulk_assign(module: TrainingModule, trainee_ids: list[int], due: date, user: User | None,
                 cohort_id: int | None) -> tuple[Assigned, dict]:
    """Assign to every listed trainee: new rows in bulk, ended ones reopened, open ones not yet completed
    moved to `due`. Returns the counts and the moved ones' former due dates (date -> how many)."""
    if not trainee_ids:
        return Assigned(), {}
    _serialize_on(TrainingModule, module.id, "position")  # two assignments of one module: one at a time
    existing = {tid: (active, old_due) for tid, active, old_due in db.session.execute(
        sa.select(Assignment.trainee_id, Assignment.active, Assignment.due).where(Assignment.module_id == module.id))}
    now = utcnow()
    new = [tid for tid in trainee_ids if tid not in existing]
    reopen = [tid for tid in trainee_ids if tid in existing and not existing[tid][0]]
    open_ = [tid for tid in trainee_ids if tid in existing and existing[tid][0] and existing[tid][1] != due]
    done = set(db.session.scalars(sa.select(Completion.trainee_id).where(
        Completion.module_id == module.id, ~Completion.voided, Completion.superseded_at.is_(None),
        Completion.trainee_id.in_(open_)))) if open_ else set()
    redate = [tid for tid in open_ if tid not in done]  # a completed one keeps the date it was judged by
    with tally.keeping(trainee_ids=new + reopen + redate, module_id=module.id):
        _write_assignments(module, new, reopen, redate, due, user, cohort_id, now)
    before: dict = {}
    for tid in redate:
        before[existing[tid][1]] = before.get(existing[tid][1], 0) + 1
    return Assigned(len(new) + len(reopen), len(redate)), before


def _write_assignments(module: TrainingModule, new: list[int], reopen: list[int], redate: list[int], due: date,
                       user: User | None, cohort_id: int | None, now) -> None:
    if new:
        county = tally.counties_of(new)
        db.session.execute(sa.insert(Assignment), [
            {"module_id": module.id, "trainee_id": tid, "county_id": county[tid], "cohort_id": cohort_id, "due": due,
             "active": True, "assigned_by_id": user.id if user else None, "assigned_at": now, "ended_reason": ""}
            for tid in new])
    for chunk in range(0, len(reopen), 500):
        db.session.execute(sa.update(Assignment).where(
            Assignment.module_id == module.id, Assignment.trainee_id.in_(reopen[chunk:chunk + 500])).values(
            active=True, due=due, cohort_id=cohort_id, assigned_by_id=user.id if user else None, assigned_at=now,
            ended_reason="", ended_by_id=None, ended_at=None))
    for chunk in range(0, len(redate), 500):
        db.session.execute(sa.update(Assignment).where(
            Assignment.module_id == module.id, Assignment.trainee_id.in_(redate[chunk:chunk + 500])).values(due=due))


def _check_due(module: TrainingModule, due: date, backdated: bool) -> None:
    if module.retired:
        raise TrainingError("该培训模块已停用，不能再安排。")
    problem = None if backdated else training_rules.due_problem(due, today())
    if problem:
        raise TrainingError(problem)


def _dues_text(before: dict) -> str:
    return "；".join(f"{zh_date(d)} {n} 人" for d, n in sorted(before.items()))


def assign_cohort(user: User, module: TrainingModule, cohort: Cohort, due: date, *, backdated: bool = False) -> Assigned:
    """Assign a module to a group now and to whoever joins it later (one rule per group and module:
    assigning again moves the rule's and its people's open due dates). `backdated` builds demo data."""
    require(can_manage(user, cohort.county_id))
    _check_due(module, due, backdated)
    if cohort.post and cohort.post not in module.audience:
        raise TrainingError(f"该模块面向{'、'.join(training_rules.post_label(r) for r in module.audience)}，"
                            f"不适用于{training_rules.post_label(cohort.post)}。")
    _serialize_on(TrainingModule, module.id, "position")  # the same group twice at once: one rule
    rule = db.session.scalar(sa.select(CohortRule).where(
        CohortRule.module_id == module.id, CohortRule.post == cohort.post, CohortRule.active,
        _same(CohortRule.county_id, cohort.county_id), _same(CohortRule.township_id, cohort.township_id)))
    rule_before = rule.due if rule is not None else None
    if rule is None:
        rule = CohortRule(module_id=module.id, post=cohort.post, county_id=cohort.county_id,
                          township_id=cohort.township_id, due=due, created_by_id=user.id)
        db.session.add(rule)
        db.session.flush()
    rule.due = due
    stmt = cohort.where(sa.select(Trainee.id))
    if not cohort.post:
        stmt = stmt.where(Trainee.post.in_(module.audience))
    done, before = _bulk_assign(module, list(db.session.scalars(stmt)), due, user, rule.id)
    county = db.session.get(Unit, cohort.county_id) if cohort.county_id else None
    township = db.session.get(TrainingPlace, cohort.township_id) if cohort.township_id else None
    label = cohort_label(cohort.post, county, township)
    record("assign", "training_module", module.key, label=f"{module.title}：{label}",
           before={"due": rule_before, "redated": _dues_text(before)} if rule_before or before else None,
           after={"cohort": label, "due": due, "assigned": done.new, "redated": done.redated}, actor=user)
    db.session.commit()
    return done


def _same(column, value):
    return column.is_(None) if value is None else column == value


def assign_people(user: User, module: TrainingModule, trainees: list[Trainee], due: date, *,
                  backdated: bool = False) -> Assigned:
    for t in trainees:
        require(can_manage(user, t.county_id))
    _check_due(module, due, backdated)
    done, before = _bulk_assign(module, [t.id for t in trainees], due, user, None)
    record("assign", "training_module", module.key, label=module.title,
           before={"redated": _dues_text(before)} if before else None,
           after={"trainees": [t.name for t in trainees][:50], "due": due, "assigned": done.new,
                  "redated": done.redated}, actor=user)
    db.session.commit()
    return done


def end_cohort_rule(user: User, rule: CohortRule) -> None:
    """Withdraw a group rule: nobody who joins later is assigned by it; assignments made stay."""
    require(can_manage(user, rule.county_id))
    if not rule.active:
        raise TrainingError("该人群安排已撤销。")
    rule.active, rule.ended_reason = False, "撤销"
    county = db.session.get(Unit, rule.county_id) if rule.county_id else None
    label = cohort_label(rule.post, county, rule.township)
    record("end_cohort", "training_module", rule.module.key, label=f"{rule.module.title}：{label}",
           before={"cohort": label, "due": rule.due}, after={"active": False}, actor=user)
    db.session.commit()


def _joiners(rule: CohortRule, trainee_ids: list[int] | None) -> sa.Select:
    """The people of a rule's group, of the module's audience, who hold no assignment of it (ever)."""
    stmt = Cohort(rule.post, rule.county_id, rule.township_id).where(sa.select(Trainee.id))
    stmt = stmt.where(Trainee.post.in_(rule.module.audience))
    stmt = stmt.where(~sa.exists().where(Assignment.module_id == rule.module_id, Assignment.trainee_id == Trainee.id))
    return stmt if trainee_ids is None else stmt.where(Trainee.id.in_(trainee_ids))


def _live_rules() -> list[CohortRule]:
    return [r for r in db.session.scalars(sa.select(CohortRule).where(CohortRule.active).order_by(CohortRule.id))
            if not r.module.retired]


def assign_late_joiners(trainee_ids: list[int] | None = None) -> int:
    """Every active cohort rule still in time (due today or later) reaches the people who joined its
    cohort after it was made; an expired one does not (they would be overdue on their first day)."""
    total, on = 0, today()
    for rule in _live_rules():
        if rule.due >= on:
            total += _bulk_assign(rule.module, list(db.session.scalars(_joiners(rule, trainee_ids))), rule.due,
                                  None, rule.id)[0].new
    return total


def expired_rules_missed(trainee_ids: list[int]) -> int:
    """How many group rules past their due date would have reached these people (and so did not)."""
    on = today()
    return sum(1 for rule in _live_rules() if rule.due < on and trainee_ids
               and db.session.scalar(sa.select(sa.exists(_joiners(rule, trainee_ids)))))


def unassign(user: User, assignment: Assignment, reason: str) -> None:
    require(can_manage(user, assignment.trainee.county_id))
    reason = reason.strip()
    if not reason:
        raise TrainingError("取消安排须填写理由。")
    if not assignment.active:
        raise TrainingError("该安排已取消。")
    if current_completion(assignment.trainee_id, assignment.module_id) is not None:
        raise TrainingError(f"{assignment.trainee.name}已完成“{assignment.module.title}”，不能取消安排"
                            "（已完成即计入已安排）；如完成记录有误，请先更正该记录。")
    assignment.active, assignment.ended_reason = False, reason[:200]
    assignment.ended_by_id, assignment.ended_at = user.id, utcnow()
    record("unassign", "trainee", assignment.trainee_id, label=f"{assignment.trainee.name}：{assignment.module.title}",
           after={"reason": reason}, actor=user)
    db.session.commit()


# ---- completion ----------------------------------------------------------------------------

def current_completion(trainee_id: int, module_id: int) -> Completion | None:
    """The standing completion: not voided, not superseded, and its certificate not expired (an expired
    or superseded one is due again)."""
    return db.session.scalar(sa.select(Completion).where(
        Completion.trainee_id == trainee_id, Completion.module_id == module_id,
        certificates.counts_as_done(today())).order_by(Completion.id.desc()).limit(1))


def _complete(trainee: Trainee, module: TrainingModule, how: str, on: date, by: User | None, *,
              session: SignInSheet | None = None, score: int | None = None, note: str = "") -> Completion:
    now = utcnow()
    c = Completion(trainee_id=trainee.id, module_id=module.id, how=how, completed_on=on, note=note[:200],
                   session_id=session.id if session else None, score=score, recorded_by_id=by.id if by else None,
                   recorded_at=now)
    db.session.add(c)
    record("complete", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"how": training_rules.HOW_LABELS[how], "date": on, **({"score": score} if score is not None else {})},
           actor=by)
    _assigned_by_completion(trainee, module, on, by, now)
    db.session.flush()
    certificates.issue(c, by)
    courses.after_completion(c, by, today())  # the courses it finishes issue their certificates
    return c


def needs_completion(trainee_id: int, module_id: int) -> bool:
    """May a completion of the module be recorded? When none stands, or a course's renewal asks for it
    again (`courses.renewing`)."""
    return current_completion(trainee_id, module_id) is None or courses.renewing(trainee_id, module_id, today())


def _assigned_by_completion(trainee: Trainee, module: TrainingModule, on: date, by: User | None, now) -> None:
    """Trained implies assigned (see `rules.ASSIGNED_BY_COMPLETION`): a completion of a module the person was not
    assigned records the assignment, due the day it was completed, stamped with the completion's time."""
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee.id,
                                                      Assignment.module_id == module.id))
    if a is not None and a.active:
        return
    if a is None:
        _serialize_on(TrainingModule, module.id, "position")  # as `_bulk_assign`: one writer of the pair
        a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee.id,
                                                          Assignment.module_id == module.id))
    if a is None:
        a = Assignment(module_id=module.id, trainee_id=trainee.id, county_id=trainee.county_id)
        db.session.add(a)
    a.active, a.due, a.cohort_id, a.assigned_by_id, a.assigned_at = True, on, None, by.id if by else None, now
    a.ended_reason, a.ended_by_id, a.ended_at = "", None, None
    record("assign", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"due": on, "reason": training_rules.ASSIGNED_BY_COMPLETION}, actor=by)


def _void_assignment_made_by(completion: Completion, by: User | None) -> None:
    """Voiding a completion also ends the assignment that completion recorded (nobody else assigned it)."""
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == completion.trainee_id,
                                                      Assignment.module_id == completion.module_id,
                                                      Assignment.active))
    if a is None or a.cohort_id is not None or a.assigned_at != completion.recorded_at:
        return
    a.active, a.ended_reason = False, training_rules.ENDED_WITH_COMPLETION
    a.ended_by_id, a.ended_at = by.id if by else None, utcnow()
    record("unassign", "trainee", completion.trainee_id,
           label=f"{completion.trainee.name}：{completion.module.title}",
           after={"reason": training_rules.ENDED_WITH_COMPLETION}, actor=by)


def mark_completed(user: User, trainee: Trainee, module: TrainingModule, on: date, note: str = "") -> Completion:
    require(can_manage(user, trainee.county_id))
    if on > today():
        raise TrainingError("完成日期不能晚于今天。")
    _serialize_on(Trainee, trainee.id, "version")  # two trainers recording at once: one completion
    if not needs_completion(trainee.id, module.id):
        raise TrainingError(f"{trainee.name}已完成“{module.title}”，无需重复登记。")
    c = _complete(trainee, module, "manual", on, user, note=note)
    db.session.commit()
    return c


def void_completion(user: User, completion: Completion, reason: str) -> None:
    """Correct a wrong mark: the record stays, marked void with who, when and why."""
    require(can_manage(user, completion.trainee.county_id))
    reason = reason.strip()
    if not reason:
        raise TrainingError("更正须填写理由。")
    if completion.voided:
        raise TrainingError("该记录已更正。")
    _void(completion, user, reason)
    db.session.commit()


def _void(completion: Completion, user: User, reason: str) -> None:
    """A completion corrected: the record stays, marked void with who, when and why, and the
    assignment it recorded (if it did) ends with it. The one way a completion is voided."""
    completion.voided, completion.void_reason = True, reason[:200]
    completion.voided_by_id, completion.voided_at = user.id, utcnow()
    record("void_completion", "trainee", completion.trainee_id,
           label=f"{completion.trainee.name}：{completion.module.title}", after={"reason": reason}, actor=user)
    _void_assignment_made_by(completion, user)
    certificates.revoke_for(completion, user, reason)
    courses.revoke_with(completion, user, reason)


def create_sheet(user: User, module: TrainingModule, county: Unit, township: TrainingPlace | None,
                   held_on: date, place: str, trainer_name: str) -> SignInSheet:
    require(can_manage(user, county.id))
    problem = training_rules.sheet_date_problem(held_on, today())
    if problem:
        raise TrainingError(problem)
    if township is not None and township.county_id != county.id:
        raise TrainingError("所选乡镇（街道）不在该县（市、区）。")
    for label, text, limit in (("地点", place.strip(), SESSION_PLACE), ("授课人", trainer_name.strip(), TRAINER_NAME)):
        if too_long(label, text, limit):
            raise TrainingError(too_long(label, text, limit))
    s = SignInSheet(module_id=module.id, county_id=county.id, township_id=township.id if township else None,
                          held_on=held_on, place=place.strip(), trainer_name=trainer_name.strip(),
                          created_by_id=user.id)
    db.session.add(s)
    db.session.flush()
    record("create", "training_session", s.id, label=f"{module.title} {held_on.isoformat()} {place}",
           after={"module": module.title, "date": held_on, "place": place, "trainer": trainer_name}, actor=user)
    db.session.commit()
    return s


def sheet_people(s: SignInSheet) -> list[Trainee]:
    stmt = (sa.select(Trainee).where(Trainee.active, Trainee.county_id == s.county_id,
                                     Trainee.post.in_(s.module.audience))
            .options(so.joinedload(Trainee.township), so.joinedload(Trainee.village)))  # the sheet's columns
    if s.township_id is not None:
        stmt = stmt.where(Trainee.township_id == s.township_id)
    return list(db.session.scalars(stmt.order_by(Trainee.township_id, Trainee.village_id, Trainee.name)))


def sheet_ticks(s: SignInSheet) -> set[int]:
    return set(db.session.scalars(sa.select(Completion.trainee_id).where(
        Completion.session_id == s.id, ~Completion.voided)))


def set_attendance(user: User, s: SignInSheet, trainee: Trainee, present: bool) -> bool:
    """Tick or untick one person on the sheet; ticking records the completion, unticking voids it."""
    require(can_manage(user, s.county_id) and trainee.county_id == s.county_id)
    if not training_rules.sheet_open(s.held_on, today()):
        raise TrainingError(f"这次培训定于{zh_date(s.held_on)}举办，当天起才能勾选到场。")
    attend(user, s, trainee, present)
    db.session.commit()
    return present


def attend(user: User, s: SignInSheet, trainee: Trainee, present: bool, note: str = "") -> bool:
    """The one way attendance is recorded (ticked box, typed sheet numbers, the trainee's own scan); the
    caller checks who may and commits. Returns whether anything changed."""
    _serialize_on(Trainee, trainee.id, "version")  # two trainers ticking one person: one completion
    mine = db.session.scalar(sa.select(Completion).where(
        Completion.session_id == s.id, Completion.trainee_id == trainee.id, ~Completion.voided))
    if present and mine is None:
        _complete(trainee, s.module, "attendance", s.held_on, user, session=s, note=note)
    elif not present and mine is not None:
        _void(mine, user, "签到表取消勾选")
    else:
        return False
    return True


# ---- the trainee's own side ------------------------------------------------------------------

def trainee_of(user: User) -> Trainee | None:
    return db.session.scalar(sa.select(Trainee).where(Trainee.user_id == user.id))


def mark_started(trainee: Trainee, module: TrainingModule) -> None:
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee.id,
                                                      Assignment.module_id == module.id))
    if a is not None and a.started_at is None:
        a.started_at = utcnow()
        db.session.commit()


def quiz_wait(trainee: Trainee, module: TrainingModule) -> int:
    """Minutes the trainee must still wait before retrying the quiz (rules.quiz_wait_minutes); 0 = may try."""
    now = utcnow()
    failed = list(db.session.scalars(sa.select(QuizAttempt.at).where(
        QuizAttempt.trainee_id == trainee.id, QuizAttempt.module_id == module.id, ~QuizAttempt.passed,
        QuizAttempt.at > now - training_rules.QUIZ_WINDOW)))
    return training_rules.quiz_wait_minutes(failed, now)


def _check_quiz_wait(trainee: Trainee, module: TrainingModule) -> None:
    minutes = quiz_wait(trainee, module)
    if minutes:
        raise TrainingError(training_rules.quiz_wait_message(minutes))


def submit_quiz(user: User, trainee: Trainee, module: TrainingModule, answers: dict[int, set[int]],
                quiz: dict | None = None) -> QuizAttempt:
    """Grade the questions shown (`quiz`: the attempt's draw from the bank, `portal.training.bank`; default all)."""
    require(trainee.user_id == user.id and trainee.active)
    if not module.quiz:
        raise TrainingError("该模块没有测验。")
    score, passed = grade(quiz_from_dict(quiz or module.quiz), answers)
    _serialize_on(Trainee, trainee.id, "version")  # a double submit records one completion
    _check_quiz_wait(trainee, module)
    attempt = QuizAttempt(trainee_id=trainee.id, module_id=module.id, score=score, passed=passed,
                          answers={str(k): sorted(v) for k, v in answers.items()})
    db.session.add(attempt)
    record("quiz", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"score": score, "passed": passed}, actor=user)
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee.id,
                                                      Assignment.module_id == module.id))
    if a is not None and a.started_at is None:
        a.started_at = utcnow()
    if passed and needs_completion(trainee.id, module.id):
        _complete(trainee, module, "quiz", today(), user, score=score)
    db.session.commit()
    return attempt


def assignments_of(trainee: Trainee, history: list[Completion] | None = None
                   ) -> list[tuple[Assignment | None, TrainingModule, str, Completion | None]]:
    """(assignment, module, state, completion) for everything assigned to or completed by the trainee.
    `history`: the trainee's completions as `history_of` gives them, when the page read them already."""
    on = today()
    items = {a.module_id: a for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.trainee_id == trainee.id, Assignment.active))}
    history = history_of(trainee) if history is None else history
    lapsed = certificates.lapsed_in(history, on)  # due again
    done = {c.module_id: c for c in reversed(history) if not c.voided and c.id not in lapsed}  # the latest per module
    out = []
    for module in live_modules():
        a, c = items.get(module.id), done.get(module.id)
        if a is None and c is None:
            continue
        state = training_rules.state_of(a is not None, a.due if a else None, c is not None,
                               bool(a and a.started_at), on)
        out.append((a, module, state, c))
    return out


def history_of(trainee: Trainee) -> list[Completion]:
    """The trainee's completions, newest first, with who recorded and who voided each and the
    certificate (joined)."""
    return list(db.session.scalars(
        sa.select(Completion).where(Completion.trainee_id == trainee.id).order_by(Completion.id.desc())
        .options(so.joinedload(Completion.recorded_by).lazyload(User.role_rows),
                 so.joinedload(Completion.voided_by).lazyload(User.role_rows),
                 so.joinedload(Completion.certificate))))

