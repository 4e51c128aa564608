"""考核: a unit's score from what the portal knows (pure: plain facts and weights in, numbers out).

Each measure becomes a part between 0 and 1; the score is the weighted mean of the parts that apply,
times 100. A part that does not apply to a unit (no 销号 asked this year, no monthly report due, no
trainees in its county, no 催办 to sign this year) is left out and the other weights share its place, so
a unit is neither rewarded nor punished for what it was never asked to do. `FORMULA` and
`formula_lines` write the same rule in Chinese for the page.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from portal.core import duty_rules

ON_TIME, OVERDUE, RETURNS, REPORTS, TRAINING, SIGNOFF = "on_time", "overdue", "returns", "reports", "training", "signoff"
MEASURES = (ON_TIME, OVERDUE, RETURNS, REPORTS, TRAINING, SIGNOFF)
MEASURE_LABELS = {
    ON_TIME: "按时完成率",
    OVERDUE: "逾期天数",
    RETURNS: "销号退回",
    REPORTS: "月度报告按时报送",
    TRAINING: "培训覆盖率",
    SIGNOFF: "签收及时性",
}
MEASURE_RULES = {
    ON_TIME: "已到期或已销号的有时限任务中，在完成时限当日或之前销号的比例",
    OVERDUE: "1 − 尚未销号的逾期任务平均逾期天数 ÷ 封顶天数（达到封顶天数记 0；没有逾期任务记满分）",
    RETURNS: "1 − 本年度销号申请被退回次数 ÷ 本年度申请销号次数（本年度未申请销号不计此项）",
    REPORTS: "本年度已到报送日的月份中，在报送日当日或之前提交月度进展报告的比例（没有到期月份不计此项）",
    TRAINING: "所在县（市、区）培训安排已完成的比例（市级单位和没有培训安排的县不计此项）",
    SIGNOFF: "1 − 本年度催办和督办单从发出到签收的平均用时 ÷ 封顶小时数（发出已满封顶小时数仍未签收的按封顶小时数计；"
             "本年度没有需计分的催办不计此项）",
}
FORMULA = "得分 = 100 × Σ（各项得分率 × 该项权重）÷ Σ（参与计分各项的权重）"


@dataclass(frozen=True)
class Facts:
    """What the portal knows about one unit's work."""

    dated: int = 0             # duties with a deadline that has passed, or closed with a deadline
    on_time: int = 0           # of them, closed on or before the deadline
    overdue: int = 0           # open duties past their deadline
    overdue_days: int = 0      # their days past the deadline, summed
    close_requests: int = 0    # 销号 asked this year
    returns: int = 0           # of them returned
    reports_due: int = 0       # months this year past their reporting day
    reports_on_time: int = 0   # of them, submitted by that day
    training_pct: int | None = None  # the county's training coverage (None: none assigned / city level)
    signoff_hours: float | None = None  # average hours from a 催办 or 督办单 to its 签收 (None: none judged)


@dataclass(frozen=True)
class Weights:
    on_time: int = 30
    overdue: int = 25
    returns: int = 15
    reports: int = 15
    training: int = 15
    signoff: int = 0
    overdue_cap_days: int = 30
    signoff_cap_hours: int = 72  # 签收 this long or longer (or never) scores 0

    def of(self, measure: str) -> int:
        return getattr(self, measure)


def parts(f: Facts, w: Weights) -> dict[str, float | None]:
    """Each measure as a share between 0 and 1, or None where it does not apply."""
    cap = max(1, w.overdue_cap_days)
    overdue = 1.0 if not f.overdue else max(0.0, 1 - min(f.overdue_days / f.overdue, cap) / cap)
    signoff = None
    if f.signoff_hours is not None:
        signoff = max(0.0, 1 - min(f.signoff_hours, w.signoff_cap_hours) / max(1, w.signoff_cap_hours))
    return {
        ON_TIME: f.on_time / f.dated if f.dated else None,
        OVERDUE: overdue,
        RETURNS: 1 - f.returns / f.close_requests if f.close_requests else None,
        REPORTS: f.reports_on_time / f.reports_due if f.reports_due else None,
        TRAINING: f.training_pct / 100 if f.training_pct is not None else None,
        SIGNOFF: signoff,
    }


def score(f: Facts, w: Weights) -> float | None:
    """The weighted mean of the applicable parts × 100, to one decimal; None when no weighted part applies."""
    got = parts(f, w)
    weight = sum(w.of(m) for m, p in got.items() if p is not None and w.of(m) > 0)
    if not weight:
        return None
    total = sum(p * w.of(m) for m, p in got.items() if p is not None and w.of(m) > 0)
    return round(100 * total / weight, 1)


def band(value: float | None, green_min: int, yellow_min: int) -> str:
    """红黄绿: green at or above `green_min`, yellow at or above `yellow_min`, else red; grey unscored."""
    if value is None:
        return duty_rules.GREY
    if value >= green_min:
        return duty_rules.GREEN
    return duty_rules.YELLOW if value >= yellow_min else duty_rules.RED


BAND_LABELS = {duty_rules.GREEN: "绿", duty_rules.YELLOW: "黄", duty_rules.RED: "红", duty_rules.GREY: "未评分"}


def ranks(scores: Mapping[str, float | None]) -> dict[str, int | None]:
    """Standard competition ranking (1, 2, 2, 4) by score, highest first; unscored units get None."""
    ordered = sorted((v for v in scores.values() if v is not None), reverse=True)
    first = {}
    for n, v in enumerate(ordered, start=1):
        first.setdefault(v, n)
    return {k: (first[v] if v is not None else None) for k, v in scores.items()}


def formula_lines(w: Weights, green_min: int, yellow_min: int) -> list[str]:
    """The rule in Chinese with the weights in force, for the page and the 通报."""
    lines = [FORMULA]
    for m in MEASURES:
        lines.append(f"{MEASURE_LABELS[m]}（权重 {w.of(m)}）：{MEASURE_RULES[m]}"
                     + (f"；封顶天数 {w.overdue_cap_days} 天" if m == OVERDUE else "")
                     + (f"；封顶 {w.signoff_cap_hours} 小时" if m == SIGNOFF else ""))
    lines.append(f"权重为 0 的项目不计分。得分 {green_min} 分及以上为绿，{yellow_min} 分及以上为黄，其余为红。")
    return lines


def weighted_measures(w: Weights) -> Sequence[str]:
    return [m for m in MEASURES if w.of(m) > 0]
