"""Per-process reference data (portal/refdata.py): read once, re-read when the stamp changes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g

from portal import refdata
from portal.extensions import db
from portal.models import RefdataStamp, Unit
from tests.querycount import count_queries


def _token() -> str | None:
    return db.session.scalar(sa.select(RefdataStamp.token).where(RefdataStamp.id == 1))


def _new_request() -> None:
    for name in list(vars(g)):
        delattr(g, name)


def test_a_second_read_costs_no_statement(app):
    _new_request()
    refdata.clear()
    with count_queries() as first:
        names = [u.name for u in refdata.active_units()]
    with count_queries() as second:
        again = [u.name for u in refdata.active_units()]
    assert names == again and names
    assert len(first) == 2  # the stamp (outside a signed-in request), the units
    assert second == []


def test_the_signed_in_request_reads_the_stamp_with_the_user(plan, auth):
    auth.as_role("liaison")
    auth.client.get("/tasks/")  # the caches filled
    with count_queries() as statements:
        auth.client.get("/tasks/")
    assert not any("refdata_stamp" in s and "user_account" not in s for s in statements)
    assert any("refdata_stamp" in s and "user_account" in s for s in statements)


def test_a_write_of_reference_data_replaces_the_token_and_is_seen(app):
    _new_request()
    unit = db.session.scalar(sa.select(Unit).where(Unit.active).order_by(Unit.sort_order))
    assert refdata.unit_by_code(unit.code).name == unit.name
    before = _token()
    unit.name = "改名后的单位"
    db.session.commit()
    assert _token() != before
    assert refdata.unit_by_code(unit.code).name == "改名后的单位"  # the same request
    _new_request()
    assert refdata.unit_by_code(unit.code).name == "改名后的单位"  # the next one


def test_core_writes_replace_the_token_too(app):
    _new_request()
    before = _token()
    db.session.execute(sa.update(Unit).where(Unit.code == "yanhu").values(short_name="盐湖"))
    assert _token() != before


def test_a_copy_read_at_another_token_is_not_used(app):
    """What another host sees: its copy was read at a token the database no longer holds."""
    _new_request()
    refdata.clear()
    real = refdata.units()
    _new_request()
    token = _token()
    refdata._cache[("units",)] = ("an-older-token", ((),) * 4)
    assert refdata.units() == real
    refdata._cache[("units",)] = (token, ((), {}, {}, {}))  # a copy at the current token is used as is
    _new_request()
    assert refdata.units() == ()
    refdata.clear()


def test_without_a_stamp_row_nothing_is_cached(app):
    _new_request()
    db.session.execute(sa.delete(RefdataStamp))
    refdata.clear()
    with count_queries() as statements:
        refdata.units()
        refdata.units()
    assert len(statements) == 3  # the stamp once, the units twice
