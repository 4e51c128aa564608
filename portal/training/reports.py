"""Figures: the trainee × module matrix, the city roll-up, the overdue list, a county's coverage.

Queries gather plain rows; the counting and the states come from `rules` (pure).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db
from portal.models import Assignment, Completion, Trainee, TrainingArea, TrainingModule, Unit
from portal.training import rules
from portal.training.services import live_modules, today


def _completed_exists():
    return sa.exists().where(Completion.trainee_id == Assignment.trainee_id,
                             Completion.module_id == Assignment.module_id, ~Completion.voided)


class Person(NamedTuple):
    """A matrix row: plain values in one query (no ORM objects for ~400 people)."""

    id: int
    name: str
    role: str
    township: str
    village: str


@dataclass
class MatrixReport:
    title: str
    as_of: date
    trainees: list[Person]
    modules: list[TrainingModule]
    matrix: rules.Matrix

    def rows(self):
        """(trainee, [state per module]) in module order: what the page and the sheet print."""
        grid = self.matrix.grid
        return [(t, grid[t.id]) for t in self.trainees]


# Built once: an alias made per call would rebuild its column collections on every request.
_TOWN, _VILLAGE = so.aliased(TrainingArea), so.aliased(TrainingArea)


_ZERO, _ONE = sa.literal_column("0", sa.Integer), sa.literal_column("1", sa.Integer)


def _flag(condition) -> sa.Case:
    """A condition as 0/1 computed by the database (no date or boolean conversion per row in Python)."""
    return sa.case((condition, 1), else_=0)


def matrix(county: Unit, township: TrainingArea | None = None) -> MatrixReport:
    """The trainee × module states of a county or a township: two lean queries for the cells, one row
    per active assignment (with its completed / past-due / started flags) and the completions that
    have no active assignment; each state decided by `rules.cell_state`."""
    on = today()
    town, village = _TOWN, _VILLAGE
    people = (sa.select(Trainee.id, Trainee.name, Trainee.role, town.name, sa.func.coalesce(village.name, ""))
              .join(town, town.id == Trainee.township_id).outerjoin(village, village.id == Trainee.village_id)
              .where(Trainee.active, Trainee.county_id == county.id))
    if township is not None:
        people = people.where(Trainee.township_id == township.id)
    trainees = [Person._make(row) for row in db.session.execute(
        people.order_by(town.name, Trainee.role.desc(), village.name, Trainee.name))]
    ids = [t.id for t in trainees]
    modules = live_modules()
    col_keys = [mod.id for mod in modules]
    grid = rules.empty_grid(ids, col_keys)
    if ids:
        index = {mid: i for i, mid in enumerate(col_keys)}
        scope = Trainee.county_id == county.id if township is None else Trainee.township_id == township.id
        cells = (sa.select(Assignment.trainee_id, Assignment.module_id, _ONE, _flag(_completed_exists()),
                           _flag(Assignment.due < on), _flag(Assignment.started_at.is_not(None)))
                 .join(Trainee, Trainee.id == Assignment.trainee_id).where(Assignment.active, Trainee.active, scope))
        unassigned_done = (
            sa.select(Completion.trainee_id, Completion.module_id, _ZERO, _ONE, _ZERO, _ZERO)
            .join(Trainee, Trainee.id == Completion.trainee_id)
            .where(~Completion.voided, Trainee.active, scope,
                   ~sa.exists().where(Assignment.trainee_id == Completion.trainee_id,
                                      Assignment.module_id == Completion.module_id, Assignment.active)))
        state = rules.cell_state
        for tid, mid, assigned, done, late, started in db.session.execute(cells.union_all(unassigned_done)):
            col, states = index.get(mid), grid.get(tid)
            if col is not None and states is not None:  # a retired module has no column
                states[col] = state(assigned == 1, late == 1, done == 1, started == 1)
    m = rules.matrix_of(ids, col_keys, grid)
    title = f"{county.name}{township.name if township else ''}培训完成情况"
    return MatrixReport(title, on, trainees, modules, m)


@dataclass
class RollupRow:
    key: object
    label: str
    total: rules.Tally
    by_role: dict  # role -> Tally


def city_rollup() -> tuple[list[RollupRow], list[RollupRow], rules.Tally]:
    """Completion by county and by module: assigned, completed, overdue, per role."""
    on = today()
    # One correlated lookup per assignment on the (trainee, module, voided) index; grouping also by
    # "past due" gives the overdue count as (past-due assignments − past-due completed ones).
    done = sa.case((_completed_exists(), 1), else_=0)
    late = Assignment.due < on
    stmt = (sa.select(Trainee.county_id, Trainee.role, Assignment.module_id, late, sa.func.count(), sa.func.sum(done))
            .join(Trainee, Trainee.id == Assignment.trainee_id)
            .where(Assignment.active, Trainee.active)
            .group_by(Trainee.county_id, Trainee.role, Assignment.module_id, late))
    by_county: dict = defaultdict(lambda: defaultdict(rules.Tally))
    by_module: dict = defaultdict(lambda: defaultdict(rules.Tally))
    total = rules.Tally()
    for county_id, role, module_id, is_late, n, completed in db.session.execute(stmt):
        completed = int(completed or 0)
        for target in (by_county[county_id][role], by_module[module_id][role], total):
            target.assigned += n
            target.completed += completed
            target.overdue += (n - completed) if is_late else 0
    from portal.training.scope import county_units

    def row(key, label, roles: dict) -> RollupRow:
        t = rules.Tally()
        for r in roles.values():
            t.assigned, t.completed, t.overdue = t.assigned + r.assigned, t.completed + r.completed, t.overdue + r.overdue
        return RollupRow(key, label, t, {role: roles.get(role, rules.Tally()) for role in rules.ROLE_LABELS})

    counties = [row(c, c.name, by_county.get(c.id, {})) for c in county_units()]
    modules = [row(m, m.title, by_module.get(m.id, {})) for m in live_modules()]
    return counties, modules, total


def city_totals() -> rules.Tally:
    """The city's headline: active assignments of active trainees, completed, overdue (one query)."""
    done = _completed_exists()
    stmt = (sa.select(sa.func.count(),
                      sa.func.sum(sa.case((done, 1), else_=0)),
                      sa.func.sum(sa.case((sa.and_(Assignment.due < today(), ~done), 1), else_=0)))
            .select_from(Assignment).join(Trainee, Trainee.id == Assignment.trainee_id)
            .where(Assignment.active, Trainee.active))
    assigned, completed, overdue = db.session.execute(stmt).one()
    return rules.Tally(assigned=int(assigned or 0), completed=int(completed or 0), overdue=int(overdue or 0))


