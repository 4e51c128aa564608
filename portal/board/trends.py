"""Trend charts from the daily snapshots (pure geometry: points in, SVG coordinates out).

A unit's or a county's page shows, on a few sampled days from its first snapshot to today, the
average progress, the share closed (已销号) and the share red (逾期), as lines on a 0–100% axis —
drawn server-side as SVG like the board's other charts (`templates/board/_trend.html`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 10, 28  # room for the axis labels
POINTS = 12
SERIES = (("avg_progress", "平均进度"), ("pct_closed", "已销号占比"), ("pct_red", "逾期占比"))


def sample_days(first: date | None, last: date, points: int = POINTS) -> list[date]:
    """`points` days evenly spread from the first snapshot to `last` (fewer when the span is short)."""
    if first is None or first > last:
        return []
    span = (last - first).days
    if span < points:
        return [first + timedelta(days=n) for n in range(span + 1)]
    return sorted({first + timedelta(days=round(span * n / (points - 1))) for n in range(points)})


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: str             # "x,y x,y …" for <polyline>
    dots: list[tuple[int, int, int]]  # (x, y, value) for <circle> and its <title>
    last: int | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[int, date]]  # (x, day) for the first, middle and last sample
    y_ticks: list[tuple[int, int]]    # (y, percent)
    empty: bool


def x_of(day: date, first: date, last: date) -> int:
    span = max(1, (last - first).days)
    return LEFT + round((WIDTH - LEFT - RIGHT) * (day - first).days / span)


def y_of(pct: int) -> int:
    pct = max(0, min(100, pct))
    return TOP + round((HEIGHT - TOP - BOTTOM) * (100 - pct) / 100)


def chart(points: Sequence) -> Chart:
    """Points (`snapshots.TrendPoint`, oldest first) as a chart of the three percentages."""
    ticks = [(y_of(p), p) for p in (0, 50, 100)]
    if not points:
        return Chart(WIDTH, HEIGHT, [], [], ticks, True)
    first, last = points[0].day, points[-1].day
    series = []
    for key, label in SERIES:
        values = [(x_of(p.day, first, last), y_of(_value(p, key)), _value(p, key)) for p in points]
        series.append(Series(key, label, " ".join(f"{x},{y}" for x, y, _ in values), values, values[-1][2]))
    days = [points[0].day, points[len(points) // 2].day, points[-1].day]
    labels = [(x_of(d, first, last), d) for d in dict.fromkeys(days)]
    return Chart(WIDTH, HEIGHT, series, labels, ticks, False)


def _value(point, key: str) -> int:
    if key == "pct_red":
        return round(100 * point.red / point.total) if point.total else 0
    return getattr(point, key)
