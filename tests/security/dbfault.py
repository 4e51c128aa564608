"""Make every database connection fail, as when the server is down, and bring it back."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool


@contextmanager
def database_down():
    """Pooled connections are dropped at checkout and new ones refused, for every engine
    (the test app's and a live server's alike) until the block ends."""

    def drop_pooled(dbapi_connection, connection_record, connection_proxy):
        raise sa.exc.DisconnectionError("injected: the database went away")

    def refuse(dialect, conn_rec, cargs, cparams):
        raise dialect.loaded_dbapi.OperationalError("injected: connection refused")

    sa.event.listen(Pool, "checkout", drop_pooled)
    sa.event.listen(Engine, "do_connect", refuse)
    try:
        yield
    finally:
        sa.event.remove(Engine, "do_connect", refuse)
        sa.event.remove(Pool, "checkout", drop_pooled)
