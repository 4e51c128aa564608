"""课程 and tiers: the office groups modules into a course for one audience at a tier (上岗, 初级, 中级);
a course's 结业证书 is issued when every module of it is completed; a person's tier follows the courses
whose certificate they hold.

The rules (the office's 工作安排, see docs/DECISIONS.md):
* A module counts towards a course while its completion counts as done (`certificates.counts_as_done`:
  not voided, its own certificate not expired).
* The course certificate is dated the day its last module was completed, prints the sum of its modules'
  学时 (and adds none to the ledger), and expires after the course's term (none: it does not expire).
* Renewal is recompletion: once a course certificate has expired, every module of the course must be
  completed again (after that certificate was issued) for a new one; until then the module may be
  completed again even though its own completion still stands (`renewing`).
* Voiding any completion a course certificate stands on revokes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import record
from portal.core import training_rules
from portal.core.labels import zh_date
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import Certificate, Completion, Trainee, TrainingCourse, TrainingModule, User
from portal.training import certificates
from portal.training.scope import TrainingError

# ---- the office's courses ----------------------------------------------------------------------

def all_courses(active_only: bool = False) -> list[TrainingCourse]:
    """Courses by audience, tier (lowest first) and title."""
    stmt = sa.select(TrainingCourse)
    if active_only:
        stmt = stmt.where(TrainingCourse.active)
    rank = {t: i for i, t in enumerate(training_rules.TIERS)}
    return sorted(db.session.scalars(stmt), key=lambda c: (not c.active, c.post, rank.get(c.tier, 9), c.title))


def modules_of(course: TrainingCourse, modules: dict[int, TrainingModule]) -> list[TrainingModule]:
    return [modules[mid] for mid in course.module_ids if mid in modules]


def module_index() -> dict[int, TrainingModule]:
    return {m.id: m for m in db.session.scalars(sa.select(TrainingModule))}


@dataclass(frozen=True)
class CourseValues:
    title: str
    tier: str
    post: str
    module_ids: tuple[int, ...]
    clause_id: str
    description: str
    validity_months: int | None
    active: bool = True


def _check(values: CourseValues, course: TrainingCourse | None) -> None:
    if values.tier not in training_rules.TIERS or values.post not in training_rules.POST_LABELS:
        raise TrainingError("请选择课程等级和培训对象。")
    if not values.module_ids:
        raise TrainingError("课程至少包含一个培训模块。")
    live = {m.id for m in db.session.scalars(sa.select(TrainingModule).where(~TrainingModule.retired))}
    if not set(values.module_ids) <= live:
        raise TrainingError("所选培训模块已停用，请重新选择。")
    if values.clause_id not in refdata.clauses():
        raise TrainingError("请选择课程依据的方案条款。")
    same = db.session.scalar(sa.select(TrainingCourse.id).where(TrainingCourse.title == values.title))
    if same is not None and (course is None or same != course.id):
        raise TrainingError(f"已有名为“{values.title}”的课程，请换一个名称。")


def _audit_values(course: TrainingCourse, modules: dict[int, TrainingModule]) -> dict:
    """As the log shows a course: words, never keys or ids."""
    return {"title": course.title, "tier": training_rules.TIER_LABELS.get(course.tier, course.tier),
            "role": training_rules.post_label(course.post),
            "module": "、".join(m.title for m in modules_of(course, modules)),
            "clause_ids": [course.clause_id],  # the log shows it as 三（二）10
            "description": course.description,
            "validity": f"{course.validity_months}个月" if course.validity_months else "长期有效",
            "active": course.active}


def save_course(user: User, course: TrainingCourse | None, version: int | None, values: CourseValues,
                on: date) -> tuple[TrainingCourse, int]:
    """Create a course (`course` None) or change it; `version` is what the editor saw (someone else's save
    in between is refused, nothing lost). People who already completed every module get the course's
    certificate at once. Returns the course and how many certificates were issued."""
    if course is not None and version != course.version:
        raise TrainingError("其他人刚刚修改了这门课程，请查看最新内容后再保存。")
    _check(values, course)
    modules = module_index()
    before = _audit_values(course, modules) if course is not None else None
    if course is None:
        course = TrainingCourse(created_by_id=user.id)
        db.session.add(course)
    course.title, course.tier, course.post = values.title, values.tier, values.post
    course.module_ids, course.clause_id = list(values.module_ids), values.clause_id
    course.description, course.validity_months = values.description, values.validity_months
    course.active, course.updated_at = values.active, utcnow()
    db.session.flush()
    after = _audit_values(course, modules)
    if before is None:
        record("create", "training_course", course.id, label=course.title, after=after, actor=user)
    elif before != after:
        for key in [k for k in after if before[k] == after[k]]:  # the log names what changed
            del before[key], after[key]
        record("update", "training_course", course.id, label=course.title, before=before, after=after, actor=user)
    issued = issue_for_completers(course, user, on) if course.active else 0
    db.session.commit()
    return course, issued


# ---- course certificates -----------------------------------------------------------------------

def _standing(trainee_id: int, module_ids, on: date) -> dict[int, Completion]:
    """The latest completion of each module that counts as done on `on`."""
    out: dict[int, Completion] = {}
    for c in db.session.scalars(sa.select(Completion).where(
            Completion.trainee_id == trainee_id, Completion.module_id.in_(list(module_ids)),
            certificates.counts_as_done(on)).order_by(Completion.completed_on, Completion.id)):
        out[c.module_id] = c
    return out


def _latest_course_certs(trainee_id: int) -> dict[int, Certificate]:
    """The person's latest standing (not revoked) certificate of each course."""
    out: dict[int, Certificate] = {}
    for cert in db.session.scalars(sa.select(Certificate).where(
            Certificate.trainee_id == trainee_id, Certificate.course_id.is_not(None), ~Certificate.revoked)
            .order_by(Certificate.id)):
        out[cert.course_id] = cert
    return out


