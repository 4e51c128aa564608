"""Counting the SQL statements a request runs (SQLAlchemy's `before_cursor_execute` event)."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from portal.extensions import db


@contextmanager
def count_queries():
    """`with count_queries() as statements: client.get(...)`; `statements` lists the SQL run.
    SAVEPOINT bookkeeping from the rolled-back test transaction is not counted."""
    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
