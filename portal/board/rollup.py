"""Pure roll-ups for the leadership board: plain rows in, plain figures out (no Flask, no database).

States, lights and their labels come from `portal.core.duty_rules`; this module only counts them.
The same functions feed the board page, the 通报 (HTML, .xlsx, .docx) and `/api/progress`, so the
figures agree by construction; a test recomputes them from the database independently.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from portal.content.policy_doc import label_for
from portal.core import duty_rules

# Columns of the department matrix: the five states, then 逾期 (red light; overlaps the states).
STATE_COLUMNS = (duty_rules.NOT_STARTED, duty_rules.IN_PROGRESS, duty_rules.BLOCKED, duty_rules.REQUESTED, duty_rules.CLOSED)
OVERDUE = "overdue"
OVERDUE_LABEL = duty_rules.LIGHT_LABELS[duty_rules.RED]

# A symbol beside every light colour, so greyscale print and colour-blind readers lose nothing.
LIGHT_SYMBOLS = {duty_rules.RED: "✕", duty_rules.YELLOW: "！", duty_rules.BLUE: "◷", duty_rules.GREEN: "✓", duty_rules.GREY: "■"}

# The 方案's task areas as board columns: 三（一）1–7, 三（二）8–11, 四; others fall under 二.
TASK_AREAS = tuple([f"3.1.{n}" for n in range(1, 8)] + [f"3.2.{n}" for n in range(8, 12)] + ["4"])
GOALS_AREA = "2"

# Transfer step status (a board notion: one checklist step of one county's transfer).
STEP_DONE, STEP_IN_PROGRESS, STEP_OVERDUE, STEP_NOT_STARTED = "done", "in_progress", "overdue", "not_started"
# A county's transfer as a whole has two more: every step ticked, 销号 requested and waiting for
# the office's check (待核验), or every step ticked and no 销号 asked yet (待申请销号).
STEP_TO_VERIFY, STEP_TO_REQUEST = "to_verify", "to_request"
STEP_LABELS = {STEP_DONE: "已完成", STEP_IN_PROGRESS: "推进中", STEP_OVERDUE: "逾期", STEP_NOT_STARTED: "未启动",
               STEP_TO_VERIFY: "待核验", STEP_TO_REQUEST: "待申请销号"}
STEP_SYMBOLS = {STEP_DONE: "✓", STEP_IN_PROGRESS: "◐", STEP_OVERDUE: "✕", STEP_NOT_STARTED: "○",
                STEP_TO_VERIFY: "◕", STEP_TO_REQUEST: "◕"}


def task_area(clause_ids: Sequence[str]) -> str:
    """The task area a duty belongs to: its first 三 item (3.x.n), else 四, else 二 (工作目标)."""
    for cid in clause_ids:
        parts = cid.split(".")
        if parts[0] == "3" and len(parts) >= 3:
            return ".".join(parts[:3])
    if any(cid.split(".")[0] == "4" for cid in clause_ids):
        return "4"
    return GOALS_AREA


def task_area_label(area: str) -> str:
    return label_for(area)


@dataclass(frozen=True)
class Row:
    """One duty instance as the board sees it."""

    instance_id: int
    key: str
    duty_key: str
    title: str
    clause_ids: tuple[str, ...]
    area: str
    unit_code: str
    unit_name: str
    unit_short: str
    unit_order: int
    level: str
    county_code: str
    county_name: str
    kind: str   # department kind for filtering: 民政部门, 公安部门 …
    group: str  # department matrix row: a city body itself, or 民政局 for the 13 county bureaus
    state: str
    light: str
    progress: int
    deadline: date | None
    last_activity: datetime | None
    cooperators: tuple[str, ...] = ()
    position: int = 0
    closed_at: datetime | None = None
    deadline_kind: str = "none"  # date | periodic | none: what a row without a date shows (定期/长期)
    period: str = ""
    plan_id: int = 0


@dataclass(frozen=True)
class Filters:
    level: str = ""
    county: str = ""  # county code
    kind: str = ""
    area: str = ""
    plan_id: int = 0  # one plan's duties; 0: every plan

    @property
    def active(self) -> bool:
        return bool(self.level or self.county or self.kind or self.area or self.plan_id)


def apply_filters(rows: Iterable[Row], f: Filters) -> list[Row]:
    return [r for r in rows if (not f.level or r.level == f.level) and (not f.county or r.county_code == f.county)
            and (not f.kind or r.kind == f.kind) and (not f.area or r.area == f.area)
            and (not f.plan_id or r.plan_id == f.plan_id)]


# ---- counting ----------------------------------------------------------------------------------

@dataclass
class Counts:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATE_COLUMNS})
    by_light: dict[str, int] = field(default_factory=lambda: {lt: 0 for lt in duty_rules.LIGHT_ORDER})
    progress_sum: int = 0

    def add(self, row: Row) -> None:
        self.total += 1
        self.by_state[row.state] = self.by_state.get(row.state, 0) + 1
        self.by_light[row.light] = self.by_light.get(row.light, 0) + 1
        self.progress_sum += row.progress

    @property
    def closed(self) -> int:
        return self.by_state.get(duty_rules.CLOSED, 0)

    @property
    def overdue(self) -> int:
        return self.by_light.get(duty_rules.RED, 0)

    @property
    def pct_complete(self) -> int:
        """Share verified closed (已销号), in whole percent."""
        return round(100 * self.closed / self.total) if self.total else 0

    @property
    def avg_progress(self) -> int:
        return round(self.progress_sum / self.total) if self.total else 0

    @property
    def worst_light(self) -> str:
        present = [lt for lt, n in self.by_light.items() if n]
        return min(present, key=lambda lt: duty_rules.LIGHT_ORDER[lt]) if present else duty_rules.GREY

    def as_dict(self) -> dict:
        return {"total": self.total, "by_state": dict(self.by_state), "by_light": dict(self.by_light),
                "closed": self.closed, "overdue": self.overdue, "pct_complete": self.pct_complete,
                "avg_progress": self.avg_progress}


def count(rows: Iterable[Row]) -> Counts:
    c = Counts()
    for r in rows:
        c.add(r)
    return c


@dataclass
class UnitSummary:
    code: str
    name: str
    short: str
    level: str
    county_code: str
    county_name: str
    group: str
    order: int
    counts: Counts


def by_unit(rows: Iterable[Row]) -> list[UnitSummary]:
    units: dict[str, UnitSummary] = {}
    for r in rows:
        u = units.get(r.unit_code)
        if u is None:
            u = units[r.unit_code] = UnitSummary(r.unit_code, r.unit_name, r.unit_short, r.level, r.county_code,
                                                 r.county_name, r.group, r.unit_order, Counts())
        u.counts.add(r)
    return sorted(units.values(), key=lambda u: u.order)


@dataclass
class DepartmentGroup:
    """A department matrix row: one city body or institution, or the 13 county bureaus of a kind."""

    key: str
    label: str
    members: list[UnitSummary]
    counts: Counts

    @property
    def grouped(self) -> bool:
        return len(self.members) > 1 or any(m.county_code for m in self.members)


def department_matrix(rows: Sequence[Row]) -> list[DepartmentGroup]:
    units = by_unit(rows)
    groups: dict[str, DepartmentGroup] = {}
    for u in units:
        key = f"county:{u.group}" if u.county_code else f"unit:{u.code}"
        g = groups.get(key)
        if g is None:
            label = f"各县（市、区）{u.group}" if u.county_code else u.short
            g = groups[key] = DepartmentGroup(key, label, [], Counts())
        g.members.append(u)
    for r in rows:
        groups[f"county:{r.group}" if r.county_code else f"unit:{r.unit_code}"].counts.add(r)
    level_order = {"市级": 0, "县级": 1, "机构": 2}
    return sorted(groups.values(), key=lambda g: (level_order.get(g.members[0].level, 3), g.members[0].order))


@dataclass
class TaskAreaCell:
    counts: Counts

    @property
    def light(self) -> str:
        return self.counts.worst_light


def task_area_matrix(rows: Sequence[Row]) -> tuple[list[str], list[tuple[UnitSummary, dict[str, TaskAreaCell]]]]:
    """Columns (task areas present, in the 方案's order) and per unit its cells by area."""
    present = {r.area for r in rows}
    columns = [a for a in (GOALS_AREA, *TASK_AREAS) if a in present]
    cells: dict[str, dict[str, TaskAreaCell]] = defaultdict(dict)
    for r in rows:
        cell = cells[r.unit_code].get(r.area)
        if cell is None:
            cell = cells[r.unit_code][r.area] = TaskAreaCell(Counts())
        cell.counts.add(r)
    return columns, [(u, cells[u.code]) for u in by_unit(rows)]


def drill(rows: Iterable[Row], unit_code: str, area: str) -> list[Row]:
    return sorted((r for r in rows if r.unit_code == unit_code and r.area == area),
                  key=lambda r: (duty_rules.LIGHT_ORDER[r.light], r.position))


# ---- counties and the transfer ------------------------------------------------------------------

@dataclass(frozen=True)
class TransferInput:
    """One county's transfer duty instance with its checklist steps in order."""

    county_code: str
    county_name: str
    unit_code: str
    instance_id: int
    state: str
    deadline: date | None
    steps: tuple[tuple[str, bool], ...]  # (title, done)
    indicators: dict[str, int] = field(default_factory=dict)
    institution: bool = False  # a 儿童福利院's own transfer (county_name then holds the institution's name)


@dataclass
class TransferRow:
    county_code: str
    county_name: str
    unit_code: str
    instance_id: int
    state: str
    cells: list[tuple[str, str]]  # (step title, status)
    indicators: dict[str, int]
    institution: bool = False

    @property
    def steps_done(self) -> int:
        return sum(1 for _, s in self.cells if s == STEP_DONE)

    @property
    def done(self) -> bool:
        return self.state == duty_rules.CLOSED

    @property
    def status(self) -> str:
        """The county's transfer as one word: done (verified), waiting for the office's check
        (销号 requested), overdue, every step ticked but 销号 not asked, in progress, not started."""
        if self.done:
            return STEP_DONE
        if self.state == duty_rules.REQUESTED:  # the unit asked for 销号: the office's check is next
            return STEP_TO_VERIFY
        statuses = {s for _, s in self.cells}
        if STEP_OVERDUE in statuses:
            return STEP_OVERDUE
        if self.cells and self.steps_done == len(self.cells):
            return STEP_TO_REQUEST
        return STEP_IN_PROGRESS if self.steps_done or self.state != duty_rules.NOT_STARTED else STEP_NOT_STARTED


def step_status(done: bool, state: str, deadline: date | None, today: date) -> str:
    if done or state == duty_rules.CLOSED:
        return STEP_DONE
    if deadline is not None and today > deadline:
        return STEP_OVERDUE
    return STEP_NOT_STARTED if state == duty_rules.NOT_STARTED else STEP_IN_PROGRESS


def transfer_tracker(inputs: Iterable[TransferInput], today: date) -> list[TransferRow]:
    return [TransferRow(t.county_code, t.county_name, t.unit_code, t.instance_id, t.state,
                        [(title, step_status(done, t.state, t.deadline, today)) for title, done in t.steps],
                        dict(t.indicators), t.institution)
            for t in inputs]


def transfer_totals(rows: Sequence[TransferRow], indicator_names: Sequence[str]) -> dict:
    """Per step: how many counties have it done; the indicators summed; counties verified done."""
    steps: dict[str, int] = {}
    for row in rows:
        for title, status in row.cells:
            steps[title] = steps.get(title, 0) + (status == STEP_DONE)
    return {"steps_done": steps, "counties_done": sum(1 for r in rows if r.done), "counties": len(rows),
            "indicators": {n: sum(r.indicators.get(n, 0) for r in rows) for n in indicator_names},
            "indicators_reported": {n: sum(1 for r in rows if n in r.indicators) for n in indicator_names}}


@dataclass
class CountySummary:
    code: str
    name: str
    counts: Counts
    transfer: TransferRow | None


def county_summaries(rows: Sequence[Row], counties: Sequence[tuple[str, str]],
                     transfer: Sequence[TransferRow]) -> list[CountySummary]:
    by_code = {code: CountySummary(code, name, Counts(), None) for code, name in counties}
    for r in rows:
        if r.county_code in by_code:
            by_code[r.county_code].counts.add(r)
    for t in transfer:
        if t.county_code in by_code and not t.institution:  # the county's own (its 民政局's) transfer
            by_code[t.county_code].transfer = t
    return list(by_code.values())


# ---- lists and milestones ------------------------------------------------------------------------

def days_overdue(row: Row, today: date) -> int:
    return (today - row.deadline).days if row.deadline and today > row.deadline else 0


def red_list(rows: Iterable[Row], today: date) -> list[Row]:
    """Red (overdue) duties, most overdue first."""
    return sorted((r for r in rows if r.light == duty_rules.RED),
                  key=lambda r: (-days_overdue(r, today), r.unit_order, r.position))


def yellow_list(rows: Iterable[Row]) -> list[Row]:
    """Yellow duties (a few days left or behind schedule), nearest deadline first."""
    far = date(9999, 12, 31)
    return sorted((r for r in rows if r.light == duty_rules.YELLOW), key=lambda r: (r.deadline or far, r.unit_order))


def group_by_unit(rows: Iterable[Row]) -> list[tuple[str, list[Row]]]:
    """Rows grouped by unit name, keeping the order of each unit's first appearance."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.unit_name, []).append(r)
    return list(groups.items())


MILESTONE_DONE, MILESTONE_LATE, MILESTONE_DUE = "done", "late", "due"
MILESTONE_LABELS = {MILESTONE_DONE: "已完成", MILESTONE_LATE: "逾期未完成", MILESTONE_DUE: "未到期"}
MILESTONE_SYMBOLS = {MILESTONE_DONE: "✓", MILESTONE_LATE: "✕", MILESTONE_DUE: "○"}


@dataclass
class Milestone:
    on: date
    counts: Counts
    titles: list[str]
    state: str


def milestones(rows: Iterable[Row], today: date, until: date = date(2025, 12, 31)) -> list[Milestone]:
    """Every deadline of the plan up to `until` (the 方案's 2025年底), with how many duties fall due
    then and whether they are all closed."""
    by_day: dict[date, tuple[Counts, dict[str, None]]] = {}
    for r in rows:
        if r.deadline is None or r.deadline > until:
            continue
        counts, titles = by_day.setdefault(r.deadline, (Counts(), {}))
        counts.add(r)
        titles[r.title] = None
    out = []
    for day in sorted(by_day):
        counts, titles = by_day[day]
        state = (MILESTONE_DONE if counts.closed == counts.total
                 else MILESTONE_LATE if today > day else MILESTONE_DUE)
        out.append(Milestone(day, counts, list(titles), state))
    return out


def timeline_positions(days: Sequence[date], start: date, end: date, width: int) -> list[int]:
    """x positions of dates on a horizontal axis of `width` from start to end (clamped)."""
    span = max(1, (end - start).days)
    return [max(0, min(width, round(width * (d - start).days / span))) for d in days]


def bar_segments(values: Sequence[tuple[str, int]], width: int) -> list[tuple[str, int, int, int]]:
    """(key, x, w, value) for a horizontal stacked bar; zero values take no room."""
    total = sum(v for _, v in values)
    out, x = [], 0
    for key, value in values:
        if value <= 0 or total == 0:
            continue
        w = round(width * value / total)
        out.append((key, x, w, value))
        x += w
    if out:  # absorb rounding in the last segment
        key, sx, _, value = out[-1]
        out[-1] = (key, sx, width - sx, value)
    return out
