"""Imported statutes (第X条 layout) as clause-marked Markdown.

Pure functions only. Same front matter as the 方案 (see policy_doc); the body:

* ``{#history}`` — the issuing/revision history block (（2014年…公布）), optional;
* ``{#preamble}`` — text before the first chapter/article, optional;
* headings for 编/章/节: ``## 第一编 总则 {#pt1}``, ``## 第二章 寄养条件 {#ch2}``
  (``{#pt1.ch2}`` when the statute has 编: its chapter numbers may repeat from one 编 to the next),
  ``### 第一节 … {#ch2.s1}`` (``{#s7}``, ``{#pt2.s7}`` for a 节 with no 章 open); chapters
  of a statute with 编 either restart in each 编 (民法典) or number on across them (民事诉讼法);
* an article starts with a line ``{#a8}`` followed by its text ``**第八条** …``;
  articles are numbered continuously through the whole statute; an article an amendment
  inserted, ``**第十七条之一** …``, is ``{#a17-1}``: it follows a17 (之二, a17-2, follows a17-1);
* an item starts its own paragraph with ``{#a8.2.3}（三）…`` — the third item of the article's
  second 款 (paragraph); items are numbered per 款, since a 款 listing （一）（二）（三） may be
  followed by another listing （一）（二）. Files written before 款 scoping use ``{#a8.3}``;
  ``resolve_clause_id`` maps such an id to the scoped one where that is unambiguous. A list goes
  on after a paragraph of its last item (（三）…, a paragraph, （四）…): the paragraph is the
  item's, and （四） stays in its 款;
* ``## 附件一 … {#app1}`` — an appendix (附件/附表/附录) after the articles, optional;
* ``{#closing}`` — anything else after the last article, optional.
"""
from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass, field

from portal.content.citations import cn_to_int, int_to_cn
from portal.content.policy_doc import (
    ANCHOR_RE,
    Clause,
    ClauseParser,
    ContentError,
    ParsedDocument,
    _parse_front_matter,
    plain_text,
)

_N = r"[1-9]\d*"
_ARTICLE = rf"a{_N}(?:-{_N})?"  # a17, a17-1 (第十七条之一)
STATUTE_ID_RE = re.compile(rf"^(?:history|preamble|closing|app{_N}|pt{_N}|(?:pt{_N}\.)?(?:ch{_N}(?:\.s{_N})?|s{_N})"
                           rf"|{_ARTICLE}(?:\.{_N}){{0,2}})$")
ARTICLE_ID_RE = re.compile(rf"^a({_N})(?:-({_N}))?$")
SPECIAL = {"history": "沿革", "preamble": "序言", "closing": "附"}
ITEM_START_RE = re.compile(rf"^\{{#({_ARTICLE}(?:\.{_N}){{1,2}})\}}")
ARTICLE_TEXT_RE = re.compile(r"^\**\s*第([零〇一二三四五六七八九十百千两\d]+)条(?:之([零〇一二三四五六七八九十百千两]+))?")
AS_PUBLISHED = "原文编号"
UNIT_TEXT = {"pt": "编", "ch": "章", "s": "节"}
LOOKS_LIKE_STATUTE_RE = re.compile(r"\{#(?:a[1-9]\d*|(?:pt[1-9]\d*\.)?ch[1-9]\d*)\}")


def looks_like_statute(text: str) -> bool:
    return bool(LOOKS_LIKE_STATUTE_RE.search(text))


def article_key(clause_id: str) -> tuple[int, int]:
    """a17 → (17, 0), a17-1 (第十七条之一) → (17, 1): an article's place in the statute's order."""
    m = ARTICLE_ID_RE.match(clause_id)
    if not m:
        raise ValueError(f"not an article id: {clause_id!r}")
    return int(m.group(1)), int(m.group(2) or 0)


def is_article_id(clause_id: str) -> bool:
    return bool(ARTICLE_ID_RE.match(clause_id))


def is_statute_id(clause_id: str) -> bool:
    return bool(STATUTE_ID_RE.match(clause_id)) and clause_id not in ("preamble", "closing")


