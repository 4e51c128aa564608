"""Load the organisation from content/units.csv into the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import changed_fields, record
from portal.content.problems import Problem, shown_path
from portal.content.units_file import UnitRow, parse_units
from portal.extensions import db
from portal.models import Unit

UNITS_FILE = "units.csv"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _fields(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "level": unit.level,
        "parent": unit.parent.code if unit.parent else "",
        "aliases": unit.aliases,
        "sort_order": unit.sort_order,
        "active": unit.active,
    }


def sync_units(content_dir: Path, display_root: Path | None = None) -> SyncReport:
    """All or nothing: a file with any problem changes nothing."""
    path = Path(content_dir) / UNITS_FILE
    shown = shown_path(path, display_root)
    report = SyncReport()
    if not path.exists():
        report.problems.append(Problem(shown, 1, "file not found"))
        return report
    rows, problems = parse_units(path.read_bytes(), shown)
    if problems:
        report.problems = problems
        return report
    _apply(rows, report)
    db.session.commit()
    return report


def _apply(rows: list[UnitRow], report: SyncReport) -> None:
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    before = {code: _fields(u) for code, u in existing.items()}
    # First pass creates/updates plain fields, second links parents (parents may come later in the file).
    for order, row in enumerate(rows):
        unit = existing.get(row.code)
        if unit is None:
            unit = Unit(code=row.code)
            db.session.add(unit)
            existing[row.code] = unit
        unit.name, unit.short_name, unit.level = row.name, row.short_name, row.level
        unit.aliases = "|".join(row.aliases)
        unit.sort_order = order
        unit.active = True
    for row in rows:
        existing[row.code].parent = existing[row.parent] if row.parent else None
    in_file = {r.code for r in rows}
    for code, unit in existing.items():
        if code not in in_file and unit.active and not unit.created_in_portal:
            unit.active = False
    db.session.flush()
    for code, unit in existing.items():
        after = _fields(unit)
        if code not in before:
            report.created.append(code)
            record("create", "unit", code, label=unit.name, after=after, actor_name="sync")
        elif before[code] != after:
            old, new = changed_fields(before[code], after)
            retired = before[code]["active"] and not after["active"]
            (report.retired if retired else report.updated).append(code)
            record("retire" if retired else "update", "unit", code, label=unit.name,
                   before=old, after=new, actor_name="sync")


def active_units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).where(Unit.active).order_by(Unit.sort_order)))


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def unit_tree() -> list:
    """Top-level units in file order, each with its active descendants in order (depth first), from
    the per-process reference data (`refdata.UnitRef`)."""
    units = refdata.units()  # in file order
    children: dict[int, list] = {}
    for u in units:
        if u.parent_id is not None:
            children.setdefault(u.parent_id, []).append(u)
    result = []
    for root in (u for u in units if u.active and u.parent_id is None):
        descendants = []
        stack = [c for c in reversed(children.get(root.id, [])) if c.active]
        while stack:
            unit = stack.pop()
            descendants.append(unit)
            stack.extend(c for c in reversed(children.get(unit.id, [])) if c.active)
        result.append((root, descendants))
    return result
