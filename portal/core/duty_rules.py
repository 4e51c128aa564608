"""Pure rules for duties: states, progress, warning lights. Plain values in, plain values out."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

NOT_STARTED, IN_PROGRESS, BLOCKED, REQUESTED, CLOSED = "not_started", "in_progress", "blocked", "requested", "closed"
STATE_LABELS = {
    NOT_STARTED: "未启动",
    IN_PROGRESS: "推进中",
    BLOCKED: "受阻",
    REQUESTED: "申请销号",
    CLOSED: "已销号",
}
OPEN_STATES = (NOT_STARTED, IN_PROGRESS, BLOCKED)

# What a duty's notes record: plain notes, and one kind per state change or decision.
NOTE, NOTE_REQUEST_CLOSE, NOTE_RETURNED, NOTE_CLOSED = "note", "request_close", "returned", "closed"
NOTE_BLOCKED, NOTE_UNBLOCKED, NOTE_EXTENSION = "blocked", "unblocked", "extension"
NOTE_INSTRUCTION = "instruction"  # a leader's 批示 (written by portal/board)
NOTE_KIND_LABELS = {
    NOTE: "工作记录",
    NOTE_REQUEST_CLOSE: "申请销号",
    NOTE_RETURNED: "退回",
    NOTE_CLOSED: "销号",
    NOTE_BLOCKED: "受阻",
    NOTE_UNBLOCKED: "恢复",
    NOTE_EXTENSION: "延期",
    NOTE_INSTRUCTION: "领导批示",
}

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
EXTENSION_LABELS = {PENDING: "待审批", APPROVED: "已批准", REJECTED: "未批准"}

GREEN, BLUE, YELLOW, RED, GREY = "green", "blue", "yellow", "red", "grey"
# grey is a closed duty: the state's own word (已销号), so the home page and the board say it alike
LIGHT_LABELS = {GREEN: "正常", BLUE: "临近", YELLOW: "预警", RED: "逾期", GREY: STATE_LABELS[CLOSED]}
LIGHT_ORDER = {RED: 0, YELLOW: 1, BLUE: 2, GREEN: 3, GREY: 4}
BLUE_DAYS = 30
YELLOW_DAYS = 7

SCHEDULE_LABELS = {"behind": "欠进度", "on": "达进度", "ahead": "超进度"}


def progress(done: int, total: int, state: str) -> int:
    """Checklist share done; without a checklist, what the state implies."""
    if state == CLOSED:
        return 100
    if total:
        return round(100 * done / total)
    return {REQUESTED: 100, IN_PROGRESS: 50, BLOCKED: 50}.get(state, 0)


def expected_progress(start: date | None, deadline: date | None, today: date) -> int | None:
    """Share of the time from start to deadline already elapsed (None without both dates)."""
    if start is None or deadline is None or deadline <= start:
        return None
    share = (today - start).days / (deadline - start).days
    return max(0, min(100, round(100 * share)))


def schedule(progress_pct: int, start: date | None, deadline: date | None, today: date) -> str | None:
    expected = expected_progress(start, deadline, today)
    if expected is None:
        return None
    if progress_pct < expected:
        return "behind"
    return "ahead" if progress_pct > expected + 10 else "on"


@dataclass(frozen=True)
class LightInput:
    state: str
    deadline: date | None
    start: date | None
    progress: int


def light(item: LightInput, today: date) -> str:
    """green on track, blue ≤30 days left, yellow ≤7 days or behind schedule, red overdue, grey closed."""
    if item.state == CLOSED:
        return GREY
    if item.deadline is None:
        return GREEN
    if today > item.deadline:
        return RED  # overdue stays red until the office verifies the close
    days_left = (item.deadline - today).days
    if item.state == REQUESTED:
        return GREEN  # reported done in time, waiting for verification
    if days_left <= YELLOW_DAYS or schedule(item.progress, item.start, item.deadline, today) == "behind":
        return YELLOW
    if days_left <= BLUE_DAYS:
        return BLUE
    return GREEN


def close_request_problem(all_items_done: bool, has_record: bool, reason: str) -> str | None:
    """销号 needs every checklist item ticked and a note or evidence — or a stated reason."""
    if reason.strip():
        return None
    if not all_items_done:
        return "清单事项尚未全部完成；如确需申请销号，请填写理由。"
    if not has_record:
        return "申请销号前请至少添加一条工作记录或上传一份佐证材料，或填写理由。"
    return None


# Which state changes are allowed from where.
TRANSITIONS = {
    "start": ({NOT_STARTED}, IN_PROGRESS),
    "block": ({NOT_STARTED, IN_PROGRESS}, BLOCKED),
    "unblock": ({BLOCKED}, IN_PROGRESS),
    "request_close": ({NOT_STARTED, IN_PROGRESS, BLOCKED}, REQUESTED),
    "close": ({REQUESTED}, CLOSED),
    "return": ({REQUESTED}, IN_PROGRESS),
}


def next_state(current: str, action: str) -> str | None:
    allowed, target = TRANSITIONS[action]
    return target if current in allowed else None


# Work on a duty that is not a state change, and the states that allow it.
TICK, EXTEND = "tick", "extend"
WORK = {
    TICK: frozenset(OPEN_STATES),  # the checklist freezes once 销号 is requested
    EXTEND: frozenset(STATE_LABELS) - {CLOSED},
}


def allows(state: str, action: str) -> bool:
    """Whether a duty in `state` allows `action` (a transition name, or TICK / EXTEND).

    Templates ask this (as `rules.allows(inst.state, 'block')`) instead of testing state names."""
    if action in WORK:
        return state in WORK[action]
    return next_state(state, action) is not None


def extendable(state: str, deadline) -> bool:
    """Whether a 延期 may be asked: an open duty with a dated deadline (a 长期 duty has none to move)."""
    return allows(state, EXTEND) and deadline is not None


def allowed_actions(state: str) -> frozenset[str]:
    return frozenset(a for a in (*TRANSITIONS, *WORK) if allows(state, a))


def reason_label(state: str) -> str:
    """What `state_reason` means in this state: why it was returned, or why it is blocked."""
    return "退回理由" if state == IN_PROGRESS else "受阻原因"


@dataclass(frozen=True)
class Assessment:
    """What a board shows for one duty instance, from plain values."""

    progress: int
    light: str
    schedule: str | None


ASSESS_CACHE = 1 << 16  # distinct (state, dates, counts, day) remembered: a 台账 of thousands re-read each request


@functools.lru_cache(maxsize=ASSESS_CACHE)
def assess(state: str, deadline: date | None, start: date | None, done: int, total: int, today: date) -> Assessment:
    """Progress, warning light and schedule of one instance (checklist counts, dates, state). Pure and
    its answer immutable, so answers are remembered: the 台账 and the board assess every visible instance
    on every request, and between two requests almost none of the inputs change."""
    pct = progress(done, total, state)
    lit = light(LightInput(state, deadline, start, pct), today)
    sched = schedule(pct, start, deadline, today) if state in OPEN_STATES else None
    return Assessment(pct, lit, sched)


FAR_DATE = date(9999, 12, 31)
SORTS = ("light", "deadline", "progress", "unit", "plan")


def sort_key(sort: str, light_code: str, deadline: date | None, progress_pct: int, position: int,
             unit_order: int) -> tuple:
    """The 台账's order: by light (default), deadline, progress, unit or plan position."""
    if sort == "deadline":
        return (deadline or FAR_DATE, position)
    if sort == "progress":
        return (progress_pct, position)
    if sort == "unit":
        return (unit_order, position)
    if sort == "plan":
        return (position, unit_order)
    return (LIGHT_ORDER[light_code], deadline or FAR_DATE, position)