def _valid(cert: Certificate | None, on: date) -> bool:
    return cert is not None and certificates.state_of(cert.revoked, cert.expires_on, on) == certificates.VALID


def check_course(trainee: Trainee, course: TrainingCourse, by: User | None, on: date) -> Certificate | None:
    """Issue the course's certificate if every module is completed and none of the course stands; after
    an expired one, every module must have been completed again since it was issued."""
    if not course.active or course.post != trainee.post or not course.module_ids:
        return None
    previous = _latest_course_certs(trainee.id).get(course.id)
    if _valid(previous, on):
        return None
    done = _standing(trainee.id, course.module_ids, on)
    if previous is not None:
        done = {m: c for m, c in done.items() if c.completed_on > previous.issued_on}
    if set(course.module_ids) - set(done):
        return None
    return _issue(trainee, course, list(done.values()), by)


def _issue(trainee: Trainee, course: TrainingCourse, done: list[Completion], by: User | None) -> Certificate:
    arr = certificates.arrangement()
    issued_on = max(c.completed_on for c in done)
    serial = certificates.take_serial(arr, issued_on.year)
    hours = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Certificate.hours_tenths), 0)).where(
        Certificate.completion_id.in_([c.id for c in done]), ~Certificate.revoked)) or 0
    cert = Certificate(
        course_id=course.id, completion_ids=sorted(c.id for c in done), trainee_id=trainee.id,
        county_id=trainee.county_id, year=issued_on.year, serial=serial,
        number=certificates.number_text(arr.number_prefix, issued_on.year, serial),
        check_code=certificates.new_check_code(), issued_on=issued_on,
        expires_on=certificates.expiry(issued_on, course.validity_months), hours_tenths=hours,
        person_name=trainee.name, person_post=trainee.post, place=certificates.place_of(trainee),
        module_title=course.title, issuer=certificates.issuer_of(arr))
    db.session.add(cert)
    db.session.flush()
    record("issue_certificate", "certificate", cert.id, label=f"{cert.number} {trainee.name}：{course.title}",
           after={"number": cert.number, "course": course.title, "hours": certificates.hours_text(hours),
                  "expires": cert.expires_on}, actor=by)
    return cert


def after_completion(completion: Completion, by: User | None, on: date) -> list[Certificate]:
    """A completion was recorded: the courses it finishes issue their certificates."""
    trainee = completion.trainee
    issued = []
    for course in db.session.scalars(sa.select(TrainingCourse).where(TrainingCourse.active,
                                                                     TrainingCourse.post == trainee.post)):
        if completion.module_id in course.module_ids:
            cert = check_course(trainee, course, by, on)
            if cert is not None:
                issued.append(cert)
    return issued


def issue_for_completers(course: TrainingCourse, by: User | None, on: date) -> int:
    """Certificates for everyone of the course's audience who completed every module already."""
    ids = list(course.module_ids)
    if not ids:
        return 0
    people = db.session.scalars(
        sa.select(Trainee).join(Completion, Completion.trainee_id == Trainee.id)
        .where(Trainee.active, Trainee.post == course.post, Completion.module_id.in_(ids),
               certificates.counts_as_done(on))
        .group_by(Trainee.id).having(sa.func.count(sa.distinct(Completion.module_id)) == len(set(ids)))
        .order_by(Trainee.id))
    return sum(1 for t in list(people) if check_course(t, course, by, on) is not None)


def revoke_with(completion: Completion, by: User | None, reason: str) -> None:
    """A completion was voided: the course certificates that stand on it are revoked."""
    for cert in db.session.scalars(sa.select(Certificate).where(
            Certificate.trainee_id == completion.trainee_id, Certificate.course_id.is_not(None), ~Certificate.revoked)):
        if completion.id in (cert.completion_ids or []):
            certificates.revoke(cert, by, f"课程所含模块的培训记录已更正：{reason}")


