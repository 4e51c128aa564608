"""Board fixtures: the plan loaded with a spread of states, ticks and reported figures."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.core import duty_rules
from portal.extensions import db
from portal.models import DutyInstance, IndicatorValue


@pytest.fixture
def varied(plan):
    """Set states directly (the board only reads them): closed, blocked, requested, in progress."""
    def by_key(key):
        return db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == key))

    def set_state(key, state):
        inst = by_key(key)
        inst.state = state
        if state == duty_rules.CLOSED:
            inst.closed_at = datetime(2022, 9, 20)
        return inst

    set_state("transfer-children@yongji-mz", duty_rules.CLOSED)
    set_state("transfer-children@hejin-mz", duty_rules.BLOCKED)
    set_state("transfer-children@linyi-mz", duty_rules.REQUESTED)
    yanhu = set_state("transfer-children@yanhu-mz", duty_rules.IN_PROGRESS)
    for item in yanhu.active_items[:3]:
        item.done = True
    db.session.add_all([
        IndicatorValue(instance_id=yanhu.id, name="移交儿童人数", value=5),
        IndicatorValue(instance_id=yanhu.id, name="移交儿童人数", value=7),  # a correction: the latest counts
        IndicatorValue(instance_id=by_key("transfer-children@yongji-mz").id, name="移交儿童人数", value=4),
        IndicatorValue(instance_id=yanhu.id, name="移交档案份数", value=12),
    ])
    city = db.session.scalars(sa.select(DutyInstance).where(DutyInstance.unit.has(code="city-ga"))).all()
    city[0].state = duty_rules.CLOSED
    city[0].closed_at = datetime(2022, 1, 5)
    db.session.commit()
    return {"children": 11, "files": 12}


@pytest.fixture(autouse=True)
def _fresh_board_cache():
    from portal.board import cache

    cache.clear()
    yield
