"""Item statistics of a question bank (pure: no Flask, no database).

Facility is the share of attempts that answered a question exactly right. Discrimination is the
upper–lower index: attempts that drew the question are ranked by their score on the *other* questions
they drew (so the item does not correlate with itself); the share right among the top 27% minus the
share right among the bottom 27%. Near +1 the question separates strong from weak attempts; at 0 or
below it does not (the strong get it wrong as often as the weak: a slip in the question or its key).
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_ATTEMPTS = 5  # below this, no flag: too few answers to judge a question
HARD = 0.5  # facility below this: most attempts got it wrong
GROUP = 0.27  # the upper and lower groups of the upper–lower index


@dataclass(frozen=True)
class ItemStat:
    question: int  # the question's number in the module file
    attempts: int
    right: int
    facility: float | None
    discrimination: float | None

    @property
    def flags(self) -> list[str]:
        if self.attempts < MIN_ATTEMPTS or self.facility is None:
            return []
        out = []
        if self.facility < HARD:
            out.append("多数人答错，请复核题目和答案")
        if self.discrimination is not None and self.discrimination < 0:
            out.append("成绩好的人反而答错更多，请复核答案")
        return out


def item_stats(questions: list[int], attempts: list[dict[int, bool]]) -> list[ItemStat]:
    """`attempts`: per attempt, question number -> answered exactly right (only the questions it drew)."""
    return [_one(q, attempts) for q in questions]


def _one(q: int, attempts: list[dict[int, bool]]) -> ItemStat:
    drew = [a for a in attempts if q in a]
    right = sum(1 for a in drew if a[q])
    if not drew:
        return ItemStat(q, 0, 0, None, None)
    return ItemStat(q, len(drew), right, right / len(drew), _discrimination(q, drew))


def _discrimination(q: int, drew: list[dict[int, bool]]) -> float | None:
    rest = [(_rest_score(q, a), a[q]) for a in drew]
    size = max(1, round(len(rest) * GROUP))
    if len(rest) < 2 * size or len(rest) < 2:
        return None
    rest.sort(key=lambda pair: pair[0])
    low, high = rest[:size], rest[-size:]
    if low[-1][0] == high[0][0] and all(s == low[0][0] for s, _ in rest):
        return None  # every attempt scored the same on the rest: nothing to rank by
    return sum(r for _, r in high) / size - sum(r for _, r in low) / size


def _rest_score(q: int, attempt: dict[int, bool]) -> float:
    others = [ok for n, ok in attempt.items() if n != q]
    return sum(others) / len(others) if others else 0.0
