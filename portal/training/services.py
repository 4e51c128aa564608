"""Training: modules from content, assignment (individual and cohort), completion three ways, quizzes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.audit.services import record
from portal.extensions import db
from portal.labels import zh_date
from portal.models import (
    Assignment,
    AttendanceSession,
    CohortRule,
    Completion,
    PolicyClause,
    PolicyDocument,
    QuizAttempt,
    Trainee,
    TrainingArea,
    TrainingModule,
    Unit,
    User,
)
from portal.plan import PLAN_ID
from portal.timeutil import utcnow
from portal.training import rules
from portal.training.scope import NotAllowed, TrainingError, can_manage, require

__all__ = ["NotAllowed", "TrainingError"]


def today() -> date:
    from portal.duties.services import today as duty_today

    return duty_today()


# ---- modules (content/training/) -----------------------------------------------------------

@dataclass
class ModuleSyncReport:
    created: list
    updated: list
    retired: list
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems


def clause_exists(doc_id: str | None, clause_id: str) -> bool:
    """As check-content decides: a 方案 clause must exist; a statute not (yet) imported is accepted."""
    if doc_id is not None and db.session.scalar(
            sa.select(sa.func.count(PolicyDocument.id)).where(PolicyDocument.doc_id == doc_id)) == 0:
        return True
    return db.session.scalar(
        sa.select(sa.func.count(PolicyClause.id)).join(PolicyDocument)
        .where(PolicyDocument.doc_id == (doc_id or PLAN_ID), PolicyClause.clause_id == clause_id,
               ~PolicyClause.retired)) > 0


def sync_modules(content_dir: Path, display_root: Path | None = None) -> ModuleSyncReport:
    """Load content/training/*.md through the parser; any problem loads nothing. Never deletes."""
    from portal.content.training_file import load_modules

    folder = content_dir / "training"
    if not folder.is_dir():
        return ModuleSyncReport([], [], [], [])
    specs, problems = load_modules(folder, display_root, clause_exists)
    if problems:
        return ModuleSyncReport([], [], [], list(problems))
    return upsert_modules(specs)


def _quiz_dict(quiz) -> dict | None:
    if quiz is None:
        return None
    return {"pass_mark": quiz.pass_mark, "questions": [
        {"number": q.number, "text": q.text, "multiple": q.multiple,
         "options": [{"text": o.text, "correct": o.correct} for o in q.options]} for q in quiz.questions]}


def upsert_modules(specs) -> ModuleSyncReport:
    existing = {m.key: m for m in db.session.scalars(sa.select(TrainingModule))}
    report = ModuleSyncReport([], [], [], [])
    for spec in specs:
        values = dict(position=spec.order, title=spec.title, audience=[rules.ROLE_BY_LABEL[a] for a in spec.audience],
                      summary=spec.summary, duration_minutes=spec.duration_minutes, clause_ids=list(spec.clauses),
                      references=[[d, c] for d, c in spec.references], body=spec.body, quiz=_quiz_dict(spec.quiz),
                      retired=False)
        module = existing.pop(spec.module_id, None)
        if module is None:
            module = TrainingModule(key=spec.module_id, **values)
            db.session.add(module)
            report.created.append(spec.module_id)
            record("sync", "training_module", spec.module_id, label=spec.title, after={"title": spec.title},
                   actor_name="sync")
        else:
            changed = {k: v for k, v in values.items() if getattr(module, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(module, k, v)
                module.updated_at = utcnow()
                report.updated.append(spec.module_id)
                record("sync", "training_module", spec.module_id, label=spec.title,
                       after={k: v for k, v in changed.items() if k in ("title", "clause_ids", "retired")} or
                       {"title": spec.title}, actor_name="sync")
    for module in existing.values():
        if not module.retired:
            module.retired = True
            report.retired.append(module.key)
            record("retire", "training_module", module.key, label=module.title, after={"retired": True},
                   actor_name="sync")
    db.session.commit()
    return report


def live_modules() -> list[TrainingModule]:
    """The modules in use, in order; read once per request (a page's pickers and lists share it)."""
    from flask import g, has_request_context

    if has_request_context() and "training_live_modules" in g:
        return list(g.training_live_modules)
    found = list(db.session.scalars(sa.select(TrainingModule).where(~TrainingModule.retired)
                                    .order_by(TrainingModule.position, TrainingModule.key)))
    if has_request_context():
        g.training_live_modules = found
    return list(found)


def get_module(key: str) -> TrainingModule | None:
    return db.session.scalar(sa.select(TrainingModule).where(TrainingModule.key == key))


def modules_for_clause(doc_id: str, clause_id: str) -> list[TrainingModule]:
    """The "相关培训" of a clause page: modules implementing it or citing it in their text."""
    out = []
    for m in live_modules():
        if (doc_id == PLAN_ID and clause_id in m.clause_ids) or any(
                (d or PLAN_ID) == doc_id and c == clause_id for d, c in m.references):
            out.append(m)
    return out


# ---- assignment --------------------------------------------------------------------------

@dataclass(frozen=True)
class Cohort:
    role: str  # "" = both roles
    county_id: int | None  # None = the city
    township_id: int | None

    def where(self, stmt):
        stmt = stmt.where(Trainee.active)
        if self.role:
            stmt = stmt.where(Trainee.role == self.role)
        if self.county_id is not None:
            stmt = stmt.where(Trainee.county_id == self.county_id)
        if self.township_id is not None:
            stmt = stmt.where(Trainee.township_id == self.township_id)
        return stmt


def cohort_label(role: str, county: Unit | None, township: TrainingArea | None) -> str:
    place = township.name if township else (county.name if county else "全市")
    return f"{place}全部{rules.role_label(role) if role else '儿童督导员和儿童主任'}"


def _serialize_on(model, row_id: int, column: str) -> None:
    """Hold the row's write lock until commit (a row lock on PostgreSQL, the database write lock on
    SQLite) with an update that changes nothing, so check-then-write steps on it run one at a time:
    whoever comes second waits, then sees what the first committed. Call it before the check."""
    db.session.execute(sa.update(model).where(model.id == row_id).values({column: getattr(model, column)}))


def _bulk_assign(module: TrainingModule, trainee_ids: list[int], due: date, user: User | None,
                 cohort_id: int | None) -> int:
    """Assign to every listed trainee: new rows in bulk, ended ones reopened. Returns how many changed."""
    if not trainee_ids:
        return 0
    _serialize_on(TrainingModule, module.id, "position")  # two assignments of one module: one at a time
    existing = dict(db.session.execute(
        sa.select(Assignment.trainee_id, Assignment.active).where(Assignment.module_id == module.id)).all())
    now = utcnow()
    new = [tid for tid in trainee_ids if tid not in existing]
    reopen = [tid for tid in trainee_ids if existing.get(tid) is False]
    if new:
        db.session.execute(sa.insert(Assignment), [
            {"module_id": module.id, "trainee_id": tid, "cohort_id": cohort_id, "due": due, "active": True,
             "assigned_by_id": user.id if user else None, "assigned_at": now, "ended_reason": ""} for tid in new])
    for chunk in range(0, len(reopen), 500):
        db.session.execute(sa.update(Assignment).where(
            Assignment.module_id == module.id, Assignment.trainee_id.in_(reopen[chunk:chunk + 500])).values(
            active=True, due=due, cohort_id=cohort_id, assigned_by_id=user.id if user else None, assigned_at=now,
            ended_reason="", ended_by_id=None, ended_at=None))
    return len(new) + len(reopen)


def assign_cohort(user: User, module: TrainingModule, cohort: Cohort, due: date) -> int:
    require(can_manage(user, cohort.county_id))
    if module.retired:
        raise TrainingError("该培训模块已停用，不能再安排。")
    if cohort.role and cohort.role not in module.audience:
        raise TrainingError(f"该模块面向{'、'.join(rules.role_label(r) for r in module.audience)}，"
                            f"不适用于{rules.role_label(cohort.role)}。")
    rule = CohortRule(module_id=module.id, role=cohort.role, county_id=cohort.county_id,
                      township_id=cohort.township_id, due=due, created_by_id=user.id)
    db.session.add(rule)
    db.session.flush()
    stmt = cohort.where(sa.select(Trainee.id))
    if not cohort.role:
        stmt = stmt.where(Trainee.role.in_(module.audience))
    ids = list(db.session.scalars(stmt))
    changed = _bulk_assign(module, ids, due, user, rule.id)
    county = db.session.get(Unit, cohort.county_id) if cohort.county_id else None
    township = db.session.get(TrainingArea, cohort.township_id) if cohort.township_id else None
    record("assign", "training_module", module.key, label=f"{module.title}：{cohort_label(cohort.role, county, township)}",
           after={"cohort": cohort_label(cohort.role, county, township), "due": due, "assigned": changed}, actor=user)
    db.session.commit()
    return changed


def assign_people(user: User, module: TrainingModule, trainees: list[Trainee], due: date) -> int:
    for t in trainees:
        require(can_manage(user, t.county_id))
    if module.retired:
        raise TrainingError("该培训模块已停用，不能再安排。")
    changed = _bulk_assign(module, [t.id for t in trainees], due, user, None)
    record("assign", "training_module", module.key, label=module.title,
           after={"trainees": [t.name for t in trainees][:50], "due": due, "assigned": changed}, actor=user)
    db.session.commit()
    return changed


def assign_late_joiners(trainee_ids: list[int] | None = None) -> int:
    """Every active cohort rule reaches the people who joined its cohort after it was made."""
    total = 0
    for rule in db.session.scalars(sa.select(CohortRule).where(CohortRule.active).order_by(CohortRule.id)):
        if rule.module.retired:
            continue
        stmt = Cohort(rule.role, rule.county_id, rule.township_id).where(sa.select(Trainee.id))
        stmt = stmt.where(Trainee.role.in_(rule.module.audience))
        stmt = stmt.where(~sa.exists().where(Assignment.module_id == rule.module_id,
                                             Assignment.trainee_id == Trainee.id))
        if trainee_ids is not None:
            stmt = stmt.where(Trainee.id.in_(trainee_ids))
        total += _bulk_assign(rule.module, list(db.session.scalars(stmt)), rule.due, None, rule.id)
    return total


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
    return db.session.scalar(sa.select(Completion).where(
        Completion.trainee_id == trainee_id, Completion.module_id == module_id, ~Completion.voided)
        .order_by(Completion.id.desc()).limit(1))


def _complete(trainee: Trainee, module: TrainingModule, how: str, on: date, by: User | None, *,
              session: AttendanceSession | None = None, score: int | None = None, note: str = "") -> Completion:
    now = utcnow()
    c = Completion(trainee_id=trainee.id, module_id=module.id, how=how, completed_on=on, note=note[:200],
                   session_id=session.id if session else None, score=score, recorded_by_id=by.id if by else None,
                   recorded_at=now)
    db.session.add(c)
    record("complete", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"how": rules.HOW_LABELS[how], "date": on, **({"score": score} if score is not None else {})},
           actor=by)
    _assigned_by_completion(trainee, module, on, by, now)
    return c


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
        a = Assignment(module_id=module.id, trainee_id=trainee.id)
        db.session.add(a)
    a.active, a.due, a.cohort_id, a.assigned_by_id, a.assigned_at = True, on, None, by.id if by else None, now
    a.ended_reason, a.ended_by_id, a.ended_at = "", None, None
    record("assign", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"due": on, "reason": rules.ASSIGNED_BY_COMPLETION}, actor=by)


def _void_assignment_made_by(completion: Completion, by: User | None) -> None:
    """Voiding a completion also ends the assignment that completion recorded (nobody else assigned it)."""
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == completion.trainee_id,
                                                      Assignment.module_id == completion.module_id,
                                                      Assignment.active))
    if a is None or a.cohort_id is not None or a.assigned_at != completion.recorded_at:
        return
    a.active, a.ended_reason = False, rules.ENDED_WITH_COMPLETION
    a.ended_by_id, a.ended_at = by.id if by else None, utcnow()
    record("unassign", "trainee", completion.trainee_id,
           label=f"{completion.trainee.name}：{completion.module.title}",
           after={"reason": rules.ENDED_WITH_COMPLETION}, actor=by)


def mark_completed(user: User, trainee: Trainee, module: TrainingModule, on: date, note: str = "") -> Completion:
    require(can_manage(user, trainee.county_id))
    if on > today():
        raise TrainingError("完成日期不能晚于今天。")
    _serialize_on(Trainee, trainee.id, "version")  # two trainers recording at once: one completion
    if current_completion(trainee.id, module.id) is not None:
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
    completion.voided, completion.void_reason = True, reason[:200]
    completion.voided_by_id, completion.voided_at = user.id, utcnow()
    record("void_completion", "trainee", completion.trainee_id,
           label=f"{completion.trainee.name}：{completion.module.title}", after={"reason": reason}, actor=user)
    _void_assignment_made_by(completion, user)
    db.session.commit()


def create_session(user: User, module: TrainingModule, county: Unit, township: TrainingArea | None,
                   held_on: date, place: str, trainer_name: str) -> AttendanceSession:
    require(can_manage(user, county.id))
    problem = rules.sheet_date_problem(held_on, today())
    if problem:
        raise TrainingError(problem)
    if township is not None and township.county_id != county.id:
        raise TrainingError("所选乡镇（街道）不在该县（市、区）。")
    s = AttendanceSession(module_id=module.id, county_id=county.id, township_id=township.id if township else None,
                          held_on=held_on, place=place.strip()[:120], trainer_name=trainer_name.strip()[:60],
                          created_by_id=user.id)
    db.session.add(s)
    db.session.flush()
    record("create", "training_session", s.id, label=f"{module.title} {held_on.isoformat()} {place}",
           after={"module": module.title, "date": held_on, "place": place, "trainer": trainer_name}, actor=user)
    db.session.commit()
    return s


def session_people(s: AttendanceSession) -> list[Trainee]:
    stmt = (sa.select(Trainee).where(Trainee.active, Trainee.county_id == s.county_id,
                                     Trainee.role.in_(s.module.audience))
            .options(so.joinedload(Trainee.township), so.joinedload(Trainee.village)))  # the sheet's columns
    if s.township_id is not None:
        stmt = stmt.where(Trainee.township_id == s.township_id)
    return list(db.session.scalars(stmt.order_by(Trainee.township_id, Trainee.village_id, Trainee.name)))


def session_ticks(s: AttendanceSession) -> set[int]:
    return set(db.session.scalars(sa.select(Completion.trainee_id).where(
        Completion.session_id == s.id, ~Completion.voided)))


def set_attendance(user: User, s: AttendanceSession, trainee: Trainee, present: bool) -> bool:
    """Tick or untick one person on the sheet; ticking records the completion, unticking voids it."""
    require(can_manage(user, s.county_id) and trainee.county_id == s.county_id)
    if not rules.sheet_open(s.held_on, today()):
        raise TrainingError(f"这次培训定于{zh_date(s.held_on)}举办，当天起才能勾选到场。")
    _serialize_on(Trainee, trainee.id, "version")  # two trainers ticking one person: one completion
    mine = db.session.scalar(sa.select(Completion).where(
        Completion.session_id == s.id, Completion.trainee_id == trainee.id, ~Completion.voided))
    if present and mine is None:
        _complete(trainee, s.module, "attendance", s.held_on, user, session=s)
    elif not present and mine is not None:
        mine.voided, mine.void_reason = True, "签到表取消勾选"
        mine.voided_by_id, mine.voided_at = user.id, utcnow()
        record("void_completion", "trainee", trainee.id, label=f"{trainee.name}：{s.module.title}",
               after={"reason": "签到表取消勾选"}, actor=user)
        _void_assignment_made_by(mine, user)
    db.session.commit()
    return present


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
        QuizAttempt.at > now - rules.QUIZ_WINDOW)))
    return rules.quiz_wait_minutes(failed, now)


def _check_quiz_wait(trainee: Trainee, module: TrainingModule) -> None:
    minutes = quiz_wait(trainee, module)
    if minutes:
        raise TrainingError(rules.quiz_wait_message(minutes))


def submit_quiz(user: User, trainee: Trainee, module: TrainingModule, answers: dict[int, set[int]]) -> QuizAttempt:
    from portal.content.training_file import grade
    from portal.training.quiz import quiz_from_dict

    require(trainee.user_id == user.id and trainee.active)
    if not module.quiz:
        raise TrainingError("该模块没有测验。")
    score, passed = grade(quiz_from_dict(module.quiz), answers)
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
    if passed and current_completion(trainee.id, module.id) is None:
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
    done = {c.module_id: c for c in reversed(history) if not c.voided}  # the latest per module
    out = []
    for module in live_modules():
        a, c = items.get(module.id), done.get(module.id)
        if a is None and c is None:
            continue
        state = rules.state_of(a is not None, a.due if a else None, c is not None,
                               bool(a and a.started_at), on)
        out.append((a, module, state, c))
    return out


def history_of(trainee: Trainee) -> list[Completion]:
    """The trainee's completions, newest first, with who recorded and who voided each (joined)."""
    return list(db.session.scalars(
        sa.select(Completion).where(Completion.trainee_id == trainee.id).order_by(Completion.id.desc())
        .options(so.joinedload(Completion.recorded_by).lazyload(User.role_rows),
                 so.joinedload(Completion.voided_by).lazyload(User.role_rows))))

