"""Status and kind columns hold only known values — in the database, and the same in the migration."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import DutyInstance

ROOT = Path(__file__).resolve().parents[1]


def model_checks() -> dict[str, dict[str, tuple[str, ...]]]:
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for table in db.metadata.sorted_tables:
        for c in table.constraints:
            if isinstance(c, sa.CheckConstraint):
                column, values = re.fullmatch(r"(\w+) IN \((.*)\)", str(c.sqltext)).groups()
                found.setdefault(table.name, {})[column] = tuple(re.findall(r"'([^']*)'", values))
    return found


def test_the_migration_adds_the_same_checks_as_the_models():
    """0006_health added the checks of the tables before it; a later table's migration declares its own."""
    found = {}
    for path in sorted((ROOT / "migrations/versions").glob("*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        for table, checks in getattr(migration, "CHECKS", {}).items():
            found.setdefault(table, {}).update(dict(checks))
    assert found == model_checks()


def test_an_unknown_state_is_refused_by_the_database(app, plan):
    inst_id = db.session.scalar(sa.select(DutyInstance.id).limit(1))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.update(DutyInstance).where(DutyInstance.id == inst_id).values(state="done"))
