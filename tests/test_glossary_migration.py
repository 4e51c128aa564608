"""Migration 0031_glossary_columns renames duty.area, trainee.role and training_cohort.role (docs/GLOSSARY.md:
theme, post) and loses nothing: on a database holding the demo state (duties, the training roster, group
rules, assignments), upgraded from 0030_multiplan and taken back down again."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.duties.sync import sync_duties
from portal.extensions import db
from portal.policy.sync import sync_policy
from portal.units.services import sync_units
from tests.test_migrations import _fresh_database_url
from tests.ui.idscan import load_scan_demo

BEFORE = "0030_multiplan"
# What each column holds, by row id, read with plain SQL (the ORM knows only the new names).
READS = {
    "duty": "SELECT id, {area} FROM duty ORDER BY id",
    "trainee": "SELECT id, {role} FROM trainee ORDER BY id",
    "training_cohort": "SELECT id, {role} FROM training_cohort ORDER BY id",
}
COUNTS = ("duty_instance", "training_assignment", "training_completion", "audit_entry")


def _read(area: str, role: str) -> dict:
    with db.engine.connect() as conn:
        rows = {table: conn.execute(sa.text(sql.format(area=area, role=role))).all() for table, sql in READS.items()}
        rows.update({table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in COUNTS})
    return rows


def _columns(table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _indexes(table: str) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        return {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes(table)}


def test_the_renamed_columns_keep_every_value_both_ways(app_config, tmp_path):
    url, cleanup = _fresh_database_url(app_config, tmp_path)
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with other.app_context():
            upgrade()
            content = Path(other.config["CONTENT_DIR"])
            assert sync_units(content).ok
            db.session.commit()
            assert sync_policy(content).ok
            db.session.commit()
            assert sync_duties(content).ok
            load_scan_demo(other)
            db.session.commit()
            db.session.remove()
            downgrade(revision=BEFORE)
            assert {"area"} <= _columns("duty") and "theme" not in _columns("duty")
            old = _read("area", "role")
            assert len(old["duty"]) > 50 and {v for _, v in old["duty"]} >= {"县级机构转型", "部门职责"}
            assert {v for _, v in old["trainee"]} == {"supervisor", "director"}
            assert {v for _, v in old["training_cohort"]} == {"director", ""}
            assert old["training_assignment"] > 0

            upgrade()
            assert _read("theme", "post") == old
            assert "area" not in _columns("duty") and "role" not in _columns("trainee") | _columns("training_cohort")
            indexes = _indexes("trainee")
            assert indexes["ix_trainee_post"] == ["post"] and "ix_trainee_role" not in indexes
            assert indexes["ix_trainee_place"] == ["county_id", "active", "township_id", "post", "village_id", "name"]
            with db.engine.connect() as conn:  # foreign keys intact: nothing was rebuilt
                if conn.dialect.name == "sqlite":
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []

            downgrade(revision=BEFORE)
            assert _read("area", "role") == old
            assert _indexes("trainee")["ix_trainee_role"] == ["role"]
            upgrade()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