def statute_label(clause_id: str) -> str:
    """a8 → 第八条, a8.2.3 → 第八条第二款第（三）项, a8.3 → 第八条第（三）项, a17-1 → 第十七条之一,
    ch2 → 第二章, pt1.ch2.s1 → 第一编第二章第一节, s7 → 第七节, app1 → 附件一."""
    if clause_id in SPECIAL:
        return SPECIAL[clause_id]
    if not STATUTE_ID_RE.match(clause_id):
        raise ValueError(f"not a statute clause id: {clause_id!r}")
    if clause_id.startswith("app"):
        return f"附件{int_to_cn(int(clause_id[3:]))}"
    parts = clause_id.split(".")
    if parts[0].startswith("a"):
        num, sub = article_key(parts[0])
        out = f"第{int_to_cn(num)}条" + (f"之{int_to_cn(sub)}" if sub else "")
        if len(parts) == 3:
            out += f"第{int_to_cn(int(parts[1]))}款"
        return out + (f"第（{int_to_cn(int(parts[-1]))}）项" if len(parts) > 1 else "")
    out = ""
    for part in parts:
        m = re.match(r"^(pt|ch|s)(\d+)$", part)
        out += f"第{int_to_cn(int(m.group(2)))}{UNIT_TEXT[m.group(1)]}"
    return out


def resolve_clause_id(clause_id: str, ids) -> tuple[str | None, list[str]]:
    """The clause an id names in a document with clause ids `ids`: (id, []) when it exists or
    resolves unambiguously, (None, candidates) otherwise.

    A pre-款 item id ``a8.3`` (第八条第（三）项) names ``a8.K.3`` when exactly one 款 of 第八条
    has a third item; when several do, the candidates are returned for the page to list."""
    ids = ids if isinstance(ids, (set, frozenset, dict)) else set(ids)
    if clause_id in ids:
        return clause_id, []
    m = re.match(rf"^({_ARTICLE})\.({_N})$", clause_id)
    if not m:
        return None, []
    article, item = m.groups()
    candidates = sorted((c for c in ids if re.fullmatch(rf"{article}\.[1-9]\d*\.{item}", c)),
                        key=lambda c: int(c.split(".")[1]))
    if len(candidates) == 1:
        return candidates[0], []
    if not candidates and article in ids:
        return None, []
    return None, candidates


def _kind(cid: str) -> str:
    last = cid.split(".")[-1]
    if cid in SPECIAL:
        return cid
    if cid.startswith("app"):
        return "appendix"
    if cid.startswith("a"):
        return "item" if "." in cid else "article"
    return {"p": "part", "c": "chapter", "s": "section"}[last[0]]


def _number(cid: str) -> int:
    return int(re.sub(r"^\D+", "", cid.split(".")[-1]))


@dataclass
class _Open:
    clause: Clause
    heading: str | None
    body: list[tuple[int, str]] = field(default_factory=list)


# Body parses kept while a bulk import runs (``reusing_parses``): the import parses each file when it
# converts it, the library sync parses the written file again, the search index's edition records
# parse each version once more. The written file differs from the converted text only in its front
# matter (status, kept values), so the body's parse is reused: it depends on the body's lines,
# where they start and the ``numbering`` value alone (``_StatuteParser``). Off by default: a
# long-running process keeps no texts.
_reused: contextvars.ContextVar[dict | None] = contextvars.ContextVar("statute_parses", default=None)


@contextlib.contextmanager
def reusing_parses():
    """Within this block (this thread), a statute body parsed once is not parsed again."""
    token = _reused.set({} if _reused.get() is None else _reused.get())
    try:
        yield
    finally:
        _reused.reset(token)


def _copy_clause(c: Clause) -> Clause:
    new = object.__new__(Clause)
    new.__dict__.update(c.__dict__)
    return new


def parse_statute(text: str, filename: str) -> ParsedDocument:
    doc = ParsedDocument(filename)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    start = _parse_front_matter(lines, doc)
    cache = _reused.get()
    if cache is None:
        _StatuteParser(doc).run(lines, start)
        return doc
    key = (start, doc.meta.get("numbering"), "\n".join(lines[start:]))
    hit = cache.get(key)
    if hit is None:
        front = len(doc.errors)
        _StatuteParser(doc).run(lines, start)
        cache[key] = (doc.clauses, doc.errors[front:])
        doc.clauses = [_copy_clause(c) for c in doc.clauses]  # callers own what they get
        return doc
    clauses, errors = hit
    doc.clauses = [_copy_clause(c) for c in clauses]
    doc.errors += [ContentError(filename, e.line, e.message) for e in errors]
    return doc


