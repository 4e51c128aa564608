"""The one home of the training rules: roles, states, symbols, colours and roll-ups (no Flask, no DB).

Templates, exports and the API ask this module; none of them compares state strings itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

SUPERVISOR = "supervisor"  # 儿童督导员, township level
DIRECTOR = "director"  # 儿童主任, village level
ROLE_LABELS = {SUPERVISOR: "儿童督导员", DIRECTOR: "儿童主任"}
ROLE_BY_LABEL = {v: k for k, v in ROLE_LABELS.items()}

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
OVERDUE = "overdue"
NOT_ASSIGNED = "not_assigned"
STATES = (NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE)
STATE_LABELS = {NOT_STARTED: "未开始", IN_PROGRESS: "进行中", COMPLETED: "已完成", OVERDUE: "已逾期",
                NOT_ASSIGNED: "未安排"}
# A symbol beside the colour, so the matrix reads in black and white and for colour-blind users.
STATE_SYMBOLS = {NOT_STARTED: "○", IN_PROGRESS: "◐", COMPLETED: "✓", OVERDUE: "✗", NOT_ASSIGNED: "·"}
STATE_CSS = {NOT_STARTED: "tr-not-started", IN_PROGRESS: "tr-in-progress", COMPLETED: "tr-completed",
             OVERDUE: "tr-overdue", NOT_ASSIGNED: "tr-none"}
# Excel fill colours for the same states (RGB hex).
STATE_FILLS = {NOT_STARTED: "EEEEEE", IN_PROGRESS: "FFF2CC", COMPLETED: "C6EFCE", OVERDUE: "FFC7CE"}

HOW_LABELS = {"attendance": "签到", "quiz": "测验", "manual": "手工登记"}

# Quiz retries: after QUIZ_FAILS failed attempts within QUIZ_WINDOW, wait QUIZ_WAIT after the last one.
QUIZ_FAILS = 3
QUIZ_WINDOW = timedelta(minutes=10)
QUIZ_WAIT = timedelta(minutes=5)


def quiz_wait_minutes(failed_at: list[datetime], now: datetime) -> int:
    """Whole minutes (rounded up) the trainee must still wait before trying the quiz again; 0 = may try."""
    recent = sorted(t for t in failed_at if now - t < QUIZ_WINDOW)
    if len(recent) < QUIZ_FAILS:
        return 0
    left = recent[-1] + QUIZ_WAIT - now
    return max(0, -(-int(left.total_seconds()) // 60))


def quiz_wait_message(minutes: int) -> str:
    return (f"近{int(QUIZ_WINDOW.total_seconds() // 60)}分钟内测验已{QUIZ_FAILS}次未通过，"
            f"请先重读模块内容，{minutes}分钟后再试。")


def state_of(assigned: bool, due: date | None, completed: bool, started: bool, today: date) -> str:
    """未开始 / 进行中 / 已完成 / 已逾期 for one trainee and one module.

    Completed wins (even late); an assignment past its due date is overdue; opened or attempted
    is in progress. A completion without an assignment still counts as completed.
    """
    if completed:
        return COMPLETED
    if not assigned:
        return NOT_ASSIGNED
    if due is not None and due < today:
        return OVERDUE
    return IN_PROGRESS if started else NOT_STARTED


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def percent(part: int, whole: int) -> int:
    """Rounded down, so 100% means every one of them."""
    return (part * 100) // whole if whole else 0


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell two people apart, not enough to call them."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


@dataclass
class Tally:
    """Counts for one row or column of a roll-up."""

    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0

    def add(self, state: str) -> None:
        if state == NOT_ASSIGNED:
            return
        if state == COMPLETED:
            self.completed += 1
        elif state == OVERDUE:
            self.overdue += 1
        elif state == IN_PROGRESS:
            self.in_progress += 1
        else:
            self.not_started += 1
        self.assigned += 1

    @property
    def percent(self) -> int:
        return percent(self.completed, self.assigned)

    @classmethod
    def of(cls, counts: dict) -> "Tally":
        t = cls(completed=counts.get(COMPLETED, 0), overdue=counts.get(OVERDUE, 0),
                in_progress=counts.get(IN_PROGRESS, 0), not_started=counts.get(NOT_STARTED, 0))
        t.assigned = t.completed + t.overdue + t.in_progress + t.not_started
        return t

    def as_dict(self) -> dict:
        return {"assigned": self.assigned, "completed": self.completed, "overdue": self.overdue,
                "percent": self.percent}


@dataclass
class Matrix:
    """Trainees × modules: one state per cell, tallies per row and per column."""

    row_keys: list
    col_keys: list
    cells: dict = field(default_factory=dict)  # (row, col) -> state
    rows: dict = field(default_factory=dict)  # row -> Tally
    cols: dict = field(default_factory=dict)  # col -> Tally
    total: Tally = field(default_factory=Tally)

    def state(self, row, col) -> str:
        return self.cells.get((row, col), NOT_ASSIGNED)


def build_matrix(row_keys: list, col_keys: list, states: dict) -> Matrix:
    """`states` maps (row, col) to a state; missing pairs are 未安排 and count nowhere."""
    from collections import Counter

    m = Matrix(row_keys, col_keys, cells=dict(states))
    rows = {r: Counter() for r in row_keys}
    cols = {c: Counter() for c in col_keys}
    for (r, c), state in states.items():  # ~4,000 cells for a county: plain counting, no objects
        if r in rows and c in cols:
            rows[r][state] += 1
            cols[c][state] += 1
    m.rows = {r: Tally.of(n) for r, n in rows.items()}
    m.cols = {c: Tally.of(n) for c, n in cols.items()}
    m.total = Tally.of(sum(cols.values(), Counter()))
    return m


@dataclass
class Coverage:
    """People trained / people on the roster, for one role and one module (the duty's figure)."""

    role: str
    module_key: str
    module_title: str
    trained: int
    on_roster: int

    @property
    def percent(self) -> int:
        return percent(self.trained, self.on_roster)


def coverage_rows(roster: dict[str, int], modules: list[tuple[str, str, tuple[str, ...]]],
                  trained: dict[tuple[str, str], int]) -> list[Coverage]:
    """One row per (module, role the module is for): `roster` counts active people per role,
    `modules` is (key, title, audience roles), `trained` counts completed people per (key, role)."""
    rows = []
    for key, title, audience in modules:
        for role in (SUPERVISOR, DIRECTOR):
            if role in audience:
                rows.append(Coverage(role, key, title, trained.get((key, role), 0), roster.get(role, 0)))
    return rows