def stamp_columns() -> list:
    """Scalar subqueries that change whenever the city totals may have changed, for a page that caches
    them (added to its own stamp query: no extra round trip). Every training change is audited, so the
    newest audit entry (a primary-key lookup) covers assignments, completions, voids and the roster."""
    from portal.models import AuditEntry

    return [sa.select(sa.func.max(AuditEntry.id)).scalar_subquery()]


@dataclass
class OverdueRow:
    trainee: Trainee
    module: TrainingModule
    due: date
    days: int


def overdue_count(county_id: int | None = None) -> int:
    stmt = (sa.select(sa.func.count(Assignment.id)).join(Trainee, Trainee.id == Assignment.trainee_id)
            .join(TrainingModule, TrainingModule.id == Assignment.module_id)
            .where(Assignment.active, Trainee.active, ~TrainingModule.retired, Assignment.due < today(),
                   ~_completed_exists()))
    if county_id is not None:
        stmt = stmt.where(Trainee.county_id == county_id)
    return db.session.scalar(stmt)


def overdue_list(county_id: int | None = None, limit: int = 100000) -> list[OverdueRow]:
    on = today()
    stmt = (sa.select(Assignment, Trainee, TrainingModule).join(Trainee, Trainee.id == Assignment.trainee_id)
            .join(TrainingModule, TrainingModule.id == Assignment.module_id)
            .where(Assignment.active, Trainee.active, ~TrainingModule.retired, Assignment.due < on,
                   ~_completed_exists()))
    if county_id is not None:
        stmt = stmt.where(Trainee.county_id == county_id)
    stmt = stmt.options(so.selectinload(Trainee.township), so.selectinload(Trainee.village),
                        so.selectinload(Trainee.county))
    stmt = stmt.order_by(Assignment.due, Trainee.county_id, Trainee.township_id, Trainee.name).limit(limit)
    return [OverdueRow(t, m, a.due, (on - a.due).days) for a, t, m in db.session.execute(stmt)]


def coverage(county: Unit) -> tuple[list[rules.Coverage], dict[str, int]]:
    """People trained / people on the roster in one county, per role and per module (live)."""
    roster = dict(db.session.execute(
        sa.select(Trainee.role, sa.func.count()).where(Trainee.active, Trainee.county_id == county.id)
        .group_by(Trainee.role)).all())
    trained = {(key, role): n for key, role, n in db.session.execute(
        sa.select(TrainingModule.key, Trainee.role, sa.func.count(sa.distinct(Completion.trainee_id)))
        .join(Trainee, Trainee.id == Completion.trainee_id).join(TrainingModule, TrainingModule.id == Completion.module_id)
        .where(~Completion.voided, Trainee.active, Trainee.county_id == county.id)
        .group_by(TrainingModule.key, Trainee.role))}
    modules = [(m.key, m.title, tuple(m.audience)) for m in live_modules()]
    return rules.coverage_rows(roster, modules, trained), roster


def area_name(trainee: Trainee) -> str:
    return trainee.township.name + (trainee.village.name if trainee.village else "")
