"""Figures: the trainee × module matrix, the roll-ups, the overdue list, a county's coverage.

Totals come from the figures' summary (`tally`: a few hundred rows whatever the roster's size),
scoped to the viewer's county in the query (`figures_for`: the one place the training pages, their
.xlsx files, the API and the home page take a viewer's figures from). Lists that grow with the
roster (the matrix's people, the overdue list) are read a page at a time. The counting and the
states come from `rules` (pure).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Completion, Trainee, TrainingModule, TrainingPlace, TrainingTally, Unit, User
from portal.training import certificates, hours
from portal.training.modules import live_modules
from portal.training.scope import county_scope, county_units
from portal.web.pagination import PageLinks


def counted(stmt: sa.Select) -> sa.Select:
    """The one rule every training figure counts by (matrix, city roll-up, overdue list, the duty's
    coverage, the board): an active assignment of an active trainee for a module in use; it is done
    when a completion of the pair stands (`_completed_exists`). A completion always records its
    assignment (`services._assigned_by_completion`), so a trained person is always an assigned one."""
    return (stmt.join(Trainee, Trainee.id == Assignment.trainee_id)
            .join(TrainingModule, TrainingModule.id == Assignment.module_id)
            .where(Assignment.active, Trainee.active, ~TrainingModule.retired))


def _completed_exists():
    """Whether the pair's completion stands: an index lookup per pair, for a township's matrix, the
    overdue list and reminders; whole-population counts read the summary instead, and a matrix page
    reads its people's completions once (`_fill_page`)."""
    return sa.exists().where(Completion.trainee_id == Assignment.trainee_id,
                             Completion.module_id == Assignment.module_id, certificates.counts_as_done(today()))


class Person(NamedTuple):
    """A matrix row: plain values in one query (no ORM objects for a page of people)."""

    id: int
    name: str
    post: str
    township: str
    village: str


MATRIX_PAGE = 50  # people per matrix page: a county has thousands after a few years


