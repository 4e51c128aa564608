"""Warm a freshly started web worker (called from gunicorn.conf.py's post_worker_init)."""
from __future__ import annotations

import time

import sqlalchemy as sa

from portal import refdata
from portal.extensions import db


def warm_worker(app, log) -> None:
    """Open a database connection, read the reference data and compile every template, so that the
    worker's first requests cost what later ones do. A failure only costs the warm-up (the worker
    serves as it would have; an unmigrated database, for one, is reported by the request itself)."""
    started = time.perf_counter()
    try:
        with app.app_context():
            db.session.execute(sa.text("SELECT 1"))
            refdata.units()
            refdata.duties()
            refdata.clauses()
            db.session.remove()
        for name in app.jinja_env.list_templates(extensions=("html",)):
            app.jinja_env.get_template(name)
    except Exception as exc:  # noqa: BLE001 — a warm-up must never keep a worker from serving
        log.warning("worker warm-up skipped: %s", exc)
        return
    log.info("worker warmed in %.0f ms", (time.perf_counter() - started) * 1000)
