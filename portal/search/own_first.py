"""The office's own text on the first screen.

The portal is a 运城 office's: its own plans (the 方案, ``QueryPlan.own_docs``) are what its staff
work from. A topic the 方案 assigns (食品安全, 应急预案) is also the subject of whole national laws,
whose every article holds the word more often than the 方案's one paragraph does; ranked on the
text alone the 方案 falls to page 2 of a large library. So when none of the first ``FIRST_SCREEN``
results is the office's own, its best-ranked clause holding every word of the query takes the
last place of the first screen (the laws keep the places above it). Not for a pasted passage, a
citation or a 文号: those name what they look for; and never above a clause holding more of the
query as typed (a substring scan's order stays: ``WHOLE_KEYS``).
"""
from __future__ import annotations

from collections.abc import Callable

from portal.search.query_plan import QueryPlan
from portal.search.rows import Row

FIRST_SCREEN = 3
WHOLE_KEYS = 2   # the ranking key's first parts: the whole query as typed, then nearly (``rank.Ranker.key``)


def applies(plan: QueryPlan) -> bool:
    """Whether the query is one the office's own text is lifted for: words, not a pasted passage
    (``plan.near``: a long query read as a passage), a citation, a 文号 or a 《title》."""
    return bool(plan.own_docs and plan.concepts) and not (plan.citations or plan.wenhao or plan.numbered_docs
                                                         or plan.titled_docs or plan.near)


def lift(rows: list[Row], plan: QueryPlan, holds_every_word: Callable[[Row], bool]) -> list[Row]:
    """``rows`` (one order) with the office's best clause holding every query word moved up to the
    first screen's last place, when the first screen holds none of its documents."""
    if len(rows) <= FIRST_SCREEN or not applies(plan):
        return rows
    if any(r.doc in plan.own_docs for r in rows[:FIRST_SCREEN]):
        return rows
    floor = rows[FIRST_SCREEN - 1].key[:WHOLE_KEYS]
    for i in range(FIRST_SCREEN, len(rows)):
        r = rows[i]
        if r.key[:WHOLE_KEYS] > floor:
            break
        if r.doc in plan.own_docs and holds_every_word(r):
            return rows[:FIRST_SCREEN - 1] + [r] + rows[FIRST_SCREEN - 1:i] + rows[i + 1:]
    return rows
