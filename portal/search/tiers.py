"""One order for a query matching many clauses, whose first pages need only its best few.

Ranking every clause a common word matches (民政, 监护人 未成年人: thousands at 20,000 articles)
in Python costs more than a substring scan. So such a query's order has two tiers:

* the **head**: the first ``HEAD`` of each lookup — the word index's best BM25 matches (positions
  indexed, so BM25 sees how often a word occurs) for all of the words, then for each word, the
  rarer first, until the head holds ``HEAD`` word matches; the first clauses holding the whole
  query, its runs, windows, citations and 文号 — ranked on their text (``Ranker.key``);
* the **rest**: every other match (the same lookups as ranking everything: ``Ranker.everything``
  or the bounded ``Ranker.candidates``), ranked the same way.

The order is (how much of the whole query a clause holds, tier, key): a clause holding the query
as typed still comes before one that does not, as in a substring scan; among equals the head
comes first. Page N is a slice of that one order. It is read from the head alone while the head
holds enough rows that nothing of the rest can come before them — the head's clauses holding
the whole query, or all of the head when every clause holding it is in the head; a deeper page
ranks the rest too (the engine keeps the whole order for the next pages).

The total never depends on how far the order was ranked: the clauses matching a word (a count
in the word index — every one holds a query word) plus the clauses holding something else the
query asks for (the whole query's matches outside the word index, and the head's), so page 1
and the last page say the same number. Above ``EXACT_COUNT`` postings it is estimated. Copies of
one text in several documents are one row (``copies``), counted once: the total less the copies
folded in; the head holds every copy of its texts (``Ranker.same_text``), so page 1 and a deeper page
group them alike.
"""
from __future__ import annotations

from portal.search.copies import merged
from portal.search.limits import CANDIDATES, EXACT_COUNT, MATCHED, PASTED, RANK_CAP, RARE_DF

Order = tuple[int, bool, list, bool]   # (total, estimated, rows, whether rows is the whole order)

HEAD = 100         # best matches of each lookup in the head tier (the first pages)
OTHER_CAP = 400    # clauses holding the whole query outside the word index checked for the total


def _text(expr: str) -> str:
    """A word-index query over titles and texts (not the 文号 keys)."""
    return "{title body} : (" + expr + ")" if expr else ""


class Tiers:
    def __init__(self, ranker, everything: set[int] | None):  # ranker: a rank.Ranker (not imported: no circle)
        self.r, self.everything = ranker, everything

    def run(self, depth: int) -> Order | None:
        """The query's order (or its first ``depth`` rows); None when it is to be ranked whole
        (a pasted fragment, no query words, many clauses holding it outside the word index)."""
        r, plan = self.r, self.r.plan
        if not plan.concepts:
            return None
        whole = self._whole_matches()
        if plan.whole and len(plan.whole) >= PASTED and whole:
            return None  # a pasted fragment: ranked whole, as its lookups are few
        head_ids = self._head(whole)
        head = r._ranked(r.fetch(head_ids))
        copied = r.same_text(head) - head_ids  # other documents' copies of the head's texts: the head's too,
        if copied:                             # so a page read from the head lists them under their hit
            head_ids |= copied
            head = sorted(head + r._ranked(r.fetch(copied)), key=lambda x: x.key)
        total = self._total(head, head_ids, whole)
        if total is None:
            return None
        count, estimated, other = total
        head = r.collapse(head)   # one text several documents hold: one row (``copies``)
        reach = len(head) if (not plan.whole or self.whole_in_head) else sum(1 for x in head if x.key[0] == -2)
        if depth <= reach:
            return max(len(head), count - merged(head)), estimated, head[:depth], False
        rest_ids = (self.everything if self.everything is not None else r.candidates(depth)) - head_ids
        other_ids = {x.id for x in other}
        rest = r._ranked(r.fetch(rest_ids - other_ids)) + [x for x in other if x.id in rest_ids]
        order = sorted([(x.key[0], 0, x.key, x) for x in head] + [(x.key[0], 1, x.key, x) for x in rest])
        rows = r.collapse([t[3] for t in order])
        return max(len(rows), count - merged(rows)), estimated, rows, True

    def _whole_matches(self) -> set[int]:
        """Clauses that may hold the whole query (all of them when ``complete_whole``)."""
        r, text = self.r, self.r.plan.whole
        self.complete_whole = True
        if not text:
            return set()
        found, self.complete_whole = r.whole_matches(text)
        return found

    def _head(self, whole: set[int]) -> set[int]:
        r, plan = self.r, self.r.plan
        ids = set(sorted(whole)[:HEAD])
        self.whole_in_head = self.complete_whole and len(whole) <= HEAD
        ids |= r._fragments()
        ids |= r._pointed()
        concepts = sorted(plan.concepts, key=lambda c: c.df)
        every, rare_best = set(), set()
        if len(concepts) > 1:  # clauses holding every word rank above those holding some
            every = r._words(_text(plan.words_fts(require_all=True)), HEAD, ranked=concepts[0].df <= RANK_CAP)
            rare = [c for c in concepts if c.df <= RARE_DF]
            if rare:
                rare_best = r._words(_text(plan.words_fts(concepts=rare)), CANDIDATES)
        some = set(every)
        for c in concepts:  # then clauses holding some of them, the rarer words' best first
            if len(some) >= HEAD:
                break
            some |= r._words(_text(c.fts()), HEAD, ranked=c.df <= RANK_CAP)
        if len(concepts) > 2:  # a question's answer often lacks one of its words (发现, 处理): the best holding most
            some |= r._words(_text(plan.words_fts()), CANDIDATES, ranked=sum(c.df for c in concepts) <= RANK_CAP)
        own = r.own_matches(_text(plan.words_fts()), HEAD)  # the 方案's best: its bonus may lift them onto page 1
        self.word_rows = some | rare_best | own  # each holds a query word in its title or text (a word match)
        return ids | self.word_rows

    def _total(self, head: list, head_ids: set[int], whole: set[int]) -> tuple[int, bool, list] | None:
        """(total, estimated, the ranked clauses holding the whole query outside the word index
        and the head); None when those are too many to check (the query is ranked whole)."""
        r, plan = self.r, self.r.plan
        upper = sum(c.df for c in plan.concepts)
        if upper > EXACT_COUNT:
            extra = sum(1 for x in head if x.key[MATCHED] == 0)
            n, missing = plan.clauses, 1.0
            for c in plan.concepts:
                missing *= max(0.0, 1 - min(c.df, n) / n)
            estimate = int(n * (1 - missing))
            if r.flt.active:
                estimate = max(sum(1 for x in head if x.key[MATCHED] < 0), estimate // 4)
            return max(estimate + extra, len(head)), True, []
        count, words = r.word_matches((head_ids - self.word_rows) | whole)
        outside = whole - head_ids - words
        if len(outside) > OTHER_CAP:
            return None
        other = r._ranked(r.fetch(outside))
        return count + len({x.id for x in head + other} - self.word_rows - words), False, other
