"""Common-word queries for ``python -m bench search`` (issue 22: "very common words take 40–180 ms at
80,000 articles"; budget: their p95 ≤ 20 ms at 80,000 articles).

The queries a caseworker types that match a large part of the library: single very common words
and pairs of them. Two sources, so the list follows the corpus yet keeps what people really type:

* ``PICKED`` words chosen by document frequency in the bench's own corpus (``bench.corpus.word_df``,
  the counter the known items' rare words come from): the most frequent words of 2–4 Chinese
  characters, leaving out stop words (they are searched as typed, not as words), article numbers
  (一百, 第二十, 四条: pieces of 第一百二十四条) and a piece only ever seen inside a longer word of the
  same count (未成 in 未成年);
* ``TYPED``: words and pairs from this library's vocabulary as caseworkers type them (规定, a
  stop word, is searched as an exact string).

Each is timed as the other rows are (``SearchEngine.search``, page 1 of 10, highlighting included)
over ``ROUNDS`` rounds, two ways, beside the substring scan of the same queries:

* **as served**: the engine as a worker holds it — its warm-up of the library's most common words
  done (``SearchEngine.wait_warm``), the lookups' answers kept (``portal/search/memo.py``), the
  pages' orders dropped before each query (a new query, not a next page). The first round is the
  first asking of each query in this run (a pair of words is looked up then), the others repeat it;
* **nothing kept**: every kept answer dropped before each query (``forget_orders(lookups=True)``):
  a word asked for the first time before any warm-up — the cost the memo and the warm-up save. The first page is checked against ranking *every* clause the query matches with the same
ranking rules (what an unbounded engine would show) and the total against that count.
"""
from __future__ import annotations

import re
import time
from collections import Counter

PICKED = 16
ROUNDS = 3
TYPED = ["监护", "儿童", "未成年人", "民政部门", "人民政府", "规定", "保护", "救助", "社会", "家庭",
         "监护人 责任", "未成年人 保护", "儿童 福利", "民政部门 救助", "家庭 教育", "社会 救助",
         "学校 未成年人", "人民政府 民政部门"]
NUMBERED = re.compile(r"^第?[一二三四五六七八九十百千零〇两]+[条款项章节编]?$|^[一二三四五六七八九十百千零〇两]+[条款项章节编]$")
CJK = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def common_words(df: Counter, picked: int = PICKED) -> list[str]:
    """The ``picked`` most frequent words of the corpus (see the module's note), then ``TYPED``."""
    from portal.search.query import STOPWORDS

    cands = [(n, w) for w, n in df.items() if CJK.match(w) and w not in STOPWORDS and not NUMBERED.match(w)]
    cands.sort(key=lambda x: (-x[0], x[1]))
    top = [w for _, w in cands[:picked * 3]]
    out: list[str] = []
    for n, w in cands[:picked * 3]:
        if any(w != o and w in o and df[o] == n for o in top):  # only ever inside a longer word
            continue
        out.append(w)
        if len(out) == picked:
            break
    return out + [q for q in TYPED if q not in out]


def _timed(fn, q: str, cpu: list | None = None) -> float:
    """Wall milliseconds of ``fn(q)``; its CPU milliseconds (this process's) appended to ``cpu``:
    on a loaded machine the wall time includes waiting for a core."""
    t, c = time.perf_counter(), time.process_time()
    fn(q)
    if cpu is not None:
        cpu.append((time.process_time() - c) * 1000)
    return (time.perf_counter() - t) * 1000


def timings(eng, scan, queries: list[str], rounds: int = ROUNDS) -> dict:
    """Milliseconds per query: as served, with nothing kept, the scan."""
    served, cold, scanned, served_cpu, cold_cpu = [], [], [], [], []
    eng.wait_warm()
    for _ in range(rounds):
        for q in queries:
            eng.forget_orders()
            served.append(_timed(lambda x: eng.search(x, limit=10), q, served_cpu))
            scanned.append(_timed(scan.words, q))
    for _ in range(rounds):
        for q in queries:
            eng.forget_orders(lookups=True)
            cold.append(_timed(lambda x: eng.search(x, limit=10), q, cold_cpu))
    return {"served": served, "cold": cold, "scan": scanned, "served_cpu": served_cpu, "cold_cpu": cold_cpu}


def reference(eng, q: str):
    """(first page, total) when every clause the query matches is ranked (``rank.Ranker``'s rules)."""
    from portal.search.query import parse
    from portal.search.rank import Filters, Ranker

    res = eng.search(q, limit=10)
    gen = eng._generation()
    conn = eng._connection(gen)
    pq = parse(res.searched_as or q)
    plan = eng._plan(gen, conn, pq)
    r = Ranker(conn, plan, Filters(), gen.avg_chars)
    ids: set[int] = set()
    if plan.concepts:
        ids |= r._words(plan.words_fts(), 10 ** 7, ranked=False)
    if plan.whole:
        ids |= r.substring(plan.whole, 10 ** 7)
    ids |= r._fragments() | r._pointed()
    rows = r.collapse(r._ranked(r.fetch(ids)))
    return res, [(x.doc, x.clause_id) for x in rows[:10]], len(rows)


def rightness(eng, queries: list[str]) -> dict:
    """How the engine's first pages and totals compare with ranking every match."""
    same = overlap = top1 = 0
    errors: list[tuple[float, str]] = []
    misses: list[str] = []
    for q in queries:
        res, want, count = reference(eng, q)
        got = [(h.doc, h.clause_id) for h in res.results]
        same += got == want
        top1 += got[:1] == want[:1]
        overlap += len(set(got) & set(want)) / max(1, len(want))
        errors.append((abs(res.total - count) / max(1, count), f"{q} {res.total:,} for {count:,}"))
        if got != want:
            misses.append(q)
    n = max(1, len(queries))
    errors.sort()
    return {"cw_same": same, "cw_top1": top1, "cw_overlap": overlap / n, "cw_total_err": errors[len(errors) // 2][0],
            "cw_total_err_max": errors[-1][0], "cw_total_worst": errors[-1][1], "cw_misses": misses}