# ---- recurring work: a `periodic` duty's periods --------------------------------------------------
# The instance is the current period (its deadline the period's end; ticks, evidence, 销号 and lights
# as for any duty); when the period is over it is kept as a `DutyPeriod` row and the instance starts
# the next one (portal/duties/periods.py).

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "halfyearly": 6, "yearly": 12}
PERIOD_LABELS = {"monthly": "每月", "quarterly": "每季度", "halfyearly": "每半年", "yearly": "每年"}
_PERIOD_WORDS = re.compile(r"每(月|季度|半年|年)(?!度)")


def period_named(words: str) -> str | None:
    """The period a dateless 完成时限 names: 「每年」 (a plan's 「每年选拔…」) → yearly, 「定期（每季度）」 →
    quarterly, 「每半年」 → halfyearly; None for any other words (长期)."""
    m = _PERIOD_WORDS.search(words or "")
    return next((k for k, label in PERIOD_LABELS.items() if label == m.group(0)), None) if m else None


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the `kind` period (monthly, quarterly, halfyearly, yearly) holding `day`."""
    months = PERIOD_MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months  # the month after the period
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end - timedelta(days=1)


def period_label(kind: str, start: date) -> str:
    """2026年11月 / 2026年第4季度 / 2026年下半年 / 2026年度."""
    if kind == "monthly":
        return f"{start.year}年{start.month}月"
    if kind == "quarterly":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if kind == "halfyearly":
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    return f"{start.year}年度"


def period_over(kind: str, period_start: date, deadline: date | None, state: str, today: date) -> bool:
    """Whether the current period gives way to the next: its last day has passed and it is either
    verified closed or past its deadline too (an approved 延期 keeps the period open until then)."""
    end = period_bounds(kind, period_start)[1]
    if today <= end:
        return False
    return state == CLOSED or deadline is None or today > deadline


# ---- long-term (长期) duties: a check-in each period the office sets ---------------------------------

CHECKIN_DONE, CHECKIN_DUE, CHECKIN_MISSED = "done", "due", "missed"
CHECKIN_DAYS = 7  # the last days of a period in which a missing check-in is called for


@dataclass(frozen=True)
class Checkin:
    status: str
    starts: date
    ends: date


def checkin(kind: str, last_activity: date | None, today: date) -> Checkin:
    """A long-term duty's check-in for the office's rhythm `kind`: done when the unit recorded work
    (a note, tick or file) in the current period; missed when the whole previous period had none;
    else due (by the period's last day)."""
    starts, ends = period_bounds(kind, today)
    previous_start = period_bounds(kind, starts - timedelta(days=1))[0]
    if last_activity is not None and last_activity >= starts:
        return Checkin(CHECKIN_DONE, starts, ends)
    if last_activity is None or last_activity < previous_start:
        return Checkin(CHECKIN_MISSED, starts, ends)
    return Checkin(CHECKIN_DUE, starts, ends)
