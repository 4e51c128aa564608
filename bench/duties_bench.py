"""Duty board benchmark: `python -m bench duties [--rounds N]`.

Loads the full 方案 expansion, then generates load up to 300 duties and 5,000 checklist items,
and times requests through the app's WSGI interface (server time, no network): the unit board,
a duty page and ticking an item (POST, write, audit, fragment back), each beside a trivial page
of the same app served the same way. Budgets: board and duty page p95 ≤ 50 ms; tick p95 ≤ 30 ms.
"""
from __future__ import annotations

import argparse
import random

from bench.common import (
    TRIVIAL_URL,
    Report,
    add_duty,
    add_user,
    count,
    htmx_token,
    login,
    lower_units,
    scratch_app,
    sync_content,
    time_requests,
)

BUDGETS = {"unit board": 50.0, "duty page": 50.0, "tick item": 30.0}


def generate_load(target_duties: int, target_items: int, seed: int = 7) -> tuple[int, int]:
    """Add generated duties (one instance each, up to 40 checklist items) until the targets are met."""
    from portal.extensions import db
    from portal.models import ChecklistItem, Duty

    rng = random.Random(seed)
    units = lower_units()
    duties, items = count(Duty.id), count(ChecklistItem.id)
    n = 0
    while duties < target_duties:
        n += 1
        per_duty = max(1, (target_items - items) // max(1, target_duties - duties))
        inst = add_duty(n, rng, units, min(per_duty, 40))
        duties += 1
        items += len(inst.items)
    db.session.commit()
    return duties, items


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench duties")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--duties", type=int, default=300)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args(argv)

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import DutyInstance

    app, _tmp, _url = scratch_app("duties-bench-")
    with app.app_context():
        sync_content(duties=True)
        duties, items = generate_load(args.duties, args.items)
        add_user("liaison", "yanhu-mz")
        inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == "transfer-children@yanhu-mz"))
        inst_id, item_id = inst.id, inst.active_items[0].id
        instances = count(DutyInstance.id)

    client = login(app, "liaison")
    token = htmx_token(client)
    rounds = args.rounds
    trivial = time_requests(client, TRIVIAL_URL, rounds)
    results = {
        "unit board": time_requests(client, "/tasks/", rounds),
        "duty page": time_requests(client, f"/tasks/{inst_id}", rounds),
        "tick item": time_requests(client, f"/tasks/{inst_id}/items/{item_id}", rounds, method="POST",
                                   data_fn=lambda i: {"done": "1" if i % 2 == 0 else "0", "csrf_token": token},
                                   headers={"HX-Request": "true"}),
        "all-units board (info)": time_requests(client, "/tasks/?unit=", max(20, rounds // 5)),
    }
    report = Report(f"duties benchmark: {duties} duties, {instances} instances, {items} checklist items, "
                    f"{rounds} rounds, SQLite", trivial)
    for name, timing in results.items():
        report.row(name, timing, BUDGETS.get(name))
    return report.finish()


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