@dataclass
class MatrixReport(PageLinks):
    title: str
    as_of: date
    trainees: list[Person]  # this page's people (every one of them for the .xlsx)
    modules: list[TrainingModule]
    matrix: training_rules.Matrix  # rows of this page; columns and total of the whole county or township
    people: int = 0  # in the county or township
    page: int = 1
    per_page: int = MATRIX_PAGE
    hours: dict[int, int] = field(default_factory=dict)  # person -> this year's 学时 in tenths (`portal.training.hours`)
    target: int | None = None  # the office's yearly 学时 target in tenths, if set

    def short(self, person_id: int) -> bool:
        """Below the year's 学时 target (no target: nobody is short)."""
        return self.target is not None and self.hours.get(person_id, 0) < self.target

    @property
    def pages(self) -> int:
        return max(1, -(-self.people // self.per_page))

    def rows(self):
        """(trainee, [state per module]) in module order: what the page and the sheet print."""
        grid = self.matrix.grid
        return [(t, grid[t.id]) for t in self.trainees]


# Built once: an alias made per call would rebuild its column collections on every request.
_TOWN, _VILLAGE = so.aliased(TrainingPlace), so.aliased(TrainingPlace)


def _flag(condition, weight: int):
    """A condition as `weight` or 0, computed by the database."""
    return sa.case((condition, weight), else_=0)


def _cells(scope) -> sa.Select:
    """One row per trainee in `scope`: `module:flags,module:flags,…` for each pair `counted`, flags =
    assigned 8 + completed 4 + past due 2 + started 1 (`rules.STATE_BY_FLAGS`).

    Aggregated by the database so a whole county's cells (the .xlsx) come back as one short string per
    person: building a row object per cell cost more than the rest of the file and fed the garbage
    collector."""
    on = today()
    flags = (sa.literal_column("8", sa.Integer) + _flag(_completed_exists(), 4) + _flag(Assignment.due < on, 2)
             + _flag(Assignment.started_at.is_not(None), 1))
    pairs = counted(sa.select(Assignment.trainee_id.label("tid"), Assignment.module_id.label("mid"),
                              flags.label("flags")).select_from(Assignment)).where(scope).subquery()
    pair = sa.cast(pairs.c.mid, sa.String) + ":" + sa.cast(pairs.c.flags, sa.String)
    return sa.select(pairs.c.tid, sa.func.aggregate_strings(pair, ",")).group_by(pairs.c.tid)


_ORDER = (Trainee.township_id, Trainee.post.desc(), Trainee.village_id, Trainee.name, Trainee.id)


class RosterLine(NamedTuple):
    """A line of the roster page: plain values."""

    id: int
    name: str
    post: str
    county_id: int
    township: str
    village: str
    phone: str
    active: bool
    user_id: int | None


def roster_page(conditions: list, offset: int, limit: int) -> list[RosterLine]:
    """A page of the people matching `conditions`, in the matrix's order by county: the page's ids are
    sorted from the `ix_trainee_place` index, then only their rows are read."""
    order = (Trainee.county_id, *_ORDER)
    ids = sa.select(Trainee.id).where(*conditions).order_by(*order).limit(limit).offset(offset).subquery()
    town, village = _TOWN, _VILLAGE
    stmt = (sa.select(Trainee.id, Trainee.name, Trainee.post, Trainee.county_id, town.name,
                      sa.func.coalesce(village.name, ""), Trainee.phone, Trainee.active, Trainee.user_id)
            .join(ids, ids.c.id == Trainee.id).join(town, town.id == Trainee.township_id)
            .outerjoin(village, village.id == Trainee.village_id).order_by(*order))
    return [RosterLine._make(row) for row in db.session.execute(stmt)]


def _in_scope(stmt: sa.Select, county: Unit, township: TrainingPlace | None) -> sa.Select:
    stmt = stmt.where(Trainee.county_id == county.id, Trainee.active)
    return stmt if township is None else stmt.where(Trainee.township_id == township.id)


def matrix(county: Unit, township: TrainingPlace | None = None, page: int | None = 1,
           per_page: int = MATRIX_PAGE) -> MatrixReport:
    """The trainee × module states of a page of a county's or a township's people (`page` None: all of
    them, for the .xlsx), each decided by `rules.cell_state`; the columns' and the whole's tallies
    count every person in scope (the county's from the summary).

    People are in the matrix's order — by township, its 儿童督导员 first, then by village and name —
    the order of the `ix_trainee_place` index, so a page's ids are picked from the index alone and
    only that page's rows are read."""
    on = today()
    town, village = _TOWN, _VILLAGE
    people = (sa.select(Trainee.id, Trainee.name, Trainee.post, town.name, sa.func.coalesce(village.name, ""))
              .join(town, town.id == Trainee.township_id).outerjoin(village, village.id == Trainee.village_id))
    if page is not None:
        ids = (_in_scope(sa.select(Trainee.id), county, township).order_by(*_ORDER)
               .limit(per_page).offset((max(page, 1) - 1) * per_page).subquery())
        people = people.join(ids, ids.c.id == Trainee.id)
    else:
        people = _in_scope(people, county, township)
    trainees = [Person._make(row) for row in db.session.execute(people.order_by(*_ORDER))]
    ids = [t.id for t in trainees]
    modules = live_modules()
    col_keys = [mod.id for mod in modules]
    grid = training_rules.empty_grid(ids, col_keys)
    if ids and page is not None:
        _fill_page(grid, ids, {mid: i for i, mid in enumerate(col_keys)}, on)
    elif ids:
        index = {str(mid): i for i, mid in enumerate(col_keys)}
        by_flags = training_rules.STATE_BY_FLAGS
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
    m = training_rules.matrix_of(ids, col_keys, grid)
    total_people = len(ids)
    if page is not None:
        m.cols, m.total, total_people = _scope_columns(county, township, col_keys)
    return MatrixReport(matrix_title(county, township), on, trainees, modules, m, total_people, max(page or 1, 1), per_page,
                        hours.totals_for(ids, on.year), certificates.current_arrangement().yearly_target_tenths)


def _fill_page(grid: dict, ids: list[int], index: dict[int, int], on: date) -> None:
    """A page's cells from two index reads in one statement — the page's assignments and its standing
    completions (`due` NULL) — joined here: a page has at most a few hundred pairs, and PostgreSQL
    planned the one-row-per-person form (`_cells`) with a lookup per pair that cost several times the
    two reads. The page's people are active (`_in_scope`); a retired module has no column (`index`)."""
    assignments = sa.select(Assignment.trainee_id, Assignment.module_id, Assignment.due,
                            Assignment.started_at.is_not(None)).where(Assignment.trainee_id.in_(ids), Assignment.active)
    completions = sa.select(Completion.trainee_id, Completion.module_id, sa.cast(sa.null(), sa.Date),
                            sa.literal(False)).where(Completion.trainee_id.in_(ids), certificates.counts_as_done(on))
    assigned, done = [], set()
    # .all(): fetched at once (iterating the result fetched row by row on psycopg, ~a tenth of the page)
    for tid, mid, due, started in db.session.execute(sa.union_all(assignments, completions)).all():
        if due is None:
            done.add((tid, mid))
        else:
            assigned.append((tid, mid, due, started))
    for tid, mid, due, started in assigned:
        col = index.get(mid)
        if col is not None:
            grid[tid][col] = training_rules.cell_state(True, due < on, (tid, mid) in done, bool(started))


def matrix_title(county: Unit, township: TrainingPlace | None) -> str:
    """The matrix's title, also its .xlsx file's name."""
    return f"{county.name}{township.name if township else ''}培训完成情况"


def _scope_columns(county: Unit, township: TrainingPlace | None, col_keys: list) -> tuple[dict, training_rules.Tally, int]:
    """Per-module tallies, their total and the number of people, for the whole county (the summary)
    or township (its own pairs: a township is small)."""
    if township is None:  # the summary's rows of the county and, in the same statement, its people
        # count(*), not count(id): the people are counted from `ix_trainee_place` alone (PostgreSQL's
        # index-only scan; count(id) read each person's row, 2.4 ms for a county of 3,850).
        count = _in_scope(sa.select(sa.literal(-1), sa.literal(False), sa.func.count(), sa.literal(0),
                                    sa.literal(0)).select_from(Trainee), county, None)
        by_module: dict = defaultdict(training_rules.Tally)
        people = 0
        for mid, late, assigned, completed, started in db.session.execute(sa.union_all(
                _summary_select(TrainingTally.county_id == county.id, TrainingTally.module_id), count)):
            if mid == -1:
                people = int(assigned or 0)
            else:
                _add(by_module[mid], _tally_of(late, assigned, completed, started))
    else:
        grid_rows = list(db.session.execute(_cells(Trainee.township_id == township.id)))
        by_module: dict = defaultdict(training_rules.Tally)
        counts: dict = defaultdict(lambda: defaultdict(int))
        for _tid, pairs in grid_rows:
            for pair in pairs.split(","):
                mid, _, flags = pair.partition(":")
                counts[int(mid)][training_rules.STATE_BY_FLAGS[int(flags)]] += 1
        by_module = {mid: training_rules.Tally.of(c) for mid, c in counts.items()}
        people = db.session.scalar(_in_scope(sa.select(sa.func.count()).select_from(Trainee), county, township))
    cols = {c: by_module.get(c, training_rules.Tally()) for c in col_keys}
    total = training_rules.Tally()
    for t in cols.values():
        _add(total, t)
    return cols, total, people or 0


# ---- figures from the summary ------------------------------------------------------------------

def _add(target: training_rules.Tally, t: training_rules.Tally) -> None:
    target.assigned += t.assigned
    target.completed += t.completed
    target.overdue += t.overdue
    target.in_progress += t.in_progress
    target.not_started += t.not_started


def _summary_select(where=None, *group) -> sa.Select:
    """Sums of the summary's live-module rows by `group`, split by past due (overdue) or not."""
    late = TrainingTally.due < today()
    stmt = (sa.select(*group, late.label("late"), sa.func.sum(TrainingTally.assigned), sa.func.sum(TrainingTally.completed),
                      sa.func.sum(TrainingTally.started))
            .join(TrainingModule, TrainingModule.id == TrainingTally.module_id).where(~TrainingModule.retired)
            .group_by(*group, late))
    return stmt if where is None else stmt.where(where)


def _tally_of(late: bool, assigned, completed, started) -> training_rules.Tally:
    """A summary row as a Tally: past due, what is not completed is overdue; else started or not."""
    assigned, completed, started = int(assigned or 0), int(completed or 0), int(started or 0)
    t = training_rules.Tally(assigned=assigned, completed=completed)
    if late:
        t.overdue = assigned - completed
    else:
        t.in_progress, t.not_started = started, assigned - completed - started
    return t


@dataclass
class RollupRow:
    key: object
    label: str
    total: training_rules.Tally
    by_role: dict  # post -> Tally (the JSON's `by_role` key stays)


@dataclass
class Figures:
    """The roll-up one viewer sees: the city (`scope` None), or one county: its row, its figures per
    module and its total — never another county's, never the city's."""

    scope: int | None
    counties: list[RollupRow]
    modules: list[RollupRow]
    total: training_rules.Tally = field(default_factory=training_rules.Tally)

    @property
    def city(self) -> bool:
        return self.scope is None


def figures(scope: int | None) -> Figures:
    """Completion by county and by module (assigned, completed, overdue, per post) for the city or one
    county, from the summary in one statement, the county chosen in the query."""
    where = None if scope is None else TrainingTally.county_id == scope
    by_county: dict = defaultdict(lambda: defaultdict(training_rules.Tally))
    by_module: dict = defaultdict(lambda: defaultdict(training_rules.Tally))
    total = training_rules.Tally()
    group = (TrainingTally.county_id, TrainingTally.post, TrainingTally.module_id)
    for county_id, post, module_id, late, assigned, completed, started in db.session.execute(_summary_select(where, *group)):
        t = _tally_of(late, assigned, completed, started)
        for target in (by_county[county_id][post], by_module[module_id][post], total):
            _add(target, t)

    def row(key, label, posts: dict) -> RollupRow:
        t = training_rules.Tally()
        for r in posts.values():
            _add(t, r)
        return RollupRow(key, label, t, {post: posts.get(post, training_rules.Tally()) for post in training_rules.POST_LABELS})

    counties = [row(c, c.name, by_county.get(c.id, {})) for c in county_units() if scope is None or c.id == scope]
    modules = [row(m, m.title, by_module.get(m.id, {})) for m in live_modules()]
    return Figures(scope, counties, modules, total)


def figures_for(user: User) -> Figures:
    """The figures `user` may see: the one place a viewer's training scope is applied to figures."""
    return figures(county_scope(user))


def city_rollup() -> tuple[list[RollupRow], list[RollupRow], training_rules.Tally]:
    """The whole city's roll-up (by county, by module, total)."""
    f = figures(None)
    return f.counties, f.modules, f.total


def overview(scope: int | None) -> tuple[list[RollupRow], list[RollupRow], training_rules.Tally]:
    f = figures(scope)
    return f.counties, f.modules, f.total


def city_totals_select() -> sa.Select:
    """One row (assigned, completed, overdue) of the city, from the summary. A page that shows the
    city's headline beside its own figures reads it as a subquery of its own statement."""
    late = TrainingTally.due < today()
    return (sa.select(sa.func.coalesce(sa.func.sum(TrainingTally.assigned), 0).label("assigned"),
                      sa.func.coalesce(sa.func.sum(TrainingTally.completed), 0).label("completed"),
                      sa.func.coalesce(sa.func.sum(sa.case((late, TrainingTally.assigned - TrainingTally.completed),
                                                           else_=0)), 0).label("overdue"))
            .join(TrainingModule, TrainingModule.id == TrainingTally.module_id).where(~TrainingModule.retired))


def tally_of(assigned, completed, overdue) -> training_rules.Tally:
    return training_rules.Tally(assigned=int(assigned or 0), completed=int(completed or 0), overdue=int(overdue or 0))


def city_totals() -> training_rules.Tally:
    """The city's headline: active assignments of active trainees, completed, overdue (one query)."""
    return tally_of(*db.session.execute(city_totals_select()).one())


def stamp_columns() -> list:
    """What the board shows of training — the city's totals — as scalar subqueries of the summary, for
    a page that caches them (added to its own stamp query: no extra round trip). Only a change of the
    figures moves them; a sign-in or any other audited write does not."""
    sub = city_totals_select().subquery()

    def text(column):
        return sa.cast(column, sa.String)

    # One subquery (the three sums joined as text), so the summary is read once per stamp.
    return [sa.select(text(sub.c.assigned) + ":" + text(sub.c.completed) + ":" + text(sub.c.overdue)).scalar_subquery()]


class OverdueRow(NamedTuple):
    """A line of the overdue list: plain values in one statement (no ORM objects per row)."""

    trainee_id: int
    name: str
    post: str
    county_id: int
    township: str
    village: str
    phone: str
    module: str
    due: date

    @property
    def place(self) -> str:
        return self.township + self.village

    def days(self, on: date) -> int:
        return (on - self.due).days


OVERDUE_PAGE = 50


def overdue_count(county_id: int | None = None) -> int:
    """The overdue pairs of the city or a county: one summed row of the summary (not the roll-up)."""
    stmt = city_totals_select()
    if county_id is not None:
        stmt = stmt.where(TrainingTally.county_id == county_id)
    return int(db.session.execute(stmt).one().overdue)


def _overdue_select(county_id: int | None) -> sa.Select:
    """Overdue pairs oldest first (by due date, then as assigned), the city's or a county's: an index
    (`ix_training_assignment_due`, or `…_county_due` on the assignment's copy of the county) walked in
    order and stopped at the page's end — never the whole list sorted, never other counties' read."""
    town, village = _TOWN, _VILLAGE
    stmt = (counted(sa.select(Trainee.id, Trainee.name, Trainee.post, Trainee.county_id, town.name,
                              sa.func.coalesce(village.name, ""), Trainee.phone, TrainingModule.title, Assignment.due)
                    .select_from(Assignment))
            .join(town, town.id == Trainee.township_id).outerjoin(village, village.id == Trainee.village_id)
            .where(Assignment.due < today(), ~_completed_exists()))
    if county_id is not None:
        stmt = stmt.where(Assignment.county_id == county_id)
    return stmt.order_by(Assignment.due, Assignment.id)


def overdue_list(county_id: int | None = None, limit: int | None = None, offset: int = 0) -> list[OverdueRow]:
    stmt = _overdue_select(county_id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [OverdueRow._make(row) for row in db.session.execute(stmt)]


def overdue_rows(county_id: int | None = None, chunk: int = 2000):
    """Every overdue pair (OverdueRow), oldest first, read in chunks (for the streamed .xlsx)."""
    for row in db.session.execute(_overdue_select(county_id).execution_options(yield_per=chunk)):
        yield OverdueRow._make(row)


def coverage(county: Unit) -> tuple[list[training_rules.Coverage], dict[str, int]]:
    """People trained / people on the roster in one county, per post and per module (live): the
    roster (counted on the `ix_trainee_place` index), the completions (the summary) and the live
    modules in one statement."""
    def text(value):
        return sa.cast(value, sa.Text)

    on_roster = (sa.select(sa.literal("roster", sa.String).label("part"), text(Trainee.post).label("a"),
                           text(sa.null()).label("b"), sa.func.count().label("n"), text(sa.null()).label("c"))
                 .where(Trainee.active, Trainee.county_id == county.id).group_by(Trainee.post))
    done = (sa.select(sa.literal("trained", sa.String), text(TrainingModule.key), text(TrainingTally.post),
                      sa.func.sum(TrainingTally.completed), text(sa.null()))
            .join(TrainingModule, TrainingModule.id == TrainingTally.module_id)
            .where(~TrainingModule.retired, TrainingTally.county_id == county.id)
            .group_by(TrainingModule.key, TrainingTally.post))
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
    return training_rules.coverage_rows(roster, modules, trained), roster
