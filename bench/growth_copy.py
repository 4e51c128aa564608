"""The grown SQLite database copied into PostgreSQL, row for row (`python -m bench growth --pg URL`).

Growing ten years through the services takes about an hour on PostgreSQL on this machine (the roster
imports and the per-note services are round trips); the SQLite build takes a third of that. The data
are the services' either way, so the PostgreSQL grown database is made by upgrading an empty database
to the head revision (`flask db upgrade`, the production schema with its triggers and indexes) and
copying every table of the cached SQLite one into it in foreign-key order, then moving each id
sequence past the copied ids. `--pg-build` grows on PostgreSQL through the services instead.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

CHUNK = 5000


def copy_database(sqlite_url: str, pg_url: str, env: dict, root: Path, log=print) -> None:
    import sqlalchemy as sa

    result = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=root, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{result.stdout}\n{result.stderr}")
    import portal.models  # noqa: F401  every table in the metadata
    from portal.extensions import db

    source, target = sa.create_engine(sqlite_url), sa.create_engine(pg_url)
    tables = db.metadata.sorted_tables
    start = time.monotonic()
    with source.connect() as src, target.begin() as dst:
        for table in reversed(tables):  # what the upgrade seeded (the plan's first row, settings) goes
            if dst.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                dst.execute(table.delete())
        rows = 0
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)[:1]
            batch = []
            for row in src.execute(sa.select(table).order_by(*order)).mappings():
                batch.append(dict(row))
                if len(batch) >= CHUNK:
                    dst.execute(table.insert(), batch)
                    rows += len(batch)
                    batch = []
            if batch:
                dst.execute(table.insert(), batch)
                rows += len(batch)
            if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.autoincrement is not False:
                dst.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM as well: autovacuum would have run over ten years of inserts (PostgreSQL 13+ vacuums after
        # inserts too), and without the visibility map an index-only count reads every heap page.
        conn.execute(sa.text("VACUUM ANALYZE"))
    source.dispose()
    target.dispose()
    log(f"copied {rows} rows into PostgreSQL in {time.monotonic() - start:.0f} s")
