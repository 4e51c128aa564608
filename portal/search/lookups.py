"""The index look-ups query understanding needs (``understand.Library``), on one open index
generation: pinyin keys → words, a word's clause count, whether any clause holds a text, and the
names of the laws in the library."""
from __future__ import annotations

import sqlite3

from portal.search.query import synonyms
from portal.search.query_plan import QueryPlan
from portal.search.rank import Filters, Ranker

STATE_PREFIX = "中华人民共和国"
SHORTEST_NAME = 3
EDITION_MARK = "@"       # an earlier edition's id in the index: <doc id>@<edition>


def library_names(facts: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """name → (doc id, title) for each document's title, title without 中华人民共和国, short title and
    their reviewed abbreviations (search/synonyms.txt: 未保法 = 未成年人保护法). A name two documents
    share names neither. An earlier edition (``<doc id>@<edition>``, ``portal.search.editions``) names
    nothing: its law's name is the law in force (未保法 强制报告 searches the current text)."""
    found: dict[str, set[tuple[str, str]]] = {}
    for doc, f in facts.items():
        if EDITION_MARK in doc:
            continue
        title = (f.get("title") or "").strip()
        names = {title, title.removeprefix(STATE_PREFIX), (f.get("short") or "").strip()}
        names |= {a for n in list(names) if n for a in synonyms(n.lower())}
        for n in names:
            if len(n) >= SHORTEST_NAME:
                found.setdefault(n.lower(), set()).add((doc, title))
    return {n: next(iter(docs)) for n, docs in found.items() if len(docs) == 1}


class Lookups:
    """``understand.Library`` on an open index (``gen``: the engine's generation)."""

    def __init__(self, conn: sqlite3.Connection, gen):
        self.conn, self.gen = conn, gen
        self._ranker = Ranker(conn, QueryPlan(), Filters(), gen.avg_chars, gen.memo)
        self._held: dict[str, bool] = {}

    def terms_for(self, keys: list[str]) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        keys = list(dict.fromkeys(keys))
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            sql = (f"SELECT p.key, p.term, t.df FROM pinyin p JOIN terms t ON t.term = p.term "
                   f"WHERE p.key IN ({','.join('?' * len(chunk))})")
            for key, term, df in self.conn.execute(sql, chunk):
                out.setdefault(key, []).append((term, df))
        return out

    def df(self, word: str) -> int:
        return self.gen.vocab.df(self.conn, word)

    def holds(self, text: str) -> bool:
        text = " ".join(text.lower().split())
        if text not in self._held:
            self._held[text] = bool(text) and self._ranker.holds(text)
        return self._held[text]

    def law_names(self) -> dict[str, tuple[str, str]]:
        return self.gen.law_names()
