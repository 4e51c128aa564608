"""The document page's 本条任务 counts per section agree with each clause page's duty list."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from portal.core import duty_rules
from portal.core.plan import PLAN_ID
from portal.core.time import today
from portal.duties.clauses import instances_by_clause, instances_for_clause
from portal.extensions import db
from portal.models import Duty, DutyInstance


def test_section_lights_count_each_duty_with_its_own_checklist(plan, auth):
    """The 13 county transfers finished their steps, three weeks before a deadline: each is 临近
    (blue), not 预警 as a duty with nothing done would be. Every instance is counted with its own
    checklist, not only the first one read."""
    on = today()
    duty = db.session.scalar(sa.select(Duty).where(Duty.key == "transfer-children"))
    duty.start = on - timedelta(days=300)
    transfers = db.session.scalars(sa.select(DutyInstance).where(DutyInstance.duty_id == duty.id)).all()
    for inst in transfers:
        inst.deadline = on + timedelta(days=20)
        for item in inst.items:
            item.done = True
    db.session.commit()

    summary = instances_by_clause(PLAN_ID)
    listed = Counter(v.light for v in instances_for_clause(PLAN_ID, "3.2.8"))
    assert listed[duty_rules.BLUE] == len(transfers) == 13
    assert summary["3.2.8"] == dict(listed)
    for section in ("3", "3.2", "4.2"):
        assert summary.get(section, {}) == dict(Counter(v.light for v in instances_for_clause(PLAN_ID, section)))

    auth.as_role("staff")
    html = auth.client.get(f"/policy/{PLAN_ID}").get_data(as_text=True)
    section = html[html.index('id="3.2.8"'):]
    counts = section[section.index('data-testid="clause-duty-summary"'):]
    counts = counts[:counts.index("</p>")]
    assert f"本条任务 {sum(listed.values())} 项" in counts and f"临近 {len(transfers)}" in counts
