"""Who sees and manages which county's training, and the places (areas) under the counties."""
from __future__ import annotations

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import record
from portal.capabilities import can
from portal.core.refusals import NotAllowed, Refusal
from portal.extensions import db
from portal.models import CohortRule, SignInSheet, Trainee, TrainingPlace, Unit, User

CITY = None  # a scope of None means every county


class TrainingError(Refusal):
    """A refusal the user should read (shown as is)."""


def county_units() -> list:
    """The 13 counties (县级 units without a parent), in the units file's order, from the
    per-process reference data (`refdata.UnitRef`: id, code, name, short_name …)."""
    found = [u for u in refdata.units() if u.level == "县级" and u.parent_id is None and u.active]
    return sorted(found, key=lambda u: (u.sort_order, u.code))


def county_of_unit(unit):
    """The county a county-level unit belongs to (a Unit or `refdata.UnitRef`), or None."""
    if unit is None or unit.level != "县级":
        return None
    if unit.parent_id is None:
        return unit

    return refdata.unit(unit.parent_id)


def county_scope(user: User) -> int | None:
    """The county a trainer is bound to (their unit is that county's 民政局), or None for the city."""
    if can(user, "see_all_units"):
        return CITY
    county = county_of_unit(user.unit)
    return county.id if county is not None else CITY


def can_manage(user: User, county_id: int | None) -> bool:
    """Trainers manage roster, assignments and completions of their county (a city trainer and the
    office: all)."""
    if not can(user, "manage_training"):
        return False
    scope = county_scope(user)
    return scope is CITY or scope == county_id


def can_see_figures(user: User) -> bool:
    return can(user, "see_figures")


def visible_counties(user: User) -> list[Unit]:
    scope = county_scope(user)
    return [c for c in county_units() if scope is CITY or c.id == scope]


def scoped(stmt, column, user: User):
    """Restrict a query on a county column to what the user may see."""
    scope = county_scope(user)
    return stmt if scope is CITY else stmt.where(column == scope)


def require(condition: bool) -> None:
    if not condition:
        raise NotAllowed()


def sees_phone_of(user: User, county_id: int | None) -> bool:
    """Phones show in full to those who manage the people's county (the office, the county's or the
    city's trainers); masked for everyone else. By county id: the roster and overdue rows are plain values."""
    return can_manage(user, county_id)


def phones_shown(user: User) -> frozenset[int]:
    """The counties whose people's phones `user` sees in full (`sees_phone_of`), decided once for a
    page or a file: asked per row, the rule read the user's roles and unit again for each of 90,000
    rows of the city's overdue list."""
    return frozenset(c.id for c in county_units() if sees_phone_of(user, c.id))


def county_name_map() -> dict[str, str]:
    """Every way a county is written in a roster (full name, short name) → its unit code."""
    names: dict[str, str] = {}
    for county in county_units():
        for name in {county.name, county.short_name}:
            names[name] = county.code
    return names


# ---- areas ---------------------------------------------------------------------------------

def live_area(area: TrainingPlace) -> TrainingPlace:
    """Follow merges to the spelling in use."""
    seen = set()
    while area.merged_into_id is not None and area.id not in seen:
        seen.add(area.id)
        area = db.session.get(TrainingPlace, area.merged_into_id)
    return area


def places_of(county_id: int, level: str = "township", parent_id: int | None = None) -> list[TrainingPlace]:
    stmt = sa.select(TrainingPlace).where(TrainingPlace.county_id == county_id, TrainingPlace.level == level,
                                         TrainingPlace.merged_into_id.is_(None))
    if parent_id is not None:
        stmt = stmt.where(TrainingPlace.parent_id == parent_id)
    return list(db.session.scalars(stmt.order_by(TrainingPlace.name)))


def places_by(county_ids: list[int], level: str = "township", key: str = "county_id") -> dict[int, list[sa.Row]]:
    """The live areas of a level in these counties as (id, name) rows, grouped by `key` (county_id, or
    parent_id for villages by township), each group by name: one statement for a page's every picker.
    Rows, not mapped objects: a city's pickers hold every county's townships, and loading each as an
    entity was most of what a picker cost."""
    out: dict[int, list[sa.Row]] = {}
    if not county_ids:
        return out
    group = getattr(TrainingPlace, key)
    for row in db.session.execute(sa.select(TrainingPlace.id, TrainingPlace.name, group.label("group")).where(
            TrainingPlace.county_id.in_(county_ids), TrainingPlace.level == level,
            TrainingPlace.merged_into_id.is_(None)).order_by(TrainingPlace.name)):
        out.setdefault(row.group, []).append(row)
    return out


def rename_area(user: User, area: TrainingPlace, name: str) -> None:
    require(can_manage(user, area.county_id))
    name = "".join(name.split())
    if not name:
        raise TrainingError("名称不能为空。")
    clash = db.session.scalar(sa.select(TrainingPlace).where(
        TrainingPlace.county_id == area.county_id, TrainingPlace.level == area.level, TrainingPlace.name == name,
        TrainingPlace.parent_id.is_(area.parent_id) if area.parent_id is None else TrainingPlace.parent_id == area.parent_id,
        TrainingPlace.merged_into_id.is_(None), TrainingPlace.id != area.id))
    if clash is not None:
        raise TrainingError(f"已有“{name}”，如是同一地方的两种写法，请使用“合并”。")
    before = area.name
    area.name = name
    record("update", "training_area", area.id, label=name, before={"name": before}, after={"name": name}, actor=user)
    db.session.commit()


def merge_areas(user: User, source: TrainingPlace, target: TrainingPlace) -> int:
    """Two spellings of one place: people and villages of `source` move to `target`; `source` stays
    (merged) so history and re-imports under the old spelling land on `target`."""
    require(can_manage(user, source.county_id))
    if source.id == target.id or source.level != target.level or source.county_id != target.county_id:
        raise TrainingError("只能合并同一县（市、区）内同一级别的两个地名。")
    if source.level == "village" and source.parent_id != target.parent_id:
        raise TrainingError("只能合并同一乡镇（街道）下的两个村（社区）。")
    column = Trainee.township_id if source.level == "township" else Trainee.village_id
    moved = db.session.execute(sa.update(Trainee).where(column == source.id).values({column: target.id})).rowcount
    if source.level == "township":
        db.session.execute(sa.update(TrainingPlace).where(TrainingPlace.parent_id == source.id)
                           .values(parent_id=target.id))
        db.session.execute(sa.update(CohortRule).where(CohortRule.township_id == source.id)
                           .values(township_id=target.id))
        db.session.execute(sa.update(SignInSheet).where(SignInSheet.township_id == source.id)
                           .values(township_id=target.id))
    source.merged_into_id = target.id
    record("merge", "training_area", source.id, label=f"{source.name} → {target.name}",
           before={"name": source.name}, after={"name": target.name, "moved": moved}, actor=user)
    db.session.commit()
    return moved