class _StatuteParser(ClauseParser):
    ID_RE = STATUTE_ID_RE
    MALFORMED = ("malformed clause id {{#{cid}}}: a statute uses history, preamble, closing, "
                 "ptN (编), chN (章), chN.sM or sM (节), aN or aN-M (条, 第N条之M) and aN.K (项)")
    NO_ID = "heading without a clause id: end it with {#chN} (章), {#ptN} (编) or {#chN.sM} (节)"
    OUTSIDE = "text outside any clause: start it with a line {#preamble}, {#history} or {#aN}"

    def __init__(self, doc: ParsedDocument):
        super().__init__(doc)
        self.sections: list[_Open] = []
        self.part: str | None = None  # open 编
        self.chapter: str | None = None  # open 章
        self.section: str | None = None  # open 节
        self.has_parts = False
        self.last: dict[str, int] = {}  # numbering scope -> last number
        self.articles_started = False
        self.closed = False
        self.appendix = False
        self.article_gap = False  # the open part follows a gap: its first article may skip
        self.last_chapter = 0  # the last chapter's number, whatever its part

    def _sequence(self, scope: str, cid: str, lineno: int, what: str) -> None:
        expected = self.last.get(scope, 0) + 1
        number = _number(cid)
        if number > expected and self.doc.meta.get("numbering") == AS_PUBLISHED:
            pass  # an imported source whose numbering skips (the importer flagged where)
        elif number != expected:
            want = re.sub(r"\d+$", str(expected), cid)
            self.err(lineno, f"numbering skips or repeats: {what} {cid} where {want} was expected")
        self.last[scope] = number

    def _start(self, cid: str, lineno: int, heading: str | None, hashes: int | None) -> _Open:
        ok = self._claim(cid, lineno)
        kind = _kind(cid) if ok else "article"
        parent: str | None = None
        if ok:
            parent = self._place(cid, kind, lineno, heading)
        label = cid
        if ok:
            try:
                label = statute_label(cid)
            except ValueError:  # a number int_to_cn cannot write: 10000 and beyond
                self.err(lineno, f"clause {cid}: numbers beyond 9999 cannot be right; check the numbering")
                ok = False
        clause = Clause(id=cid, label=label, title=_title(heading),
                        parent=parent, level=0, markdown="", text="", line=lineno)
        clause.level = 1 if parent is None else self._level(parent) + 1
        opened = _Open(clause, f"{'#' * hashes} {heading}" if heading is not None else None)
        if ok:
            self.sections.append(opened)
            if kind == "item":
                self.err(lineno, f"item {cid} must start its paragraph inside the article: {{#{cid}}}（…）text")
        return opened

    def _level(self, parent: str) -> int:
        for s in self.sections:
            if s.clause.id == parent:
                return s.clause.level
        return 0

    def _place(self, cid: str, kind: str, lineno: int, heading: str | None) -> str | None:
        """Check order and numbering; return the parent id."""
        if self.closed:
            self.err(lineno, f"clause {cid} comes after the closing block")
        if kind in ("history", "preamble", "closing", "appendix"):
            self._place_block(cid, kind, lineno, heading)
            return None
        if self.appendix:
            self.err(lineno, f"clause {cid} comes after an appendix: appendices follow the last article")
        if kind == "item":
            return cid.split(".")[0]
        self._check_heading(cid, kind, lineno, heading)
        if kind == "part":
            self._place_part(cid, lineno)
            return None
        if kind == "chapter":
            return self._place_chapter(cid, lineno)
        if kind == "section":
            return self._place_section(cid, lineno)
        return self._place_article(cid, lineno)

    def _place_block(self, cid: str, kind: str, lineno: int, heading: str | None) -> None:
        """history and preamble before everything, the closing block last, appendices after the articles."""
        if kind in ("history", "preamble"):
            if self.articles_started or self.chapter or self.part:
                self.err(lineno, f"{cid} must come before the chapters and articles")
            if heading is not None:
                self.err(lineno, f"{cid} is a block: write the line {{#{cid}}} instead of a heading")
        elif kind == "closing":
            self.closed = True
        else:  # appendix
            if heading is None:
                self.err(lineno, f"{cid} must be a heading: e.g. ## 附件一 … {{#{cid}}}")
            self._sequence("appendix", cid, lineno, "appendix")
            self.appendix = True

    def _check_heading(self, cid: str, kind: str, lineno: int, heading: str | None) -> None:
        """Parts, chapters and sections are headings whose 第N编/章/节 matches the id; articles are not."""
        if kind in ("part", "chapter", "section") and heading is None:
            self.err(lineno, f"{cid} must be a heading: e.g. ## 第一章 总则 {{#{cid}}}")
        if kind == "article" and heading is not None:
            self.err(lineno, f"article {cid} is not a heading: write the line {{#{cid}}} and then its text")
        if heading is not None and kind in UNIT_NAMES:
            m = re.match(rf"^第([零〇一二三四五六七八九十百千两\d]+){UNIT_NAMES[kind]}", plain_text(heading))
            if not m:
                self.err(lineno, f"heading of {cid} should start with 第{int_to_cn(_number(cid))}{UNIT_NAMES[kind]}")
            elif _safe_int(m.group(1)) != _number(cid):
                self.err(lineno, f"heading 第{m.group(1)}{UNIT_NAMES[kind]} does not match clause id {cid}")

    def _place_part(self, cid: str, lineno: int) -> None:
        # a code imported in parts (民法典's 总则 and 婚姻家庭编) may leave out 编: the parts
        # present must ascend, and the articles of a part after a gap continue its numbering
        self.has_parts = True
        number, before = _number(cid), self.last.get("part", 0)
        if number <= before:
            self.err(lineno, f"numbering skips or repeats: part {cid} after pt{before}")
        self.article_gap = number > before + 1
        self.last["part"] = number
        self.part, self.chapter, self.section = cid, None, None

    def _place_chapter(self, cid: str, lineno: int) -> str | None:
        prefix = cid.rpartition(".")[0] or None
        if self.has_parts and prefix != self.part:
            self.err(lineno, f"chapter {cid} is not inside the open part {self.part}: use {{#{self.part}.{cid.split('.')[-1]}}}")
        elif not self.has_parts and prefix:
            self.err(lineno, f"chapter {cid} names a part, but the statute has no part (编) heading before it")
        scope, number = f"chapter:{prefix or ''}", _number(cid)
        if scope not in self.last and self.last_chapter and number == self.last_chapter + 1:
            self.last[scope] = self.last_chapter  # chapters numbered on across 编 (民事诉讼法's 第二编 starts at 第十二章)
        self._sequence(scope, cid, lineno, "chapter")
        self.chapter, self.section, self.last_chapter = cid, None, number
        return prefix

    def _place_section(self, cid: str, lineno: int) -> str | None:
        parent = cid.rpartition(".")[0]  # its chapter; or its part ('' : the statute) when no chapter is open
        if parent.rpartition(".")[2].startswith("ch"):
            if parent != self.chapter:
                self.err(lineno, f"section {cid} is not inside the open chapter {self.chapter or '(none)'}")
        elif self.chapter or parent != (self.part or ""):
            self.err(lineno, f"section {cid} names no chapter: it may only follow {self.part or 'the statute'}'s "
                             "own text, before any chapter")
        self._sequence(f"section:{parent}", cid, lineno, "section")
        self.section = cid
        return parent or None

    def _place_article(self, cid: str, lineno: int) -> str | None:
        self.articles_started = True
        number, inserted = article_key(cid)
        if inserted:
            self._place_inserted(cid, number, inserted, lineno)
            return self.section or self.chapter or self.part
        if self.article_gap and number > self.last.get("article", 0):
            self.last["article"] = number - 1
        self.article_gap = False
        self._sequence("article", cid, lineno, "article")
        self.last["inserted"] = 0
        return self.section or self.chapter or self.part

    def _place_inserted(self, cid: str, number: int, inserted: int, lineno: int) -> None:
        """a17-1 (第十七条之一) comes right after a17, a17-2 after a17-1: the articles after keep their numbers."""
        expected = self.last.get("inserted", 0) + 1
        if number != self.last.get("article"):
            self.err(lineno, f"article {cid} must follow a{number}: 第N条之M comes after 第N条")
        elif inserted > expected and self.doc.meta.get("numbering") == AS_PUBLISHED:
            pass  # an imported source whose numbering skips (the importer flagged where)
        elif inserted != expected:
            self.err(lineno, f"numbering skips or repeats: article {cid} where a{number}-{expected} was expected")
        self.last["inserted"] = inserted

    def _finish(self, section: _Open) -> None:
        clause = section.clause
        body = [line for _, line in section.body]
        md = "\n".join(([section.heading, ""] if section.heading else []) + body)
        clause.markdown = ANCHOR_RE.sub("", md).strip()
        clause.text = plain_text(clause.markdown)
        if _kind(clause.id) == "article":
            first = clause.text.split("\n", 1)[0] if clause.text else ""
            m = ARTICLE_TEXT_RE.match(first)
            if not m:
                self.err(clause.line, f"article {clause.id} should start with {statute_label(clause.id)}")
            elif (_safe_int(m.group(1)), _safe_int(m.group(2)) if m.group(2) else 0) != article_key(clause.id):
                self.err(clause.line, f"article text starts with {m.group(0).strip('*').strip()} but its id is {clause.id}")
        self.doc.clauses.append(clause)
        self.doc.clauses.extend(self._items(section))

    def _items(self, section: _Open) -> list[Clause]:
        """Items of an article, numbered per 款: ``aN.K.M`` (or ``aN.M`` in older files). Paragraphs
        after an item that the next item numbers on from are that item's (香港基本法 第四十八条（三）)."""
        article = section.clause
        is_article = _kind(article.id) == "article"
        found: list[tuple[Clause, list[str]]] = []
        open_parts: list[str] | None = None
        paragraph = 0  # the 款 an item belongs to: paragraphs that are not items, counted
        in_paragraph = False
        last: dict[int, int] = {}
        held: tuple[int, list[str]] | None = None  # (款, text parts) of the last item
        after: list[list[str]] = []  # paragraphs since the last item: its own, if the list goes on
        for lineno, line in section.body:
            if not line.strip():
                open_parts, in_paragraph = None, False
                continue
            m = ITEM_START_RE.match(line.strip())
            others = ANCHOR_RE.findall(line)
            if line.count("{#") != len(others) or len(others) > (1 if m else 0):
                self.err(lineno, "malformed or misplaced anchor: only an item may carry one, as {#aN.K.M} at the start of its paragraph")
            starts = not in_paragraph
            in_paragraph = True
            if not m:
                if starts and open_parts is None:
                    paragraph += 1
                    after.append([])
                (open_parts if open_parts is not None else after[-1] if after else []).append(line + "\n")
                continue
            cid = m.group(1)
            paragraph = self._list_goes_on(cid, paragraph, held, after, last)
            after = []
            if not self._claim(cid, lineno):
                open_parts = None
                continue
            item_text = line.strip()[m.end():]
            self._check_item(cid, lineno, item_text, article.id, is_article, paragraph, last)
            clause = Clause(id=cid, label=statute_label(cid), title=None, parent=article.id,
                            level=article.level + 1, markdown="", text="", line=lineno, kind="anchor")
            open_parts = [item_text + "\n"]
            found.append((clause, open_parts))
            held = (paragraph, open_parts)
        for clause, parts in found:
            clause.markdown = "".join(parts).strip()
            clause.text = plain_text(clause.markdown)
        return [c for c, _ in found]

    @staticmethod
    def _list_goes_on(cid: str, paragraph: int, held: tuple[int, list[str]] | None, after: list[list[str]],
                      last: dict[int, int]) -> int:
        """The 款 count for item ``cid``: when it numbers on from the last item (of an earlier 款, with
        paragraphs between), those paragraphs are the last item's (added to its text) and the
        item is in that item's 款; otherwise the count as it is."""
        parts = cid.split(".")
        if held is None or not after or len(parts) != 3:
            return paragraph
        scope, num = int(parts[1]), int(parts[2])
        if scope != held[0] or scope >= paragraph or num != last.get(scope, 0) + 1:
            return paragraph
        for para in after:
            held[1].extend(["\n", *para])
        return scope

    def _check_item(self, cid: str, lineno: int, item_text: str, article_id: str, is_article: bool,
                    paragraph: int, last: dict[int, int]) -> None:
        """An item's id belongs to its article and 款 and numbers on; its text starts with its number.
        ``last`` (款 → last item number) is updated."""
        parts = cid.split(".")
        head, num = parts[0], int(parts[-1])
        scope = int(parts[1]) if len(parts) == 3 else 0
        if not is_article or head != article_id:
            self.err(lineno, f"item {cid} is not part of {article_id}: items belong to the article they follow")
        elif len(parts) == 3 and scope != max(paragraph, 1):
            self.err(lineno, f"item {cid} is in 款 {max(paragraph, 1)} of {head}: its id should be "
                             f"{head}.{max(paragraph, 1)}.{num}")
        elif num != last.get(scope, 0) + 1:
            want = ".".join(parts[:-1] + [str(last.get(scope, 0) + 1)])
            self.err(lineno, f"numbering skips or repeats: item {cid} where {want} was expected")
        last[scope] = num
        im = re.match(r"^[（(]([零〇一二三四五六七八九十百千两\d]+)[）)]|^([零〇一二三四五六七八九十百千两]+)、", item_text)
        if im and _safe_int(im.group(1) or im.group(2)) != num:
            self.err(lineno, f"item text starts with （{im.group(1) or im.group(2)}） but its id is {cid}")


UNIT_NAMES = {"part": "编", "chapter": "章", "section": "节"}


def _safe_int(numeral: str) -> int:
    try:
        return cn_to_int(numeral)
    except ValueError:
        return -1


def _title(heading: str | None) -> str | None:
    """'第二章　寄养条件' → 寄养条件."""
    if heading is None:
        return None
    text = re.sub(r"^第[零〇一二三四五六七八九十百千两\d]+[编章节]\s*", "", plain_text(heading)).strip()
    return text or None
