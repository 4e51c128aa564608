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


def counted(stmt: sa.Select) -> sa.Select:
    """The one rule every training figure counts by (matrix, city roll-up, overdue list, the duty's
    coverage, the board): an active assignment of an active trainee for a module in use; it is done
    when a completion of the pair stands (`_completed_exists`). A completion always records its
    assignment (`services._assigned_by_completion`), so a trained person is always an assigned one."""
    return (stmt.join(Trainee, Trainee.id == Assignment.trainee_id)
            .join(TrainingModule, TrainingModule.id == Assignment.module_id)
            .where(Assignment.active, Trainee.active, ~TrainingModule.retired))


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


def _flag(condition, weight: int):
    """A condition as `weight` or 0, computed by the database."""
    return sa.case((condition, weight), else_=0)


def _cells(scope) -> sa.Select:
    """One row per trainee: `module:flags,module:flags,…` for each pair `counted`, flags = assigned 8 + completed 4 + past due 2 + started 1 (`rules.STATE_BY_FLAGS`).

    Aggregated by the database so a county's ~4,000 cells come back as ~400 short strings: building
    a row object per cell cost more than the rest of the page and fed the garbage collector's slow
    full passes (the matrix's p95)."""
    on = today()
    flags = (sa.literal_column("8", sa.Integer) + _flag(_completed_exists(), 4) + _flag(Assignment.due < on, 2)
             + _flag(Assignment.started_at.is_not(None), 1))
    pairs = counted(sa.select(Assignment.trainee_id.label("tid"), Assignment.module_id.label("mid"),
                              flags.label("flags")).select_from(Assignment)).where(scope).subquery()
    pair = sa.cast(pairs.c.mid, sa.String) + ":" + sa.cast(pairs.c.flags, sa.String)
    return sa.select(pairs.c.tid, sa.func.aggregate_strings(pair, ",")).group_by(pairs.c.tid)


def matrix(county: Unit, township: TrainingArea | None = None) -> MatrixReport:
    """The trainee × module states of a county or a township (each decided by `rules.cell_state`)."""
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
        index = {str(mid): i for i, mid in enumerate(col_keys)}
        by_flags = rules.STATE_BY_FLAGS
        scope = Trainee.county_id == county.id if township is None else Trainee.township_id == township.id
        for tid, pairs in db.session.execute(_cells(scope)):
            states = grid.get(tid)
            if states is None:
                continue
            for pair in pairs.split(","):
                mid, _, flags = pair.partition(":")
                col = index.get(mid)
                if col is not None:  # a retired module has no column
                    states[col] = by_flags[int(flags)]
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
    stmt = (counted(sa.select(Trainee.county_id, Trainee.role, Assignment.module_id, late, sa.func.count(),
                              sa.func.sum(done)).select_from(Assignment))
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


def overview(scope: int | None) -> tuple[list[RollupRow], list[RollupRow], rules.Tally]:
    """The roll-up as one viewer sees it: the city, or (`scope`, a county's id) that county's row
    and its figures as the total."""
    counties, modules, total = city_rollup()
    if scope is not None:
        counties = [c for c in counties if c.key.id == scope]
        total = counties[0].total if counties else rules.Tally()
    return counties, modules, total


def city_totals_select() -> sa.Select:
    """One row (assigned, completed, overdue) of the pairs `counted`. A page that shows the city's
    headline beside its own figures reads it as a subquery of its own statement."""
    done = _completed_exists()
    return counted(sa.select(sa.func.count().label("assigned"),
                             sa.func.sum(sa.case((done, 1), else_=0)).label("completed"),
                             sa.func.sum(sa.case((sa.and_(Assignment.due < today(), ~done), 1), else_=0))
                             .label("overdue")).select_from(Assignment))


def tally_of(assigned, completed, overdue) -> rules.Tally:
    return rules.Tally(assigned=int(assigned or 0), completed=int(completed or 0), overdue=int(overdue or 0))


def city_totals() -> rules.Tally:
    """The city's headline: active assignments of active trainees, completed, overdue (one query)."""
    return tally_of(*db.session.execute(city_totals_select()).one())


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
    stmt = counted(sa.select(sa.func.count(Assignment.id)).select_from(Assignment)).where(
        Assignment.due < today(), ~_completed_exists())
    if county_id is not None:
        stmt = stmt.where(Trainee.county_id == county_id)
    return db.session.scalar(stmt)


def overdue_list(county_id: int | None = None, limit: int = 100000) -> list[OverdueRow]:
    on = today()
    stmt = counted(sa.select(Assignment, Trainee, TrainingModule).select_from(Assignment)).where(
        Assignment.due < on, ~_completed_exists())
    if county_id is not None:
        stmt = stmt.where(Trainee.county_id == county_id)
    stmt = stmt.options(so.selectinload(Trainee.township), so.selectinload(Trainee.village),
                        so.selectinload(Trainee.county))
    stmt = stmt.order_by(Assignment.due, Trainee.county_id, Trainee.township_id, Trainee.name).limit(limit)
    return [OverdueRow(t, m, a.due, (on - a.due).days) for a, t, m in db.session.execute(stmt)]


def coverage(county: Unit) -> tuple[list[rules.Coverage], dict[str, int]]:
    """People trained / people on the roster in one county, per role and per module (live): the
    roster, the completions and the live modules in one statement."""
    import json

    def text(value):
        return sa.cast(value, sa.Text)

    on_roster = (sa.select(sa.literal("roster", sa.String).label("part"), text(Trainee.role).label("a"),
                           text(sa.null()).label("b"), sa.func.count().label("n"), text(sa.null()).label("c"))
                 .where(Trainee.active, Trainee.county_id == county.id).group_by(Trainee.role))
    done = (counted(sa.select(sa.literal("trained", sa.String), text(TrainingModule.key), text(Trainee.role),
                              sa.func.count(), text(sa.null())).select_from(Assignment))
            .where(_completed_exists(), Trainee.county_id == county.id)
            .group_by(TrainingModule.key, Trainee.role))
    live = (sa.select(sa.literal("module", sa.String), text(TrainingModule.key), text(TrainingModule.title),
                      TrainingModule.position, text(TrainingModule.audience))
            .where(~TrainingModule.retired))
    roster: dict[str, int] = {}
    trained: dict[tuple[str, str], int] = {}
    modules = []
    for part, a, b, n, c in db.session.execute(sa.union_all(on_roster, done, live)):
        if part == "roster":
            roster[a] = n
        elif part == "trained":
            trained[(a, b)] = n
        else:
            modules.append((n, a, b, tuple(json.loads(c) if c else ())))
    modules = [(key, title, audience) for _, key, title, audience in sorted(modules)]  # as live_modules() orders
    return rules.coverage_rows(roster, modules, trained), roster


def area_name(trainee: Trainee) -> str:
    return trainee.township.name + (trainee.village.name if trainee.village else "")
