"""Duty board benchmark: `python -m bench duties [--rounds N]`.

Loads the full 方案 expansion, then generates load up to 300 duties and 5,000 checklist items,
and times requests through the app's WSGI interface (server time, no network): the unit board,
a duty page and ticking an item (POST, write, audit, fragment back), each beside a trivial page
of the same app served the same way. Budgets: board and duty page p95 ≤ 50 ms; tick p95 ≤ 30 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

BUDGETS = {"unit board": 50.0, "duty page": 50.0, "tick item": 30.0}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def generate_load(target_duties: int, target_items: int, seed: int = 7) -> tuple[int, int]:
    """Add generated duties (per-unit instances with checklists) until the targets are met."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import ChecklistItem, Duty, DutyInstance, Unit

    rng = random.Random(seed)
    units = db.session.scalars(sa.select(Unit).where(Unit.active, Unit.parent_id.is_not(None))).all()
    duties = db.session.scalar(sa.select(sa.func.count(Duty.id)))
    items = db.session.scalar(sa.select(sa.func.count(ChecklistItem.id)))
    n = 0
    while duties < target_duties:
        n += 1
        duty = Duty(key=f"bench-{n}", title=f"压力测试任务{n}", clause_ids=[rng.choice(["3.1.1.4", "3.2.10", "4.2.7"])],
                    scope="per-unit", area="部门职责", deadline_kind="date", deadline=None)
        db.session.add(duty)
        per_duty = max(1, (target_items - items) // max(1, target_duties - duties))
        unit = rng.choice(units)
        inst = DutyInstance(key=f"bench-{n}@{unit.code}", duty=duty, unit=unit)
        inst.items = [ChecklistItem(title=f"事项{k}", position=k) for k in range(min(per_duty, 40))]
        db.session.add(inst)
        duties += 1
        items += len(inst.items)
    db.session.commit()
    return duties, items


def time_requests(client, method: str, url: str, rounds: int, data_fn=None, headers=None) -> list[float]:
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data=data_fn(i), headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    return samples


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench duties")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--duties", type=int, default=300)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args(argv)

    from portal import create_app
    from portal.config import PROJECT_ROOT
    from portal.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="duties-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "INSTANCE_PATH": str(tmp),
                      "UPLOAD_DIR": str(tmp / "uploads"), "SEARCH_INDEX_DIR": str(tmp / "ix"),
                      "SECRET_KEY": "bench", "CONTENT_DIR": os.environ.get("PORTAL_CONTENT_DIR") or str(PROJECT_ROOT / "content")})
    with app.app_context():
        import sqlalchemy as sa

        from portal.admin.services import AccountInput, create_account
        from portal.duties.sync import sync_duties
        from portal.models import DutyInstance
        from portal.policy.services import sync_policy
        from portal.units.services import sync_units

        db.create_all()
        content = Path(app.config["CONTENT_DIR"])
        assert sync_units(content).ok and sync_policy(content).ok and sync_duties(content).ok
        duties, items = generate_load(args.duties, args.items)
        create_account(AccountInput("bench", "压测联络员", ["liaison"], "yanhu-mz", "Duty-load-17"))
        inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == "transfer-children@yanhu-mz"))
        inst_id, item_id = inst.id, inst.active_items[0].id
        instances = db.session.scalar(sa.select(sa.func.count(DutyInstance.id)))

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench", "password": "Duty-load-17", "csrf_token": token})
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True)).group(1)

    rounds = args.rounds
    trivial = time_requests(client, "GET", "/account/password", rounds)
    results = {
        "unit board": time_requests(client, "GET", "/tasks/", rounds),
        "duty page": time_requests(client, "GET", f"/tasks/{inst_id}", rounds),
        "tick item": time_requests(client, "POST", f"/tasks/{inst_id}/items/{item_id}", rounds,
                                   data_fn=lambda i: {"done": "1" if i % 2 == 0 else "0", "csrf_token": token},
                                   headers={"HX-Request": "true"}),
        "all-units board (info)": time_requests(client, "GET", "/tasks/?unit=", max(20, rounds // 5)),
    }
    load = os.getloadavg()[0]
    print(f"duties benchmark: {duties} duties, {instances} instances, {items} checklist items, "
          f"{rounds} rounds, SQLite, load average {load:.2f}")
    base95 = percentile(trivial, 95)
    print(f"{'request':<26}{'p50 ms':>9}{'p95 ms':>9}{'trivial p95':>13}{'ratio':>8}  budget")
    print(f"{'trivial page (baseline)':<26}{statistics.median(trivial):>9.2f}{base95:>9.2f}{base95:>13.2f}{1:>8.1f}")
    failed = False
    for name, samples in results.items():
        p95 = percentile(samples, 95)
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else (f"≤ {budget:.0f} ms " + ("PASS" if p95 <= budget else "FAIL"))
        failed |= budget is not None and p95 > budget
        print(f"{name:<26}{statistics.median(samples):>9.2f}{p95:>9.2f}{base95:>13.2f}{p95 / base95:>8.1f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
