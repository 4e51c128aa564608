"""督办's pure rules: the escalation ladder (三色督查单) and the Chinese messages, no Flask, no database.

The ladder, for one duty instance and the deadline in force (an approved 延期 starts it again):

* 提醒 (blue): the deadline is at most `remind_days` working days away (and not yet passed);
* 督办通知单 (orange): the deadline has passed; it sets a new deadline `order_days` working days ahead;
* 红色督办单 (red): still not done `red_days` working days after the 督办通知单; copied to the unit's
  分管领导, with a new deadline again.

Each step is taken at most once per instance and deadline (`step_key`); the caller stores it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.core.labels import zh_date
from portal.workdays import add_working_days, working_days_between

URGE, BLUE, ORANGE, RED = "urge", "blue", "orange", "red"
LADDER = (BLUE, ORANGE, RED)

LEVEL_LABELS = {URGE: "催办", BLUE: "提醒", ORANGE: "督办通知单", RED: "红色督办单"}
# The colour word beside the label (the 三色督查单's colours).
LEVEL_COLOURS = {URGE: "", BLUE: "蓝色", ORANGE: "橙色", RED: "红色"}
# The printed document's title per level.
DOCUMENT_TITLES = {URGE: "催办通知", BLUE: "工作提醒单", ORANGE: "督办通知单", RED: "红色督办单"}
TOPIC_LABELS = {"duty": "任务", "unit": "单位任务", "report": "月度进展报告", "training": "培训"}
ACK_KIND_LABELS = {"duty": "新任务", "instruction": "领导批示", "urge": "催办督办"}


@dataclass(frozen=True)
class Thresholds:
    remind_days: int = 3
    order_days: int = 5
    red_days: int = 5


@dataclass(frozen=True)
class Step:
    level: str
    reply_by: date | None  # the new deadline a 督办通知单 or 红色督办单 sets


def step_key(level: str, instance_id: int, deadline: date) -> str:
    """What makes a ladder step unique: the level, the instance and the deadline it was taken for."""
    return f"{level}:{instance_id}:{deadline.isoformat()}"


def next_step(deadline: date, today: date, taken: dict[str, date], t: Thresholds) -> Step | None:
    """The step due today for an open duty with this deadline, given the steps already taken for it
    (level -> the day it was taken); None when nothing is due."""
    if today <= deadline:
        if BLUE not in taken and working_days_between(today, deadline) <= t.remind_days:
            return Step(BLUE, None)
        return None
    if ORANGE not in taken:
        return Step(ORANGE, add_working_days(today, t.order_days))
    if RED not in taken and working_days_between(taken[ORANGE], today) >= t.red_days:
        return Step(RED, add_working_days(today, t.order_days))
    return None


def level_label(level: str) -> str:
    colour = LEVEL_COLOURS.get(level, "")
    label = LEVEL_LABELS.get(level, "")
    return f"{label}（{colour}）" if colour and level != RED else label


@dataclass(frozen=True)
class Facts:
    """What a message names: the unit, the matter, its deadline and where to open it."""

    unit: str
    matter: str                 # 「落实……」任务, 2026年11月月度进展报告, 培训「……」
    deadline: date | None
    link: str
    overdue_items: int = 0      # a unit's whole board: how many duties are late


def urge_text(f: Facts, today: date) -> tuple[str, str]:
    """The prefilled 催办 (subject, body) the office may edit before sending."""
    if f.deadline is None:
        when = ""
    elif f.deadline < today:
        when = f"完成时限为{zh_date(f.deadline)}，已逾期{(today - f.deadline).days}天，"
    else:
        when = f"完成时限为{zh_date(f.deadline)}，"
    count = f"（逾期{f.overdue_items}项）" if f.overdue_items else ""
    body = (f"{f.unit}：\n你单位负责的{f.matter}{count}{when}目前尚未完成。请抓紧办理，收到后在门户中签收，"
            f"并回复办理情况和预计完成时间。\n查看详情：{f.link}")
    return f"催办：{f.unit}{f.matter}", body


def step_text(level: str, f: Facts, today: date, reply_by: date | None, copy_to: str = "",
              working_days_left: int = 0) -> tuple[str, str]:
    """The (subject, body) of a ladder step."""
    due = zh_date(f.deadline) if f.deadline else ""
    if level == BLUE:
        return (f"提醒：{f.matter}将于{due}到期",
                f"{f.unit}：\n你单位负责的{f.matter}完成时限为{due}，距今还有{working_days_left}个工作日。"
                f"请按时完成，并在门户中签收本提醒。\n查看详情：{f.link}")
    late = (today - f.deadline).days if f.deadline else 0
    ask = f"请于{zh_date(reply_by)}前办结，并在门户中签收、回复办理情况。" if reply_by else ""
    if level == ORANGE:
        return (f"督办通知：{f.matter}已逾期",
                f"{f.unit}：\n你单位负责的{f.matter}完成时限为{due}，至{zh_date(today)}已逾期{late}天，尚未办结。"
                f"现予督办，{ask}\n查看详情：{f.link}")
    copied = f"，并抄送你单位分管领导{copy_to}" if copy_to else ""
    return (f"红色督办：{f.matter}逾期未办结",
            f"{f.unit}：\n你单位负责的{f.matter}完成时限为{due}，经督办通知后至{zh_date(today)}仍未办结"
            f"（已逾期{late}天）。现予红色督办{copied}。{ask}\n查看详情：{f.link}")


def fill(template: str, f: Facts) -> str:
    """A message written once for several units: 〔单位〕〔事项〕〔时限〕〔链接〕 replaced per unit."""
    return (template.replace("〔单位〕", f.unit).replace("〔事项〕", f.matter)
            .replace("〔时限〕", zh_date(f.deadline) if f.deadline else "（无）").replace("〔链接〕", f.link))


def waiting_days(since: date, today: date) -> int:
    return max(0, (today - since).days)