def renewing(trainee_id: int, module_id: int, on: date) -> bool:
    """Must the module be completed again for a course's renewal? Yes when the person's latest certificate
    of an active course containing it has expired and the module was not completed since it was issued."""
    latest = _latest_course_certs(trainee_id)
    if not latest:
        return False
    courses = {c.id: c for c in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.id.in_(list(latest)), TrainingCourse.active))}
    for course_id, cert in latest.items():
        course = courses.get(course_id)
        if course is None or module_id not in course.module_ids or _valid(cert, on):
            continue
        newest = _standing(trainee_id, [module_id], on).get(module_id)
        if newest is None or newest.completed_on <= cert.issued_on:
            return True
    return False


# ---- what a person sees ------------------------------------------------------------------------

@dataclass
class CourseProgress:
    course: TrainingCourse
    modules: list[tuple[TrainingModule, bool]]  # (module, counts towards the course now)
    certificate: Certificate | None  # the latest standing one
    state: str | None  # its state (certificates.VALID / EXPIRED), None without one

    @property
    def done(self) -> int:
        return sum(1 for _, ok in self.modules if ok)

    @property
    def text(self) -> str:
        if self.state == certificates.VALID:
            return "已结业"
        if self.state == certificates.EXPIRED:
            return f"证书已于{zh_date(self.certificate.expires_on)}到期，须重新完成全部模块（已完成 {self.done}/{len(self.modules)}）"
        return f"已完成 {self.done}/{len(self.modules)} 个模块"


def person_courses(trainee: Trainee) -> tuple[list[TrainingCourse], list[Certificate]]:
    """In one statement: the courses of the person's audience in use, and every course certificate the
    person holds (with its course, whatever became of it), newest last."""
    rows = db.session.execute(
        sa.select(TrainingCourse, Certificate)
        .outerjoin(Certificate, sa.and_(Certificate.course_id == TrainingCourse.id, Certificate.trainee_id == trainee.id))
        .where(sa.or_(sa.and_(TrainingCourse.active, TrainingCourse.post == trainee.post), Certificate.id.is_not(None)))
        .order_by(Certificate.id)).all()
    rank = {t: i for i, t in enumerate(training_rules.TIERS)}
    mine = {c.id: c for c, _ in rows if c.active and c.post == trainee.post}
    return (sorted(mine.values(), key=lambda c: (rank.get(c.tier, 9), c.title)),
            [cert for _, cert in rows if cert is not None])


def progress_of(trainee: Trainee, on: date, history: list[Completion] | None = None,
                held: tuple[list[TrainingCourse], list[Certificate]] | None = None,
                modules: list[TrainingModule] | None = None) -> list[CourseProgress]:
    """The courses of the person's audience (in use), with what they completed and their certificate.
    A page that has the person's history (`services.history_of`: certificates joined), their courses
    (`person_courses`) and the live modules passes them: no statement of its own."""
    courses, certs = held if held is not None else person_courses(trainee)
    if not courses:
        return []
    index = {m.id: m for m in modules} if modules is not None else module_index()
    latest = {cert.course_id: cert for cert in certs if not cert.revoked}  # ordered by id: the last wins
    if history is None:
        done = _standing(trainee.id, {m for c in courses for m in c.module_ids}, on)
    else:
        lapsed = certificates.lapsed_in(history, on)
        done = {}
        for c in sorted(history, key=lambda c: (c.completed_on, c.id)):
            if not c.voided and c.id not in lapsed:
                done[c.module_id] = c
    out = []
    for course in courses:
        cert = latest.get(course.id)
        state = certificates.state_of(cert.revoked, cert.expires_on, on) if cert is not None else None
        since = cert.issued_on if state == certificates.EXPIRED else None
        rows = [(m, m.id in done and (since is None or done[m.id].completed_on > since))
                for m in modules_of(course, index)]
        out.append(CourseProgress(course, rows, cert, state))
    return out


def tiers_of(trainee_ids: list[int], on: date) -> dict[int, str]:
    """Each listed person's tier (people without one are left out), in one statement: the tiers of the
    courses of their post whose certificate is valid on `on`."""
    if not trainee_ids:
        return {}
    held: dict[int, set[str]] = {}
    for tid, tier in db.session.execute(
            sa.select(Certificate.trainee_id, TrainingCourse.tier)
            .join(TrainingCourse, TrainingCourse.id == Certificate.course_id)
            .join(Trainee, Trainee.id == Certificate.trainee_id)
            .where(Certificate.trainee_id.in_(trainee_ids), ~Certificate.revoked, TrainingCourse.active,
                   TrainingCourse.post == Trainee.post,
                   sa.or_(Certificate.expires_on.is_(None), Certificate.expires_on >= on))):
        held.setdefault(tid, set()).add(tier)
    return {tid: training_rules.tier_reached(tiers) for tid, tiers in held.items()}


def tier_of(progress: list[CourseProgress]) -> str | None:
    """The person's tier: the highest tier of a course whose certificate stands (`progress_of`)."""
    return training_rules.tier_reached(p.course.tier for p in progress if p.state == certificates.VALID)
