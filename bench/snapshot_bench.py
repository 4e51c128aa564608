"""Snapshot benchmark: `python -m bench snapshot [--years 5] [--instances 300] [--rounds 20]`.

The daily snapshot job (`portal.board.snapshots.take`) and the reads made from the snapshots (the
通报's 「本期与上期相比」, a county's trend chart, the 通报 page itself) on a database holding
`--years` years × `--instances` duty instances of daily snapshot rows, each timed beside the same
measure on the same database with only a month of history (the same-run baseline; ratio = p50 at
five years ÷ p50 at one month). The history is written in bulk in the shape the job writes (one row
per instance per day, lights and states spread); the job itself is then run and timed. Also printed:
the rows kept and the bytes each costs on disk (SQLite: the file's growth per row, index included).

Budgets: every measure at five years within 1.5× of its one-month figure; bytes per row ≤ 100.
`--database-url postgresql+psycopg://…` runs it on PostgreSQL (the database is emptied first).
"""
from __future__ import annotations

import argparse
import random
import sys
from datetime import timedelta

from bench.common import Timing, add_user, count, login, scratch_app, sync_content, time_requests, timed
from portal.core.time import today

RATIO_BUDGET = 1.5
BYTES_BUDGET = 100


def fill_history(first, last, rng: random.Random) -> int:
    """Daily rows for every live instance from `first` to `last` (inclusive), in bulk."""
    import sqlalchemy as sa

    from portal.core import duty_rules
    from portal.extensions import db
    from portal.models import DutyInstance, DutySnapshot

    instances = db.session.execute(sa.select(DutyInstance.id, DutyInstance.unit_id, DutyInstance.deadline)
                                   .where(~DutyInstance.archived)).all()
    states, lights = list(duty_rules.STATE_LABELS), list(duty_rules.LIGHT_LABELS)
    day, written, batch = first, 0, []
    while day <= last:
        for iid, unit_id, deadline in instances:
            batch.append({"day": day, "instance_id": iid, "unit_id": unit_id, "state": rng.choice(states),
                          "light": rng.choice(lights), "progress": rng.randrange(101), "deadline": deadline,
                          "overdue_days": 0})
        if len(batch) >= 20_000:
            db.session.execute(sa.insert(DutySnapshot), batch)
            written, batch = written + len(batch), []
        day += timedelta(days=1)
    if batch:
        db.session.execute(sa.insert(DutySnapshot), batch)
        written += len(batch)
    db.session.commit()
    # Years written at once: refresh the planner's statistics as autovacuum (PostgreSQL) would after
    # rows that arrive a day at a time; without it the grown figure measures stale statistics.
    with db.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE duty_snapshot"))
    return written


def database_bytes() -> int | None:
    from portal.extensions import db

    if db.engine.dialect.name != "sqlite":
        return None
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return conn.execute(sa.text("PRAGMA page_count")).scalar() * conn.execute(sa.text("PRAGMA page_size")).scalar()


def measure(app, client, rounds: int, on) -> dict[str, Timing]:
    """The job, the comparison read, a county trend and the 通报 page, `rounds` times each."""
    from portal.board import comparison, services, snapshots

    out = {name: Timing() for name in ("snapshot job (one day)", "本期与上期相比 read", "county trend read")}
    start = on.replace(day=1) if on.day > 1 else on - timedelta(days=1)
    with app.app_context():
        county = [uid for uid, u in services.unit_infos().items() if u.county_code == "yanhu"]
        for _ in range(rounds):
            with timed(out["snapshot job (one day)"]):
                snapshots.take(on)
            rows = services.load_rows(on)
            with app.test_request_context(), timed(out["本期与上期相比 read"]):
                comparison.for_period(rows, start, on, on)
            with timed(out["county trend read"]):
                snapshots.trend_chart(county, on)
    out["通报 page"] = time_requests(client, "/board/report", rounds)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench snapshot")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--instances", type=int, default=300)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    from bench.board_bench import generate_load
    from portal.models import DutySnapshot

    app, _tmp, url = scratch_app("snapshot-bench-", args.database_url)
    rng = random.Random(11)
    with app.app_context():
        sync_content(duties=True)
        instances, _items = generate_load(args.instances, args.items)
        add_user("leader")
        on = today()
        month_start = on - timedelta(days=30)
        fill_history(month_start, on - timedelta(days=1), rng)
        size_month = database_bytes()
        rows_month = count(DutySnapshot.day)
    client = login(app, "leader")
    measure(app, client, 2, on)  # warm-up (compiled templates and statements), not counted
    baseline = measure(app, client, args.rounds, on)

    with app.app_context():
        first = on - timedelta(days=365 * args.years)
        fill_history(first, month_start - timedelta(days=1), rng)
        size_years = database_bytes()
        rows_years = count(DutySnapshot.day)
    grown = measure(app, client, args.rounds, on)

    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"snapshot benchmark: {instances} duty instances, {rows_month:,} snapshot rows (one month) vs "
          f"{rows_years:,} ({args.years} years), {args.rounds} rounds, {engine}")
    print(f"{'measure':<28}{'1 month p50':>13}{'p95':>9}{f'{args.years} years p50':>14}{'p95':>9}{'ratio':>7}  budget")
    failed = False
    for name, base in baseline.items():
        big = grown[name]
        ratio = big.p50 / base.p50 if base.p50 else 0.0
        ok = ratio <= RATIO_BUDGET
        failed |= not ok
        print(f"{name:<28}{base.p50:>13.2f}{base.p95:>9.2f}{big.p50:>14.2f}{big.p95:>9.2f}{ratio:>7.2f}  "
              f"≤ {RATIO_BUDGET} {'PASS' if ok else 'FAIL'}")
    if size_month is not None and size_years is not None:
        per_row = (size_years - size_month) / max(1, rows_years - rows_month)
        ok = per_row <= BYTES_BUDGET
        failed |= not ok
        print(f"disk: {size_years / 1e6:.1f} MB in all; {per_row:.1f} bytes per snapshot row (index included), "
              f"{per_row * instances * 365 / 1e6:.1f} MB a year at {instances} instances  "
              f"≤ {BYTES_BUDGET} bytes {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
