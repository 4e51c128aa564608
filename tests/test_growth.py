"""What keeps pages cheap as the office's records grow (issue #24), independent of any one domain:

* the board's cache is keyed by what the board shows: a sign-in (audited) keeps it, a change of a
  figure it shows replaces it; the 通报 files are kept under the same stamp;
* a static file costs no database statement, signed in or not;
* a warmed worker keeps what the warm-up made out of the garbage collector's full passes;
* the lookups a page makes on a growing table use an index (the audit trace of a duty or a trainee,
  a county's people in page order, the overdue walks of the city and of a county).
"""
from __future__ import annotations

import gc
import logging
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.board import bulletin_word, exports
from portal.board import cache as board_cache
from portal.board import services as board_services
from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import AuthActions, make_user
from tests.querycount import count_queries


def _stamp():
    db.session.expire_all()
    return board_services.data_stamp(today())


def test_a_sign_in_leaves_the_board_s_stamp_and_a_training_figure_moves_it(app, plan, client, auth):
    from portal.training import services
    from tests.training.helpers import admin_actor, import_rows, sync_modules, trainee

    sync_modules()
    import_rows("甲主任,儿童主任,盐湖区,北城街道,红旗社区,13900000011,,")
    actor = admin_actor()
    module = services.get_module("xinxi-modi-paicha")
    services.assign_people(actor, module, [trainee("13900000011")], today() + timedelta(days=30))
    before = _stamp()
    make_user("someone", "staff")
    assert AuthActions(app.test_client()).login("someone").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "login")) >= 1
    assert _stamp() == before  # a sign-in is audited, but the board does not show it
    services.mark_completed(actor, trainee("13900000011"), module, today())
    assert _stamp() != before  # the headline's training coverage changed


def test_the_board_right_after_a_sign_in_is_served_from_the_cache(app, plan, client, auth):
    auth.as_role("leader")
    client.get("/board").close()  # rendered and kept
    make_user("someone", "staff")
    AuthActions(app.test_client()).login("someone")
    renders = []
    original = board_cache.get_or_render
    try:
        board_cache.get_or_render = lambda key, render: original(key, lambda: renders.append(1) or render())
        assert client.get("/board").status_code == 200
    finally:
        board_cache.get_or_render = original
    assert renders == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_second_download_of_the_same_tongbao_is_not_built_again(app, plan, client, auth, monkeypatch, fmt):
    auth.as_role("leader")
    built = []
    module = bulletin_word if fmt == "docx" else exports  # the Word file in 公文 layout has its own module
    real = module.to_docx if fmt == "docx" else module.to_xlsx
    monkeypatch.setattr(module, f"to_{fmt}", lambda *args: built.append(1) or real(*args))
    first = client.get(f"/board/report.{fmt}")
    second = client.get(f"/board/report.{fmt}")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert "attachment" in second.headers["Content-Disposition"] and len(built) == 1
    other = client.get(f"/board/report.{fmt}?county=yanhu")  # another scope: its own file
    assert other.status_code == 200 and len(built) == 2


def test_a_static_file_costs_no_database_statement_even_signed_in(app, client, auth):
    auth.as_role("staff")
    client.get("/static/css/portal.css").close()
    with count_queries() as statements:
        response = client.get("/static/css/portal.css")
        assert response.status_code == 200
        response.close()
    assert statements == []


def test_a_warmed_worker_freezes_what_the_warm_up_made(app, plan, monkeypatch, tmp_path):
    from portal.search import services
    from portal.warmup import warm_worker

    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()
    gc.unfreeze()
    try:
        warm_worker(app, logging.getLogger("gunicorn.error"))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def _plan(sql: str, params: dict) -> str:
    """The database's plan for a statement, as text (indexes only: sequential scans disabled on
    PostgreSQL, whose planner would read a test's few rows without one)."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        return " ".join(str(r[-1]) for r in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql), params))
    conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
    return " ".join(r[0] for r in conn.execute(sa.text("EXPLAIN " + sql), params))


@pytest.mark.parametrize("sql, params, index", [
    ("SELECT id FROM audit_entry WHERE object_type = :t AND object_id = :o ORDER BY id DESC LIMIT 30",
     {"t": "duty_instance", "o": "7"}, "ix_audit_entry_object"),
    ("SELECT id FROM trainee WHERE county_id = :c AND active ORDER BY township_id, post DESC, village_id, name, id "
     "LIMIT 50", {"c": 1}, "ix_trainee_place"),
    ("SELECT id FROM training_assignment WHERE active AND due < :d ORDER BY due, id LIMIT 50",
     {"d": today()}, "ix_training_assignment_due"),
    ("SELECT id FROM training_assignment WHERE county_id = :c AND active AND due < :d ORDER BY due, id LIMIT 50",
     {"c": 1, "d": today()}, "ix_training_assignment_county_due"),
])
def test_lookups_on_growing_tables_use_an_index(app, sql, params, index):
    assert index in _plan(sql, params)


def test_gunicorn_loads_the_app_once_and_each_forked_worker_drops_inherited_connections(app, monkeypatch):
    """Workers share what the master loaded (preload, frozen before fork); a forked worker lets go of
    the pooled connections it inherited, without closing them under the master."""
    from pathlib import Path
    from types import SimpleNamespace

    import portal.extensions

    settings: dict = {}
    path = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"
    monkeypatch.delenv("PORTAL_SEARCH_WARM", raising=False)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), settings)
    assert settings["preload_app"] is True and callable(settings["pre_fork"])
    assert os.environ["PORTAL_SEARCH_WARM"] == "0"  # the master loads the app without a thread
    disposed = []
    engine = SimpleNamespace(dispose=lambda close=True: disposed.append(close))
    monkeypatch.setattr(portal.extensions, "db", SimpleNamespace(engine=engine))
    settings["post_fork"](None, SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    assert disposed == [False]


def test_an_app_loaded_for_forking_starts_no_thread(app_config, monkeypatch, tmp_path):
    """A thread running in gunicorn's master when it forks can leave a lock held in the worker (the
    worker hung at its first search): with PORTAL_SEARCH_WARM=0 the app starts none."""
    import threading

    from portal import create_app
    from portal.config import load_settings

    monkeypatch.setenv("PORTAL_SEARCH_WARM", "0")
    assert load_settings(tmp_path / "instance")["SEARCH_WARM"] is False
    before = {t.name for t in threading.enumerate()}
    create_app({**app_config, "TESTING": False, "SEARCH_WARM": False})
    assert {t.name for t in threading.enumerate()} - before == set()
