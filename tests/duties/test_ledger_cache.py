"""The 台账's rows are kept per process under the duty data's token (portal/duties/ledger_cache.py):
a second visit reads no rows, and every write the 台账 shows — a tick, a decision, a plan published or
archived — is on the very next page (written, then read)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import g

from portal import locking, refdata
from portal.audit.services import record
from portal.core import duty_rules
from portal.core.time import utcnow
from portal.duties import ledger, ledger_cache
from portal.duties import services as duty_services
from portal.extensions import db
from portal.models import ChecklistItem, Duty, DutyCooperator, DutyInstance, RefdataStamp, Unit
from portal.plans import publish
from portal.plans import services as plan_services
from tests.conftest import instance_by_key, make_user, signed_in
from tests.plans.helpers import ready_plan
from tests.querycount import count_queries

KEY = "transfer-children@yanhu-mz"
PLAN_DUTY = "建立关爱服务台账"  # the sample plan's per-county duty (tests/plans/helpers.py)


def _row(html: str, key: str) -> str:
    """The 台账 row of an instance (empty when it is not on the page)."""
    found = re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', html, re.S)
    return found.group(1) if found else ""


def _page(auth, url: str = "/tasks/?unit=yanhu-mz") -> str:
    response = auth.client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reads_rows(statements: list[str]) -> bool:
    return any("FROM duty_instance" in s for s in statements)


def _token() -> str | None:
    return db.session.scalar(sa.select(refdata.duty_stamp_column()))


def _table(html: str) -> str:
    return html[html.index('data-testid="board-summary"'):]


def test_a_second_visit_reads_no_rows_and_shows_the_same_page(app, plan):
    auth = signed_in(app, "cache-leader", "leader")
    duty_services.touch(instance_by_key(KEY))  # a write: the token exists
    db.session.commit()
    first = _page(auth, "/tasks/?unit=")
    with count_queries() as statements:
        again = _page(auth, "/tasks/?unit=")
    assert "<tr data-key=" in first and _table(again) == _table(first)
    assert not _reads_rows(statements), statements
    with count_queries() as statements:  # another filter is another entry
        _page(auth, "/tasks/?unit=&light=red")
    assert _reads_rows(statements)


def test_a_tick_shows_on_the_next_page(app, plan):
    liaison = signed_in(app, "cache-mz", "liaison", unit="yanhu-mz")
    inst = instance_by_key(KEY)
    before = _row(_page(liaison, "/tasks/"), KEY)
    assert before and _row(_page(liaison, "/tasks/"), KEY) == before  # cached, the same
    item = inst.active_items[0]
    assert liaison.post(f"/tasks/{inst.id}/items/{item.id}", {"done": "1"}).status_code == 302
    after = _row(_page(liaison, "/tasks/"), KEY)
    done = sum(1 for i in instance_by_key(KEY).active_items if i.done)
    assert after != before and f"{round(100 * done / len(inst.active_items))}%" in after
    assert "推进中" in after


def test_a_close_decided_and_an_extension_granted_show_on_the_next_page(app, plan):
    leader = signed_in(app, "cache-leader", "leader")
    office = make_user("cache-office", "admin")
    instance_by_key(KEY).state = duty_rules.REQUESTED
    db.session.commit()
    assert "申请销号" in _row(_page(leader), KEY) and "已销号" not in _row(_page(leader), KEY)
    duty_services.decide_close(office, instance_by_key(KEY), True, "", None)  # committed by the service
    assert "已销号" in _row(_page(leader), KEY)

    other = "transfer-children@linyi-mz"
    liaison = make_user("cache-linyi", "liaison", unit="linyi-mz")
    new_deadline = date(2031, 6, 30)
    assert "2031年6月30日" not in _row(_page(leader, "/tasks/?unit=linyi-mz"), other)
    ext = duty_services.request_extension(liaison, instance_by_key(other), "等待编制批复", new_deadline)
    duty_services.decide_extension(office, ext, True, "同意")
    assert "2031年6月30日" in _row(_page(leader, "/tasks/?unit=linyi-mz"), other)


def test_a_plan_published_then_archived_shows_at_once(app, plan):
    liaison = signed_in(app, "cache-mz", "liaison", unit="yanhu-mz")
    assert PLAN_DUTY not in _page(liaison, "/tasks/")
    p = ready_plan()
    assert PLAN_DUTY not in _page(liaison, "/tasks/")  # a draft is not supervised yet
    assert publish.publish(p, None) == []
    assert PLAN_DUTY in _page(liaison, "/tasks/")
    assert plan_services.archive_plan(p) is None
    assert PLAN_DUTY not in _page(liaison, "/tasks/")


def test_the_day_is_part_of_the_key(app, plan, monkeypatch, clock):
    """Lights move with the day: rows read yesterday are not today's."""
    leader = signed_in(app, "cache-leader", "leader")
    duty_services.touch(instance_by_key(KEY))
    db.session.commit()
    inst = instance_by_key(KEY)
    clock(inst.deadline - timedelta(days=200))
    early = _row(_page(leader), KEY)
    clock(inst.deadline + timedelta(days=30))
    late = _row(_page(leader), KEY)
    assert "逾期" not in early and "逾期" in late


@pytest.mark.parametrize("write", ["instance", "touch", "item", "cooperator", "duty", "unit", "delete"])
def test_every_write_the_ledger_shows_replaces_the_token(plan, write):
    inst = instance_by_key(KEY)
    duty_services.touch(inst)
    db.session.commit()
    before = _token()
    assert before
    if write == "instance":  # a versioned edit (the ORM)
        inst.responsible_name = "张三"
    elif write == "touch":  # a Core update beside it
        locking.touch(DutyInstance, inst.id, updated_at=utcnow())
    elif write == "item":
        db.session.get(ChecklistItem, inst.active_items[0].id).done = True
    elif write == "cooperator":
        db.session.add(DutyCooperator(instance_id=inst.id, unit_id=refdata.unit_by_code("city-ga").id))
    elif write == "duty":
        db.session.get(Duty, inst.duty_id).position += 1
    elif write == "unit":
        db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz")).sort_order += 1
    else:
        db.session.execute(sa.delete(ChecklistItem).where(ChecklistItem.id == inst.active_items[-1].id))
    db.session.commit()
    assert _token() != before


def test_a_write_the_ledger_does_not_show_leaves_the_token(plan):
    duty_services.touch(instance_by_key(KEY))
    db.session.commit()
    before = _token()
    record("export", "duty", KEY, label="台账")  # the audit log: not on the 台账
    db.session.commit()
    assert _token() == before


def test_a_request_that_wrote_reads_afresh(app, plan):
    """After its own write a request (or command) neither uses nor keeps cached rows: a second write in
    the same transaction would not replace the token again."""
    duty_services.touch(instance_by_key(KEY))
    db.session.commit()
    with app.test_request_context():
        g.pop("duty_stamp", None)  # a new request's (the test's own context wrote above)
        assert refdata.duty_stamp() is not None
        duty_services.touch(instance_by_key(KEY))
        assert refdata.duty_stamp() is None
        with count_queries() as statements:
            ledger_cache.read(None, ledger.LedgerFilter())
            ledger_cache.read(None, ledger.LedgerFilter())
        assert sum("FROM duty_instance" in s for s in statements) == 2
        db.session.rollback()


def test_no_token_no_cache(app, plan):
    db.session.execute(sa.delete(RefdataStamp).where(RefdataStamp.id == refdata.DUTY_STAMP_ID))
    with app.test_request_context():
        assert refdata.duty_stamp() is None
    db.session.rollback()
