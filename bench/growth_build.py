"""Building the growth benchmark's databases: the demo one (`flask portal setup --demo`) and the same
demo grown the way a city office grows over ten years, through the app's own services with the clock
set back (portal.core.time's clock is moved for each step):

* the roster: a year's intake of trainees imported each year (`import_roster`), every module of their
  role assigned to them (`assign_people`, due three months later), a few sign-in sheets ticked
  (`create_sheet`, `set_attendance`); about 40% of the pairs completed — inserted in bulk in the
  shape `_complete` writes (the completion and its audit entry), the one bulk step the issue allows;
* the duties: notes and ticks on every live duty through `add_note` and `set_item`, spread over the year;
* the monthly 进展报告 of every reporting unit, every month (`reports.services.save`, submitted);
* sign-ins: the audit log's `login` entries, as `auth.services` writes them (bulk: nothing else is
  written by a sign-in).

`--scale 1` is the issue's size: 10 years, 50,000 trainees × 9 modules (450,000 assignments), 120
months × 71 units of reports, ~30,000 notes and ticks, ~150,000 sign-ins. The built databases are
cached (SQLite files under .bench-cache/, PostgreSQL databases beside the one named) under a key of
the scale and this file's text, so reruns copy them instead of building again.
"""
from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-cache" / "growth"
YEARS = 10
PEOPLE = 50_000  # at scale 1, over the years
NOTES_PER_YEAR = 3  # per live duty, at scale 1 (each through add_note: ~15–30 ms on this machine)
TICKS_PER_YEAR = 3
LOGINS_PER_DAY = 60
COMPLETED_SHARE = 0.4
TOWNSHIPS_PER_COUNTY = 12
VILLAGES_PER_TOWNSHIP = 22
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def cache_key(scale: float) -> str:
    text = Path(__file__).read_bytes()
    return f"s{scale:g}-{hashlib.sha256(text).hexdigest()[:10]}"


def base_env(database_url: str, folder: Path) -> dict:
    env = dict(os.environ)
    env.update({"FLASK_APP": "wsgi", "DATABASE_URL": database_url, "PORTAL_SECRET_KEY": "bench-growth-secret",
                "PORTAL_INSTANCE_PATH": str(folder), "PORTAL_UPLOAD_DIR": str(folder / "uploads"),
                "PORTAL_SEARCH_INDEX_DIR": str(folder / "search_index"), "PORTAL_CONTENT_DIR": str(ROOT / "content")})
    return env


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "portal", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask portal {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# ---- the moved clock ---------------------------------------------------------------------------

class _Clock:
    at: datetime | None = None  # naive UTC the app reads as "now"; None = the real time


class _MovedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        if _Clock.at is None:
            return datetime.now(tz)
        moved = _Clock.at.replace(tzinfo=UTC)
        return moved.astimezone(tz) if tz else moved.replace(tzinfo=None)


@contextmanager
def moved_clock():
    """Within the block `set_clock(when)` sets what the app's clock (portal.core.time) says."""
    import portal.core.time as timeutil

    saved = timeutil.datetime
    timeutil.datetime = _MovedDatetime
    try:
        yield
    finally:
        timeutil.datetime = saved
        _Clock.at = None


def set_clock(day: date, seconds: int = 9 * 3600) -> None:
    """Local 9:00 (+ seconds) of `day`, as naive UTC."""
    _Clock.at = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds - 8 * 3600)


# ---- growing ------------------------------------------------------------------------------------

def roster_rows(counties: list[str], year: int, people: int, rng: random.Random) -> bytes:
    """A year's intake: about one 儿童督导员 per township per year, the rest 儿童主任 of villages."""
    lines = ["姓名,角色,县（市、区）,乡镇（街道）,村（社区）,手机号,账号,备注\n"]
    for n in range(people):
        county = counties[n % len(counties)]
        k = n // len(counties)
        town = f"第{k % TOWNSHIPS_PER_COUNTY + 1}镇"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        phone = f"15{year:01d}{n:08d}"
        if k < TOWNSHIPS_PER_COUNTY:
            lines.append(f"{name},儿童督导员,{county},{town},,{phone},,\n")
        else:
            village = f"{town}第{k % VILLAGES_PER_TOWNSHIP + 1}村"
            lines.append(f"{name},儿童主任,{county},{town},{village},{phone},,\n")
    return "".join(lines).encode("utf-8")


