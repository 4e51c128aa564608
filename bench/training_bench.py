"""Training benchmark: `python -m bench training [--rounds N] [--people 5000]`.

Loads the curriculum, imports a generated 5,000-row roster (13 counties, townships, villages)
through the real import, fills 10 modules × 5,000 people = 50,000 assignments (the last 3,000 of
one module through the real `assign_people`), marks about 40% completed, then times through the
app's WSGI interface (server time, no network) a county matrix (~400 people × 10 modules) and
the city roll-up, each beside a trivial page of the same app served the same way.

Budgets (issue #8): import 5,000 rows ≤ 5 s; assign one module to 3,000 people ≤ 2 s;
county matrix p95 ≤ 100 ms; city roll-up p95 ≤ 200 ms.

Issue 21 adds: issuing a certificate (numbered under the settings row's lock, as a completion does)
and downloading its PDF, each timed per certificate and also printed as certificates per second; and
the 学时 ledger with certificates of 5,000 people over 3 years (every completion certified, spread over
this year and the two before), each year's page and the whole-city "short of the target" page,
within the matrix budget (p95 ≤ 100 ms); and a course of two modules saved through the service, which
certifies everyone who completed both at once (course certificates per second).
"""
from __future__ import annotations

import argparse
import os
import random
from datetime import date, timedelta

from bench.common import TRIVIAL_URL, Report, Timing, add_user, count, login, scratch_app, sync_content, time_requests, timed
from portal.core.time import today

BUDGETS_MS = {"import roster": 5000.0, "assign to 3,000": 2000.0, "county matrix": 100.0, "city roll-up": 200.0,
              "学时 ledger (a year)": 100.0, "学时 ledger: short of target": 100.0}
