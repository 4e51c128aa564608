"""The one home of the training rules: roles, states, symbols, colours and roll-ups (no Flask, no DB).

Templates, exports and the API ask this module; none of them compares state strings itself.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

SUPERVISOR = "supervisor"  # 儿童督导员, township level
DIRECTOR = "director"  # 儿童主任, village level
POST_LABELS = {SUPERVISOR: "儿童督导员", DIRECTOR: "儿童主任"}
POST_BY_LABEL = {v: k for k, v in POST_LABELS.items()}

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

# Trained implies assigned: a completion (sign-in sheet, manual mark, quiz) of a module the person was
# not assigned records the assignment too (due the completion date), so every roll-up counts the same
# people: an active assignment of an active trainee for a module in use, done when a completion stands.
ASSIGNED_BY_COMPLETION = "已完成，随之记为已安排"
ENDED_WITH_COMPLETION = "完成记录已更正，随之取消因完成而记的安排"

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
    return cell_state(assigned, due is not None and due < today, completed, started)


def cell_state(assigned: bool, late: bool, completed: bool, started: bool) -> str:
    """`state_of` with "past its due date" already decided (the matrix asks the database for it)."""
    if completed:
        return COMPLETED
    if not assigned:
        return NOT_ASSIGNED
    if late:
        return OVERDUE
    return IN_PROGRESS if started else NOT_STARTED


LATE_NOTE = "逾期完成"


def completed_late(state: str, due: date | None, completed_on: date | None) -> bool:
    """Completed, but after the assignment's due date (the state stays 已完成: completed wins)."""
    return state == COMPLETED and due is not None and completed_on is not None and completed_on > due


def state_note(state: str, due: date | None, completed_on: date | None) -> str:
    """What the state's label adds for one trainee and module: 「逾期完成」 or nothing."""
    return LATE_NOTE if completed_late(state, due, completed_on) else ""


# The same rule for flags packed into one number (assigned 8, completed 4, past due 2, started 1),
# as the matrix query returns them.
STATE_BY_FLAGS = {f: cell_state(bool(f & 8), bool(f & 2), bool(f & 4), bool(f & 1)) for f in range(16)}


# A sign-in sheet may be made ahead of the day (printed and taken to the training); how far ahead.
SHEET_AHEAD = timedelta(days=366)


def sheet_open(held_on: date, today: date) -> bool:
    """Attendance is ticked from the training day on: a tick records a training that was held."""
    return held_on <= today


def sheet_date_problem(held_on: date, today: date) -> str | None:
    """Why a sign-in sheet cannot be made for this date, or None."""
    if held_on > today + SHEET_AHEAD:
        return "培训日期不能晚于一年以后，请检查年份。"
    return None


def due_problem(due: date, today: date) -> str | None:
    """Why a 完成时限 cannot be set, or None: a date already past would make people overdue at once."""
    if due < today:
        return (f"完成时限不能早于今天（{today.year}年{today.month}月{today.day}日）："
                "已过的时限会让安排的人员立即逾期，请检查日期。")
    return None


def post_label(role: str) -> str:
    return POST_LABELS.get(role, role)


def percent(part: int, whole: int) -> int:
    """Whole percent, rounded half up (2 of 3 is 67%) — the one rule for every training percentage
    (matrix, city roll-up, duty coverage, the board's headline, the sheets and the API). Two ends keep
    their meaning: 100% only when every one of them is done, 0% only when none is (199 of 200 is 99%,
    1 of 300 is 1%). Nothing to count (whole 0) is 0; pages show 「—」 for it (`percent_text`)."""
    if not whole:
        return 0
    rounded = (part * 200 + whole) // (2 * whole)
    if part < whole:
        rounded = min(rounded, 99)
    return max(rounded, 1) if part > 0 else rounded


NO_PERCENT = "—"  # shown instead of 「0/0 0%」 where nobody was assigned (title/aria: 未安排)


def percent_text(part: int, whole: int) -> str:
    """「67%」, or 「—」 when there is nothing to count."""
    return f"{percent(part, whole)}%" if whole else NO_PERCENT


def sheet_percent(part: int, whole: int) -> int | str:
    """A spreadsheet's 完成率(%) cell: the number, or 「—」 when there is nothing to count."""
    return percent(part, whole) if whole else NO_PERCENT