def _liaisons() -> dict[int, int]:
    """A liaison for every reporting unit (no password: they only write through services here)."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import User
    from portal.reports.services import reporting_units

    out = {}
    for unit in reporting_units():
        name = f"growth-{unit.code}"
        user = db.session.scalar(sa.select(User).where(User.username == name))
        if user is None:
            user = User(username=name[:64], display_name=f"{unit.short_name or unit.name}联络员"[:80], unit_id=unit.id,
                        password_hash="!", active=True)
            user.set_roles(["liaison"])
            db.session.add(user)
        out[unit.id] = user
    db.session.commit()
    return {unit_id: user.id for unit_id, user in out.items()}


def _grow_training_year(year: int, start: date, people: int, admin, rng: random.Random, log) -> None:
    import sqlalchemy as sa

    from portal.core import training_rules
    from portal.extensions import db
    from portal.models import AuditEntry, Completion, Trainee
    from portal.training import services
    from portal.training.roster import import_roster
    from portal.training.scope import county_units

    set_clock(start)
    counties = county_units()
    result = import_roster(roster_rows([c.name for c in counties], year, people, rng), f"roster{year}.csv", admin,
                           dry_run=False)
    assert result.ok, result.problems[:3]
    def intake() -> list:  # the year's people, read again after each commit (one statement, not one per person)
        return list(db.session.scalars(sa.select(Trainee).where(Trainee.phone.like(f"15{year:01d}%"))))

    due = start + timedelta(days=90)
    for module in services.live_modules():
        mine = [t for t in intake() if t.post in module.audience]
        services.assign_people(admin, module, mine, due, backdated=True)
    # A few sign-in sheets through the services (a township's directors ticked).
    for c in counties[:3]:
        set_clock(start + timedelta(days=30))
        module = rng.choice([m for m in services.live_modules() if "director" in m.audience])
        sheet = services.create_sheet(admin, module, c, None, start + timedelta(days=30), "乡镇便民服务中心", "培训老师")
        for person in services.sheet_people(sheet)[:20]:
            services.set_attendance(admin, sheet, person, True)
    # About 40% of the year's pairs completed, in the shape `_complete` writes.
    ticked = {(c.trainee_id, c.module_id) for c in db.session.execute(
        sa.select(Completion.trainee_id, Completion.module_id).where(~Completion.voided))}
    titles = {m.id: m.title for m in services.live_modules()}
    new = intake()
    completions, entries = [], []
    for t in new:
        for module in services.live_modules():
            if t.post not in module.audience or (t.id, module.id) in ticked or rng.random() >= COMPLETED_SHARE:
                continue
            on = start + timedelta(days=rng.randint(20, 300))
            at = datetime(on.year, on.month, on.day, 2) + timedelta(minutes=rng.randint(0, 480))
            completions.append({"trainee_id": t.id, "module_id": module.id, "how": "manual", "completed_on": on,
                                "note": "", "recorded_by_id": admin.id, "recorded_at": at, "voided": False,
                                "void_reason": ""})
            entries.append({"at": at, "actor_id": admin.id, "actor_name": admin.username,
                            "actor_display": admin.display_name, "action": "complete", "object_type": "trainee",
                            "object_id": str(t.id), "object_label": f"{t.name}：{titles[module.id]}"[:200],
                            "after": {"how": training_rules.HOW_LABELS["manual"], "date": on.isoformat()}, "ip": ""})
    for chunk in range(0, len(completions), 5000):
        db.session.execute(sa.insert(Completion), completions[chunk:chunk + 5000])
        db.session.execute(sa.insert(AuditEntry), entries[chunk:chunk + 5000])
    db.session.commit()
    log(f"  year {year + 1}: {len(new)} trainees, {len(completions)} completions")


def _grow_duties_year(start: date, admin_id: int, rng: random.Random, scale: float) -> int:
    import sqlalchemy as sa

    from portal.duties.services import DutyError, NotAllowed, add_note, set_item
    from portal.extensions import db
    from portal.models import DutyInstance, User

    ids = list(db.session.scalars(sa.select(DutyInstance.id).where(~DutyInstance.archived).order_by(DutyInstance.id)))
    events = []
    for iid in ids:
        events += [(rng.randint(0, 364), "note", iid) for _ in range(max(1, round(NOTES_PER_YEAR * scale)))]
        events += [(rng.randint(0, 364), "tick", iid) for _ in range(max(1, round(TICKS_PER_YEAR * scale)))]
    events.sort()
    done = 0
    for n, (day, kind, iid) in enumerate(events):
        set_clock(start + timedelta(days=day), 9 * 3600 + n % 30000)
        inst, admin = db.session.get(DutyInstance, iid), db.session.get(User, admin_id)
        try:
            if kind == "note":
                add_note(admin, inst, f"第{n}条工作记录：本月推进情况良好，已按要求落实。")
            else:
                items = inst.active_items
                if not items:
                    continue
                item = rng.choice(items)
                set_item(admin, inst, item.id, not item.done)
            done += 1
        except (DutyError, NotAllowed):  # closed since, or archived: nothing to write
            db.session.rollback()
        if n % 200 == 0:
            db.session.expunge_all()
    return done


def _grow_reports(first: date, months: int, liaisons: dict) -> int:
    from portal.extensions import db
    from portal.models import Unit, User
    from portal.reports.services import ReportError, ReportInput, get_report, save

    saved = 0
    for k in range(months):
        year, month = first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1
        set_clock(date(year, month, 20))
        key = f"{year:04d}-{month:02d}"
        for unit_id, user_id in liaisons.items():
            unit, user = db.session.get(Unit, unit_id), db.session.get(User, user_id)
            if get_report(unit, key) is not None:
                continue
            try:
                save(user, unit, key, ReportInput(f"{key}：各项任务按计划推进。", "无", "继续推进。"), True, None)
                saved += 1
            except ReportError:
                db.session.rollback()
        db.session.expunge_all()
    return saved


def _grow_logins(first: date, days: int, per_day: int, rng: random.Random) -> int:
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import AuditEntry, User

    users = [(u.id, u.username, u.display_name) for u in db.session.scalars(
        sa.select(User).where(User.active, User.password_hash != "!"))]
    rows, total = [], 0
    for d in range(days):
        day = first + timedelta(days=d)
        if day.weekday() >= 5:
            continue
        for _ in range(per_day):
            uid, name, display = rng.choice(users)
            at = datetime(day.year, day.month, day.day, 0, 30) + timedelta(minutes=rng.randint(0, 540))
            rows.append({"at": at, "actor_id": uid, "actor_name": name, "actor_display": display or name,
                         "action": "login", "object_type": "user", "object_id": str(uid), "object_label": name,
                         "ip": "10.0.0.8"})
        if len(rows) >= 10000:
            db.session.execute(sa.insert(AuditEntry), rows)
            total += len(rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(AuditEntry), rows)
        total += len(rows)
    db.session.commit()
    return total


def grow(database_url: str, folder: Path, scale: float, log=print) -> None:
    """Grow the (demo) database at `database_url` by ten years of a city office's work."""
    import sqlalchemy as sa

    os.environ.update({k: v for k, v in base_env(database_url, folder).items() if k.startswith(("DATABASE_URL", "PORTAL_"))})
    from portal import create_app
    from portal.extensions import db
    from portal.models import User

    app = create_app({"INSTANCE_PATH": str(folder)})
    rng = random.Random(24)
    today = date.today()
    first = date(today.year - YEARS, today.month, 1)
    with app.app_context(), moved_clock():
        _fast_commits(db.engine)
        admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
        liaisons = _liaisons()
        per_year = max(13, round(PEOPLE * scale / YEARS))
        # Year by year, so that the audit log's entries of each kind interleave as a real office's do
        # (a page reading "the newest changes" finds them among a year's sign-ins, not after all of them).
        for year in range(YEARS):
            start = first + timedelta(days=365 * year)
            t0 = time.monotonic()
            _grow_training_year(year, start, per_year, db.session.get(User, admin_id), rng, log)
            logins = _grow_logins(start, min(365, (today - start).days), max(1, round(LOGINS_PER_DAY * scale)), rng)
            notes = _grow_duties_year(start, admin_id, rng, scale)
            month = date(start.year, start.month, 1)
            reports = _grow_reports(month, 12 if year < YEARS - 1 else _months(month, today), liaisons)
            log(f"  year {year + 1}: {notes} notes and ticks, {reports} monthly reports, {logins} sign-ins "
                f"({time.monotonic() - t0:.0f} s)")
            db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()


def _months(first: date, today: date) -> int:
    """Months from `first` up to and including the month before today's (today's is the demo's own)."""
    return max(0, (today.year - first.year) * 12 + today.month - first.month)


def _fast_commits(engine) -> None:
    """Building a cache, not serving: commits need not wait for the disk (SQLite synchronous=OFF,
    PostgreSQL synchronous_commit off). What is written is the same."""
    import sqlalchemy as sa

    engine.dispose()

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_conn.commit()


if __name__ == "__main__":  # python -m bench.growth_build URL FOLDER SCALE (run by bench/growth_bench.py)
    grow(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]))