CERTIFIED = 300  # certificates issued one by one through the service (the rest in bulk)
HEADER = "姓名,角色,县（市、区）,乡镇（街道）,村（社区）,手机号,账号,备注\n"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def roster_csv(counties: list[str], people: int, seed: int = 11) -> bytes:
    """About one 儿童督导员 per township and the rest 儿童主任, one per village."""
    rng = random.Random(seed)
    lines = [HEADER]
    per_county = people // len(counties)
    for ci, county in enumerate(counties):
        size = per_county + (people % len(counties) if ci == 0 else 0)  # the first: the timed matrix
        townships = max(1, size // 35)
        for k in range(size):
            town = f"第{k % townships + 1}镇"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            phone = f"13{ci:02d}{k:07d}"
            if k < townships:
                lines.append(f"{name},儿童督导员,{county},{town},,{phone},,\n")
            else:
                lines.append(f"{name},儿童主任,{county},{town},{town}第{k}村,{phone},,\n")
    return "".join(lines).encode("utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench training")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--modules", type=int, default=10)
    args = parser.parse_args(argv)

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Assignment, Certificate, Completion, Trainee, TrainingModule
    from portal.training import services, tally
    from portal.training.roster import import_roster
    from portal.training.scope import county_units

    database_url = os.environ.get("BENCH_DATABASE_URL")
    app, _tmp, _url = scratch_app("training-bench-", database_url)
    once = {"import roster": Timing(), "assign to 3,000": Timing()}  # one-shot operations: p50 = p95
    with app.app_context():
        sync_content(training=True)
        modules = services.live_modules()
        for n in range(len(modules), args.modules):  # top up the curriculum with stand-ins
            db.session.add(TrainingModule(key=f"bench-{n}", position=100 + n, title=f"压测模块{n}",
                                          audience=["supervisor", "director"], clause_ids=["3.2.10"]))
        db.session.commit()
        for m in services.live_modules():
            m.audience = ["supervisor", "director"]  # every module for everyone: 10 × 5,000 assignments
        db.session.commit()
        modules = services.live_modules()[: args.modules]
        admin = add_user("trainer")
        counties = [c.name for c in county_units()]

        data = roster_csv(counties, args.people)
        with timed(once["import roster"]):
            result = import_roster(data, "roster.csv", admin, dry_run=False)
        assert result.ok, result.problems[:3]

        ids = list(db.session.scalars(sa.select(Trainee.id).order_by(Trainee.id)))
        counties_of = dict(db.session.execute(sa.select(Trainee.id, Trainee.county_id)).all())
        due_past, due_future = date.today() - timedelta(days=5), date.today() + timedelta(days=60)
        rng = random.Random(5)
        for m in modules[:-1]:
            db.session.execute(sa.insert(Assignment), [
                {"module_id": m.id, "trainee_id": t, "county_id": counties_of[t],
                 "due": due_past if t % 7 == 0 else due_future, "active": True, "ended_reason": ""} for t in ids])
        db.session.commit()
        last = modules[-1]
        people = db.session.scalars(sa.select(Trainee).where(Trainee.id.in_(ids[:3000]))).all()
        with timed(once["assign to 3,000"]):
            services.assign_people(admin, last, people, due_future)
        services.assign_people(admin, last, db.session.scalars(
            sa.select(Trainee).where(Trainee.id.in_(ids[3000:]))).all(), due_future)
        db.session.execute(sa.insert(Completion), [
            {"trainee_id": t, "module_id": m.id, "how": "manual", "completed_on": date.today(), "note": "",
             "voided": False, "void_reason": ""} for m in modules for t in ids if rng.random() < 0.4])
        tally.rebuild()  # rows written in bulk, outside the services: the figures' summary recounted
        db.session.commit()
        once["issue certificate"] = _issue_certificates(admin)
        years = _certify_the_rest()
        once["course certificates"], course_issued = _course_certificates(admin, modules[:2])
        assignments = count(Assignment.id)
        first = county_units()[0]
        in_county = db.session.scalar(sa.select(sa.func.count(Trainee.id)).where(Trainee.county_id == first.id))

    client = login(app, "trainer")
    rounds = args.rounds
    urls = {"county matrix": f"/training/reports/matrix?county={first.code}", "city roll-up": "/training/reports/city",
            "overdue list (info)": "/training/reports/overdue"}
    trivial = time_requests(client, TRIVIAL_URL, rounds)
    results = {name: time_requests(client, url, rounds if "info" not in name else max(5, rounds // 10))
               for name, url in urls.items()}
    results["学时 ledger (a year)"] = time_requests(client, lambda i: f"/training/hours?year={years[i % 3]}&all=1", rounds)
    results["学时 ledger: short of target"] = time_requests(client, f"/training/hours?year={years[0]}", rounds)
    with app.app_context():
        cert_ids = list(db.session.scalars(sa.select(Certificate.id).order_by(Certificate.id).limit(CERTIFIED)))
    results["certificate PDF"] = time_requests(client, lambda i: f"/training/certificates/{cert_ids[i % len(cert_ids)]}/pdf",
                                               max(20, rounds // 2))
    report = Report(f"training benchmark: {args.people} trainees, {len(modules)} modules, {assignments} assignments, "
                    f"matrix county {in_county} people, {rounds} rounds, "
                    f"{'PostgreSQL' if database_url else 'SQLite'}", trivial, width=30)
    for name, timing in {**once, **results}.items():
        report.row(name, timing, BUDGETS_MS.get(name))
    for name in ("issue certificate", "certificate PDF"):
        timing = (once | results)[name]
        print(f"{name}: {1000 / timing.p50:.1f} certificates per second at p50 wall, {1000 / timing.cpu95:.1f} at "
              f"p95 CPU (trivial page beside it: {1000 / trivial.p50:.1f} per second)")
    course = once["course certificates"]
    if course_issued:
        print(f"course certificates: {course_issued} issued by saving a course of two modules in "
              f"{course.p50:.0f} ms, {1000 * course_issued / course.p50:.1f} certificates per second "
              f"(trivial page beside it: {1000 / trivial.p50:.1f} per second)")
    return report.finish()


def _issue_certificates(admin) -> Timing:
    """Certificates issued as a completion issues them (`certificates.issue`), one commit each."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Completion
    from portal.training import certificates

    timing = Timing()
    for completion in db.session.scalars(sa.select(Completion).order_by(Completion.id).limit(CERTIFIED)).all():
        with timed(timing):
            certificates.issue(completion, admin)
            db.session.commit()
    return timing


def _course_certificates(admin, modules) -> tuple[Timing, int]:
    """A course of two modules saved through the service: everyone who completed both gets its
    certificate in that one save (`courses.issue_for_completers`). Returns the time and how many."""
    from portal.training import courses

    timing = Timing()
    values = courses.CourseValues("压测课程", "onboarding", "director", tuple(m.id for m in modules), "3.2.10", "",
                                  24)
    with timed(timing):
        _, issued = courses.save_course(admin, None, None, values, today())
    return timing, issued


def _certify_the_rest() -> list[int]:
    """Every other completion certified in bulk, their years spread over this year and the two before
    (the ledger of 5,000 people × 3 years); returns the three years, newest first."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Certificate, Completion, Trainee
    from portal.training import certificates

    this = date.today().year
    serial = {y: (db.session.scalar(sa.select(sa.func.max(Certificate.serial)).where(Certificate.year == y)) or 0)
              for y in (this, this - 1, this - 2)}
    done = sa.select(Certificate.completion_id)
    rows = []
    for n, (cid, tid, mid, county) in enumerate(db.session.execute(
            sa.select(Completion.id, Completion.trainee_id, Completion.module_id, Trainee.county_id)
            .join(Trainee, Trainee.id == Completion.trainee_id).where(Completion.id.not_in(done)))):
        year = this - n % 3
        serial[year] += 1
        rows.append({"completion_id": cid, "trainee_id": tid, "module_id": mid, "county_id": county, "year": year,
                     "serial": serial[year], "number": f"B{year}{serial[year]:06d}", "check_code": "BENCH1",
                     "issued_on": date(year, 6, 1), "expires_on": None, "hours_tenths": 10 + n % 6,
                     "person_name": "压测", "person_post": "director", "place": "", "module_title": "", "issuer": "",
                     "revoked": False, "revoke_reason": ""})
    db.session.execute(sa.insert(Certificate), rows)
    arr = certificates.arrangement()
    arr.yearly_target_tenths = 60  # 6 学时 a year: most people are short of it, the slow case of the list
    db.session.commit()
    return [this, this - 1, this - 2]


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