def phone_as_shown(phone: str, whole: bool) -> str:
    """A trainee's phone as a viewer sees it: whole where they may (`portal.training.scope.phones_shown`:
    the counties they manage), masked elsewhere — on every page and file that lists people."""
    return phone if whole else mask_phone(phone)


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell two people apart, not enough to call them."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


@dataclass(slots=True)
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
    """Trainees × modules: one state per cell, tallies per row and per column.

    `grid` holds each row's states in column order (what the page and the sheet print, a list per
    row rather than a dict entry per cell: a county has ~4,000 cells)."""

    row_keys: list
    col_keys: list
    grid: dict = field(default_factory=dict)  # row -> [state per column]
    rows: dict = field(default_factory=dict)  # row -> Tally
    cols: dict = field(default_factory=dict)  # col -> Tally
    total: Tally = field(default_factory=Tally)

    def state(self, row, col) -> str:
        states = self.grid.get(row)
        return states[self.col_keys.index(col)] if states is not None and col in self.col_keys else NOT_ASSIGNED


def empty_grid(row_keys: list, col_keys: list) -> dict:
    """Every cell 未安排: fill in the known states, then `matrix_of`."""
    blank = [NOT_ASSIGNED] * len(col_keys)
    return {r: blank.copy() for r in row_keys}


def build_matrix(row_keys: list, col_keys: list, states: dict) -> Matrix:
    """`states` maps (row, col) to a state; missing pairs are 未安排 and count nowhere."""
    grid = empty_grid(row_keys, col_keys)
    index = {c: i for i, c in enumerate(col_keys)}
    for (r, c), state in states.items():
        if r in grid and c in index:
            grid[r][index[c]] = state
    return matrix_of(row_keys, col_keys, grid)


def matrix_of(row_keys: list, col_keys: list, grid: dict) -> Matrix:
    """Tally a filled grid (row -> states in column order) by row, by column and in total."""
    rows = {r: Tally.of(Counter(grid[r])) for r in row_keys}
    columns = list(zip(*(grid[r] for r in row_keys), strict=True)) if row_keys else [() for _ in col_keys]
    cols = {c: Tally.of(Counter(states)) for c, states in zip(col_keys, columns, strict=True)}
    total = Tally()
    for t in cols.values():
        total.completed += t.completed
        total.overdue += t.overdue
        total.in_progress += t.in_progress
        total.not_started += t.not_started
        total.assigned += t.assigned
    return Matrix(row_keys, col_keys, grid, rows, cols, total)


@dataclass
class Coverage:
    """People trained / people on the roster, for one post and one module (the duty's figure)."""

    post: str
    module_key: str
    module_title: str
    trained: int
    on_roster: int

    @property
    def percent(self) -> int:
        return percent(self.trained, self.on_roster)


def coverage_rows(roster: dict[str, int], modules: list[tuple[str, str, tuple[str, ...]]],
                  trained: dict[tuple[str, str], int]) -> list[Coverage]:
    """One row per (module, post the module is for): `roster` counts active people per post,
    `modules` is (key, title, audience posts), `trained` counts completed people per (key, post)."""
    rows = []
    for key, title, audience in modules:
        for post in (SUPERVISOR, DIRECTOR):
            if post in audience:
                rows.append(Coverage(post, key, title, trained.get((key, post), 0), roster.get(post, 0)))
    return rows


# ---- tiers of courses (课程等级) ------------------------------------------------------------------
# How provinces run this training (上岗, then 初级, then 中级 courses): the office's 工作安排 — no shipped
# text defines the tiers; a course is put at one of them by the office.
ONBOARDING, JUNIOR, INTERMEDIATE = "onboarding", "junior", "intermediate"
TIERS = (ONBOARDING, JUNIOR, INTERMEDIATE)  # lowest first
TIER_LABELS = {ONBOARDING: "上岗", JUNIOR: "初级", INTERMEDIATE: "中级"}


def tier_reached(tiers) -> str | None:
    """A person's tier: the highest of the tiers of the courses whose certificate they hold (None: none)."""
    passed = set(tiers)
    held = [t for t in TIERS if t in passed]
    return held[-1] if held else None


def tier_label(tier: str | None) -> str:
    return TIER_LABELS.get(tier, "未取得") if tier else "未取得"
