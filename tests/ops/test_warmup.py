"""A new web worker warms itself before serving (gunicorn.conf.py's post_worker_init): its database
connection, the reference data and the compiled templates; a warm-up that fails never stops it."""
import logging
from pathlib import Path

import pytest

from portal.search import services
from portal.warmup import warm_worker

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_gunicorn_settings_warm_each_worker():
    settings = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), "gunicorn.conf.py", "exec"), settings)
    assert callable(settings["post_worker_init"])


@pytest.fixture
def own_index(app, tmp_path):
    """An index of this test's own, fresh: the warm-up's search must not start a build of the shared one."""
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()


def test_a_warmed_worker_has_its_templates_compiled_and_logs_it(app, plan, own_index, caplog):
    caplog.set_level(logging.INFO)
    app.jinja_env.cache.clear()
    warm_worker(app, logging.getLogger("gunicorn.error"))
    assert "worker warmed" in caplog.text
    assert len(app.jinja_env.cache) >= len(app.jinja_env.list_templates(extensions=("html",)))


def test_a_failing_warm_up_is_logged_and_the_worker_goes_on(app, monkeypatch, caplog):
    from portal import warmup

    def broken():
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(warmup.refdata, "units", broken)
    warm_worker(app, logging.getLogger("gunicorn.error"))  # does not raise
    assert "worker warm-up skipped: database unavailable" in caplog.text


def test_a_warmed_worker_has_checked_the_search_index_so_the_first_search_does_not(app, plan, own_index, monkeypatch):
    services._state(services.index_dir()).fingerprint = None  # as in a newly started worker
    checks = []
    read_library = services.all_records
    monkeypatch.setattr(services, "all_records", lambda: checks.append(1) or read_library())
    warm_worker(app, logging.getLogger("gunicorn.error"))
    assert checks == [1]  # the warm-up checked the index against the library
    first = services.run_search("监护")
    assert checks == [1] and first.total > 0  # a person's first search did not check it again
