"""Warm a freshly started web worker (called from gunicorn.conf.py's post_worker_init)."""
from __future__ import annotations

import gc
import time

import sqlalchemy as sa

from portal import refdata
from portal.duties import page
from portal.duties.services import RECENT, get_instance
from portal.extensions import db
from portal.files.cleanup import sweep_at_start
from portal.models import DutyInstance
from portal.search.services import run_search


def warm_worker(app, log) -> None:
    """Open a database connection, read the reference data, open the search index, compile the duty
    page's statements and every template, so that the worker's first requests cost what later ones do. A failure only costs the warm-up (the worker
    serves as it would have; an unmigrated database, for one, is reported by the request itself)."""
    started = time.perf_counter()
    try:
        with app.app_context():
            db.session.execute(sa.text("SELECT 1"))
            refdata.units()
            refdata.duties()
            refdata.clauses()
            _warm_first_pages()
            db.session.remove()
        for name in app.jinja_env.list_templates(extensions=("html",)):
            app.jinja_env.get_template(name)
    except Exception as exc:  # noqa: BLE001 — a warm-up must never keep a worker from serving
        log.warning("worker warm-up skipped: %s", exc)
        return
    sweep_at_start(app, log)
    frozen = freeze_survivors()
    log.info("worker warmed in %.0f ms (%d objects kept out of garbage collection)",
             (time.perf_counter() - started) * 1000, frozen)


def freeze_survivors() -> int:
    """Move every object alive now (modules, compiled templates, reference data: ~160,000) to the
    collector's permanent generation. They live as long as the worker anyway; a full collection no
    longer walks them (86 ms each, every few exports, measured: the exports' p95 halved)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _warm_first_pages() -> None:
    """A worker's first search checks the index against the library and opens it (≈200 ms), and
    the duty page's statements are compiled once per process (≈40 ms): both would otherwise fall on
    the first people to ask (measured by `python -m bench load` as `first unit board`)."""
    run_search("儿童")
    first = db.session.scalar(sa.select(DutyInstance.id).order_by(DutyInstance.id).limit(1))
    if first is not None:
        page.read(get_instance(first), RECENT + 1)
