"""Parallel work on one duty (issue #12): different things never conflict, the same thing does.

Each worker is its own signed-in browser session (a test client in its own thread, so its own
database session and connection); a barrier releases them together. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa

from portal.duties.services import STALE
from portal.extensions import db
from portal.models import AuditEntry, DutyNote, Evidence
from tests.conftest import instance_by_key
from tests.factories import gen_liaison, gen_note, gen_session, gen_tick, in_parallel
from tests.factories import gen_sessions as sessions

pytestmark = pytest.mark.fresh_db  # several connections at once: real commits

KEY = "transfer-children@yanhu-mz"  # 7 checklist items, lead unit 盐湖区民政局
PDF = b"%PDF-1.4\n% parallel evidence\n"


def audit_count(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_parallel_ticks_of_different_items_all_land(app, plan):
    inst = instance_by_key(KEY)
    urls = [f"/tasks/{inst.id}/items/{item.id}" for item in inst.active_items]
    workers = sessions(app, "tick", len(urls))
    results = in_parallel([(lambda a=a, url=url: a.post(url, {"done": "1"}, headers={"HX-Request": "true"}))
                           for a, url in zip(workers, urls, strict=True)])
    assert [r.status_code for r in results] == [200] * len(urls)  # 0 false conflicts
    assert not any(STALE in r.get_data(as_text=True) for r in results)
    inst = instance_by_key(KEY)
    assert all(i.done for i in inst.active_items)  # 0 lost updates
    assert inst.state == "in_progress"
    assert audit_count("tick") == len(urls)


def test_parallel_notes_and_evidence_all_land(app, plan):
    inst = instance_by_key(KEY)
    version, base = inst.version, f"/tasks/{inst.id}"
    lead = sessions(app, "note", 6)
    coop = sessions(app, "coop", 2, unit="inst-sfly")  # a cooperating unit adds notes too
    uploaders = sessions(app, "file", 3)
    calls = [(lambda a=a, i=i: a.post(f"{base}/notes", {"body": f"并行记录{i}"}, headers={"HX-Request": "true"}))
             for i, a in enumerate(lead + coop)]
    calls += [(lambda a=a, i=i: a.post(f"{base}/evidence", {"file": (BytesIO(PDF), f"材料{i}.pdf")},
                                       content_type="multipart/form-data"))
              for i, a in enumerate(uploaders)]
    results = in_parallel(calls)
    assert [r.status_code for r in results] == [200] * 8 + [302] * 3
    assert not any(STALE in r.get_data(as_text=True) for r in results)
    db.session.expire_all()
    bodies = set(db.session.scalars(sa.select(DutyNote.body).where(DutyNote.kind == "note")))
    assert bodies == {f"并行记录{i}" for i in range(8)}
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 3
    assert audit_count("note") == 8 and audit_count("upload") == 3
    inst = instance_by_key(KEY)
    assert inst.state == "in_progress"
    # Additions do not move the duty's version: a state change prepared before them still applies.
    assert inst.version == version


def test_a_state_change_prepared_before_notes_and_ticks_still_applies(app, plan):
    a = gen_session(app, gen_liaison("seq-a"))
    other = gen_liaison("seq-b")
    inst = instance_by_key(KEY)
    seen = inst.version
    gen_note(other, inst, "先写一条记录")
    gen_tick(other, instance_by_key(KEY))
    response = a.post(f"/tasks/{inst.id}/state", {"action": "block", "reason": "等待资金", "version": str(seen)},
                      follow_redirects=True)
    assert STALE not in response.get_data(as_text=True)
    assert instance_by_key(KEY).state == "blocked"


def test_parallel_ticks_of_the_same_item_tick_it_once(app, plan):
    """Several people ticking the same item at once all wanted it done: nobody is told off, and the
    item is ticked once (one audit entry). The load bench met this race on PostgreSQL as a 422."""
    inst = instance_by_key(KEY)
    url = f"/tasks/{inst.id}/items/{inst.active_items[0].id}"
    workers = sessions(app, "same", 4)
    results = in_parallel([(lambda a=a: a.post(url, {"done": "1"}, headers={"HX-Request": "true"})) for a in workers])
    assert [r.status_code for r in results] == [200] * 4
    assert not any(STALE in r.get_data(as_text=True) for r in results)
    assert instance_by_key(KEY).active_items[0].done
    assert audit_count("tick") == 1


def test_a_unit_office_working_one_duty_at_once_is_never_refused(app, plan):
    """What the load bench does: several liaisons of one unit, released together on a duty nobody
    has started, tick different items, tick the same item, and add notes. None is refused."""
    inst = instance_by_key(KEY)
    notes = f"/tasks/{inst.id}/notes"
    items = [f"/tasks/{inst.id}/items/{item.id}" for item in inst.active_items]
    urls = items[:4] + [items[0]] * 3  # four different items, and three more ticks of the first
    tickers = sessions(app, "office-tick", len(urls))
    writers = sessions(app, "office-note", 4)
    calls = [(lambda a=a, url=url: a.post(url, {"done": "1"}, headers={"HX-Request": "true"}))
             for a, url in zip(tickers, urls, strict=True)]
    calls += [(lambda a=a, i=i: a.post(notes, {"body": f"同时记录{i}"}, headers={"HX-Request": "true"}))
              for i, a in enumerate(writers)]
    results = in_parallel(calls)
    assert [r.status_code for r in results] == [200] * len(calls)
    assert not any("form-error" in r.get_data(as_text=True) for r in results)
    inst = instance_by_key(KEY)
    assert [i.done for i in inst.active_items[:4]] == [True] * 4 and not any(i.done for i in inst.active_items[4:])
    assert inst.state == "in_progress"
    assert audit_count("tick") == 4 and audit_count("note") == 4
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(DutyNote.body).where(DutyNote.kind == "note"))) == {
        f"同时记录{i}" for i in range(4)}


def test_parallel_state_changes_from_one_version_conflict_with_a_clear_message(app, plan):
    inst = instance_by_key(KEY)
    seen, url = inst.version, f"/tasks/{inst.id}"
    workers = sessions(app, "state", 3)
    results = in_parallel([
        (lambda a=a, i=i: a.post(f"{url}/state", {"action": "block", "reason": f"原因{i}", "version": str(seen)}))
        for i, a in enumerate(workers)])
    assert sorted(r.status_code for r in results) == [302, 422, 422]
    assert audit_count("block") == 1  # exactly one edit of the state won
    inst = instance_by_key(KEY)
    assert inst.state == "blocked" and inst.state_reason.startswith("原因")
    # The losers see the message and the fresh state on the page drawn again for them.
    messages = [r.get_data(as_text=True) for r in results if r.status_code == 422]
    assert all(STALE in m or "不能执行此操作" in m for m in messages)
    assert all("恢复推进" in m for m in messages)  # the fresh state: blocked
