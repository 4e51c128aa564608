"""What to offer when a search finds nothing: the nearest indexed word for a mistyped one, the
query without its quotes/citations, or the query without its filters."""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from portal.search import tokenizer
from portal.search.query import ParsedQuery, parse

log = logging.getLogger("portal.search")


def edit1(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=False)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def near_term(conn: sqlite3.Connection, word: str) -> str | None:
    """An indexed word one edit away (same first character), the most frequent one."""
    if not word:
        return None
    rows = conn.execute("SELECT term, df FROM terms WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ? "
                        "LIMIT 5000", (word[0], word[0] + "\uffff", len(word) - 1, len(word) + 1)).fetchall()
    best = None
    for term, df in rows:
        if term != word and edit1(term, word) and (best is None or df > best[0]):
            best = (df, term)
    return best[1] if best else None


def suggest(conn: sqlite3.Connection, pq: ParsedQuery, has_hits: Callable[[ParsedQuery, bool], bool],
            df: Callable[[str], int]) -> str | None:
    """``has_hits(query, filtered)`` runs a query; ``df(word)`` counts a word's clauses."""
    try:
        words = [w for ws in pq.phrases for w in ws] + list(pq.words)
        for p in pq.phrase_texts:  # a mistyped phrase: the nearest indexed word
            p = tokenizer.normalise(p).lower().replace(" ", "")
            if len(p) >= 2 and not df(p):
                best = near_term(conn, p)
                if best:
                    return best
        if pq.phrases or pq.citations or pq.wenhao:
            relaxed = parse(" ".join(words))
            if not relaxed.empty and has_hits(relaxed, True):
                return relaxed.text
        near, changed = [], False
        for w in words:
            if df(w) or len(w) < 2:
                near.append(w)
                continue
            best = near_term(conn, w)
            if best:
                near.append(best)
                changed = True
        if changed:
            return " ".join(near)
        if has_hits(pq, False):
            return pq.text  # the words exist, the filters exclude them: suggest without filters
    except Exception:
        log.exception("suggestion failed")
    return None
