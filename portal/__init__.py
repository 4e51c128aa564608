"""儿童福利政策落实门户 — application factory."""
from __future__ import annotations

import importlib
import logging
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import cli, refdata
from portal.admin import bp as admin_bp
from portal.admin import commands as admin_commands  # noqa: F401  (registers its blueprint's commands)
from portal.audit import bp as audit_bp
from portal.audit import commands as audit_commands  # noqa: F401
from portal.auth import bp as auth_bp
from portal.board import bp as board_bp
from portal.board import commands as board_commands  # noqa: F401
from portal.config import PROJECT_ROOT, default_instance_path, load_settings
from portal.duties import VIEW_MODULES as DUTY_VIEWS
from portal.duties import bp as duties_bp
from portal.duties import commands as duty_commands  # noqa: F401
from portal.errorlog import log_failure
from portal.extensions import csrf, db, htmx, login_manager, migrate
from portal.files.storage import create_private_file
from portal.home import bp as home_bp
from portal.outbox import commands as outbox_commands  # noqa: F401
from portal.outbox.views import bp as outbox_bp
from portal.plans import VIEW_MODULES as PLAN_VIEWS
from portal.plans import bp as plans_bp
from portal.plans import commands as plan_commands  # noqa: F401
from portal.policy import api_bp as policy_api_bp
from portal.policy import bp as policy_bp
from portal.policy import commands as policy_commands  # noqa: F401
from portal.policy.admin import admin_bp as library_admin_bp
from portal.reports import bp as reports_bp
from portal.search import bp as search_bp
from portal.security import bp as security_bp
from portal.security import headers as security_headers
from portal.security import sessions
from portal.supervision import bp as supervision_bp
from portal.text import normalise_request
from portal.training import bp as training_bp
from portal.training import commands as training_commands  # noqa: F401
from portal.units import bp as units_bp
from portal.units import commands as unit_commands  # noqa: F401
from portal.web import access, errors, filters
from portal.web.htmx import add_vary_header
from portal.web.inputs import BoundedIntConverter, refuse_nul_bytes


class Portal(Flask):
    def log_exception(self, exc_info) -> None:
        """An unexpected error: the request's ids and the stack, not the messages (portal/errorlog.py)."""
        log_failure(self.logger, "unhandled error", exc_info[1])


def create_app(config: dict | None = None) -> Flask:
    app = Portal(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH") or str(default_instance_path()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_settings(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if not app.logger.handlers or app.debug:
        logging.basicConfig(level=logging.INFO)

    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    _private_database_file(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    htmx.init_app(app)
    login_manager.init_app(app)
    _configure_sqlite()

    refdata.install()  # per-process reference data, invalidated by the stamp on any host

    # Ids beyond what the databases store are simply "not found", never an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    # NUL bytes cannot be stored in PostgreSQL text: refuse them up front with a clear 400.
    app.before_request(refuse_nul_bytes)

    # Session ids a logout spooled while the database was away; then a session idle too long ends
    # (before the access guard, which then answers as for someone signed out).
    app.before_request(sessions.flush_spool)
    app.before_request(sessions.end_idle_session)
    # Then every form field and query argument as it is stored: line breaks as \n, no control characters.

    app.before_request(normalise_request)
    # The access guard runs before CSRF: an anonymous POST goes to login, a forbidden one gets 403.
    app.before_request(access.enforce_access)
    csrf.init_app(app)
    app.after_request(add_vary_header)
    security_headers.init_app(app)
    app.session_interface = sessions.SessionInterface()
    errors.register(app)
    filters.register(app)

    for name in (*DUTY_VIEWS, *PLAN_VIEWS):
        importlib.import_module(name)  # routes attach to duties_bp / plans_bp
    # Each domain's commands attach to its blueprint's `cli` when its commands module is imported
    # (at the top of this module); `cli.init_app` files them all under `flask portal`.
    for bp in (auth_bp, home_bp, duties_bp, plans_bp, reports_bp, policy_bp, policy_api_bp, search_bp, units_bp, admin_bp,
               audit_bp, training_bp, board_bp, security_bp, library_admin_bp, supervision_bp,
               outbox_bp):
        app.register_blueprint(bp, cli_group="portal")

    cli.init_app(app)
    return app


def _private_database_file(url: str) -> None:
    """SQLite creates its file (and its -wal and -shm files, which take the file's mode) with the
    umask's mode, world-readable on most hosts: create it first, 0600, like instance/secret_key."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        create_private_file(Path(parsed.database))


_sqlite_configured = False


def _configure_sqlite() -> None:
    global _sqlite_configured
    if _sqlite_configured:
        return
    _sqlite_configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    @event.listens_for(Engine, "handle_error")
    def _sqlite_read_only_is_a_lost_connection(context):
        """A connection SQLite opened while its file was read-only stays read-only after the file is
        writable again: every write through it would fail until a restart. Treated as a lost connection,
        the pool drops it (and the connections opened beside it) and the next request opens new ones."""
        original = context.original_exception
        if isinstance(original, sqlite3.OperationalError) and "readonly database" in str(original):
            context.is_disconnect = True
