"""Statute text as it is published (plain text, or the LawRefBook Markdown layout) → the pieces
of library Markdown: title, history, preamble, 编/章/节 headings, articles, items, appendices.

Pure functions only; importer.py assembles the pieces (one file, or a code given as several
files, e.g. 民法典's 编, each titled 中华人民共和国民法典) into one document.

Ids: ``history``, ``preamble``, ``pt5`` (编), ``ch2`` / ``pt5.ch2`` (章), ``ch2.s1`` (节; ``s7`` /
``pt5.s7`` for a 节 with no 章 open), ``a8`` (条), ``a17-1`` (第十七条之一, inserted by an amendment),
``a8.2.3`` (the third item of the second 款 of 第八条: items are numbered per 款),
``app1`` (附件/附表/附录 after the articles). Every output line remembers its source line, so
problems name the line of the file the user gave.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.content.citations import cn_to_int, int_to_cn
from portal.content.statute_history import DATE_RE, Act, history_acts, short_title, statute_fields

_CN = "零〇一二三四五六七八九十百千两"
PART_RE = re.compile(rf"^第([{_CN}\d]+)编\s*(.*)$")
CHAPTER_RE = re.compile(rf"^第([{_CN}\d]+)章\s*(.*)$")
SECTION_RE = re.compile(rf"^第([{_CN}\d]+)节\s*(.*)$")
ARTICLE_RE = re.compile(rf"^第([{_CN}\d]+)条(?:之([{_CN}]+))?(\s*)(.*)$")  # 第十七条之一: inserted
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")
OLD_ITEM_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")  # 户口登记条例 writes items as 一、
APPENDIX_RE = re.compile(r"^(附件|附表|附录)\s*([一二三四五六七八九十\d]*)\s*[：:]?\s*(.{0,40})$")
HISTORY_WORDS = ("公布", "修订", "修正", "通过", "施行", "发布", "印发", "批准")
# The 编 of a code given in parts whose files name the 编 without its number ("婚姻家庭编").
# The structure of the 民法典 (2020): 第一编 总则 … 第七编 侵权责任.
CODE_PARTS = {"中华人民共和国民法典": ("总则", "物权", "合同", "人格权", "婚姻家庭", "继承", "侵权责任")}


MAX_NUMBER = 9999  # what int_to_cn can write; no statute has more articles, chapters or 编


def too_big(num: int, what: str) -> str | None:
    """Why a 编/章/节/条 number cannot be right (``what``: its unit, 编 章 节 条), or None."""
    if num > MAX_NUMBER:
        return f"第{num}{what}：编号超过{MAX_NUMBER}，没有法规有这么多{what}，请核对编号"
    return None


def number(numeral: str) -> int:
    try:
        return cn_to_int(numeral)
    except ValueError:
        return 0


def squeeze(text: str) -> str:
    """'总 则' → '总则': spaces between Chinese characters carry no meaning in a heading."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text).strip()


@dataclass
class Line:
    n: int  # source line
    text: str  # cleaned
    h1: bool = False  # a level-1 Markdown heading in the source


@dataclass
class Piece:
    """One statute file, converted."""

    file: str
    title: str = ""
    title_line: int = 1
    part: tuple[int, str, int] | None = None  # (number, name, source line) of a code's 编
    history: list[Line] = field(default_factory=list)
    preamble: list[Line] = field(default_factory=list)
    body: list[tuple[str, int]] = field(default_factory=list)  # (markdown line, source line)
    problems: list[tuple[int, str]] = field(default_factory=list)
    flags: list[tuple[int, str]] = field(default_factory=list)  # imported as plain text or as published: why
    skips: bool = False  # numbering skips forward somewhere in the source (kept as published)
    fields: dict = field(default_factory=dict)
    articles: int = 0

    def para(self, text: str, n: int) -> None:
        if self.body and self.body[-1][0] != "":
            self.body.append(("", n))
        self.body.append((text, n))
        self.body.append(("", n))


def _is_history(s: str) -> bool:
    return bool(DATE_RE.search(s)) and any(w in s for w in HISTORY_WORDS) and len(s) < 300


def convert_statute(lines: list[Line], file: str, head_end: int | None, edition: str = "",
                    tolerant: bool = True) -> Piece:
    """`lines`: the file's non-empty cleaned lines; `head_end`: source line of the LawRefBook
    ``<!-- INFO END -->`` marker (everything before it is title and history), if any."""
    piece = Piece(file)
    if not lines:
        return piece
    piece.title, piece.title_line = lines[0].text.strip("《》"), lines[0].n
    reader = _Reader(piece, head_end, tolerant)
    for ln in lines[1:]:
        reader.line(ln)
    _fields(piece, edition, lines)
    return piece


def _heading_match(plain: str) -> re.Match | None:
    """A 编/章/节 heading (short lines only: a sentence starting 第一章 is text)."""
    heading = PART_RE.match(plain) or CHAPTER_RE.match(plain) or SECTION_RE.match(plain)
    return heading if heading and len(plain) <= 40 else None


class _Reader:
    """Reads a statute's lines in order: the head (编 of a code, history, preamble), an optional
    目录, then the body (headings, articles, items, appendices) written into the piece."""

    def __init__(self, piece: Piece, head_end: int | None, tolerant: bool = True):
        # tolerant (an import): numbering slips are flagged and read around; strict (a raw text
        # among content/'s reviewed files): they stay for the library's parser to refuse
        self.piece, self.head_end, self.tolerant = piece, head_end, tolerant
        self.state = "head"
        self.toc_first: str | None = None
        self.chapter: str | None = None
        self.part: str | None = None
        self.article: str | None = None
        self.paragraph = 0
        self.last_article = 0
        self.last_insert = 0  # 之N of the last article (第十七条之二: 2), 0 for a plain one
        self.appendix = 0
        self.items: dict[int, int] = {}  # 款 of the open article -> its last item number
        self.item_paragraph = 0  # 款 of the open article's last item
        self.last_heading: dict[str, int] = {}  # numbering scope of 编/章/节 -> last number
        self.last_chapter = 0  # the last 章 number, whatever its 编
        self.chapters_continue: bool | None = None  # 章 numbered on across 编 (None: not seen yet)

    def line(self, ln: Line) -> None:
        n, s = ln.n, ln.text
        plain = squeeze(s.replace("\u3000", " "))
        if self.state == "head" and ln.h1 and self.piece.part is None:
            self.piece.part = _part_of(self.piece, plain, n)
            return
        if self.state == "head" and plain.replace(" ", "") in ("目录", "目次"):
            self.state = "toc"
            return
        if self.state == "toc":
            if self._listed(plain):
                return
            self.state = "head"
        heading = _heading_match(plain)
        am = self._article_match(s)
        if self.state == "head" and not heading and not am:
            self._head_line(n, s, plain)
            return
        self.state = "body"
        self._body_line(n, s, plain, heading, am)

    def _listed(self, plain: str) -> bool:
        """目录 lists headings; it ends where the text starts (a preamble or 第一章)."""
        listed = PART_RE.match(plain) or CHAPTER_RE.match(plain) or SECTION_RE.match(plain)
        if listed and plain != self.toc_first and len(plain) <= 40:
            self.toc_first = self.toc_first or plain
            return True
        return False

    def _article_match(self, s: str) -> re.Match | None:
        am = ARTICLE_RE.match(s)
        if not am or am.group(3) or not am.group(4):
            return am
        # no space after the number: "第三十六条第一款规定的…" (or "第十七条之一规定的…") opens a 款,
        # not an article, unless it is the number expected next
        if am.group(2):
            fits = number(am.group(1)) == self.last_article and number(am.group(2)) == self.last_insert + 1
        else:
            fits = number(am.group(1)) == self.last_article + 1
        return am if fits else None

    def _head_line(self, n: int, s: str, plain: str) -> None:
        piece = self.piece
        in_head = self.head_end is not None and n < self.head_end
        if in_head or (self.head_end is None and _is_history(s) and not piece.preamble) or (
                s.startswith(("（", "(")) and _is_history(s) and not piece.preamble):
            piece.history.append(Line(n, s))
        elif plain.replace(" ", "") != piece.title:  # a repeated title line is not a preamble
            piece.preamble.append(Line(n, s))

    def _body_line(self, n: int, s: str, plain: str, heading: re.Match | None, am: re.Match | None) -> None:
        piece = self.piece
        if self.appendix and not (APPENDIX_RE.match(plain) and len(plain) <= 40):
            piece.para(s, n)
        elif heading:
            self._heading(heading, n)
        elif am:
            self._article(am, n)
        elif self.last_article and APPENDIX_RE.match(plain) and len(plain) <= 40:
            self.appendix += 1
            piece.para(f"## {plain} {{#app{self.appendix}}}", n)
            self.article = None
        else:
            im = ITEM_RE.match(s) or OLD_ITEM_RE.match(s)
            if im and self.article and self._item_in_sequence(number(im.group(1)), im.group(1), n):
                piece.para(f"{{#{self.article}.{self.paragraph}.{number(im.group(1))}}}{s}", n)
                return
            if self.article:
                self.paragraph += 1
            piece.para(s, n)

    def _item_in_sequence(self, num: int, numeral: str, n: int) -> bool:
        """An item continues its 款's list. A list also goes on after a paragraph of its last item
        (香港基本法 第四十八条: （三）签署…法案 / 签署…财政预算案… / （四）…): when the number follows
        that item's, the paragraphs between are the item's and the item stays in its 款 (the
        library's parser reads them so too). Any other break (a number skipped or repeated, a list
        nested under 1. 2.) is kept as a plain paragraph of the article, and flagged."""
        expected = self.items.get(self.paragraph, 0) + 1
        held = self.item_paragraph
        if num != expected and held and held < self.paragraph and num == self.items[held] + 1:
            self.paragraph = held
            expected = num
        if num == expected or not self.tolerant:
            self.items[self.paragraph], self.item_paragraph = num, self.paragraph
            return True
        wanted = f"（{int_to_cn(expected)}）"
        if held and held < self.paragraph:  # after a paragraph: a new list, or the last one going on
            wanted += f"或（{int_to_cn(self.items[held] + 1)}）"
        self.piece.flags.append((n, f"{label_of(self.article)}中的（{numeral}）项接不上前文的项目编号"
                                    f"（此处应为{wanted}），已作为普通段落导入，不能单独引用该项"))
        return False

    def _heading_in_sequence(self, heading: re.Match, num: int, unit: str, n: int) -> bool:
        """A 编/章/节 heading may skip forward (a heading missing in the source: kept as published,
        flagged); one that repeats or goes back is kept as a plain paragraph, flagged."""
        scope = unit if heading.re is PART_RE else f"{unit}:{self.part or ''}" if heading.re is CHAPTER_RE \
            else f"{unit}:{self.chapter or self.part or ''}"
        last = self.last_heading.get(scope, 0)
        if heading.re is CHAPTER_RE and not last and self.last_chapter and self._chapters_continue(num):
            last = self.last_chapter
        if num <= last:
            self.piece.flags.append((n, f"第{heading.group(1)}{unit}重复或倒退（前面已有第{int_to_cn(last)}{unit}），"
                                        "已作为普通段落导入"))
            return False
        if num > last + 1:
            self.piece.skips = True
            self.piece.flags.append((n, f"第{heading.group(1)}{unit}之前缺少第{int_to_cn(last + 1)}{unit}"
                                        "（原文如此），已按原文编号导入"))
        self.last_heading[scope] = num
        if heading.re is CHAPTER_RE:
            self.last_chapter = num
        return True

    def _chapters_continue(self, num: int) -> bool:
        """Whether the first 章 of a 编 (after the 章 of an earlier one) numbers on from them. Both
        conventions are in use: 民法典 starts each 编 at 第一章, 民事诉讼法 numbers on (第二编 starts
        at 第十二章). The first 编 that shows it decides for the document; a later 编 that does
        otherwise is flagged as a gap or a step back."""
        if self.chapters_continue is None:
            self.chapters_continue = num > self.last_chapter
        return self.chapters_continue

    def _heading(self, heading: re.Match, n: int) -> None:
        piece = self.piece
        num, name = number(heading.group(1)), squeeze(heading.group(2))
        unit = {PART_RE: "编", CHAPTER_RE: "章", SECTION_RE: "节"}[heading.re]
        if too_big(num, unit):
            piece.problems.append((n, too_big(num, unit)))
            return
        if self.tolerant and piece.part is None and not self._heading_in_sequence(heading, num, unit, n):
            self._as_text(f"第{heading.group(1)}{unit}" + (f" {name}" if name else ""), n)
            return
        text = f"第{heading.group(1)}{unit}" + (f" {name}" if name else "")
        owner = self.part or (f"pt{piece.part[0]}" if piece.part else None)
        if heading.re is PART_RE:
            self.part, self.chapter, cid, depth = f"pt{num}", None, f"pt{num}", 2
        elif heading.re is CHAPTER_RE:
            self.chapter = f"{owner}.ch{num}" if owner else f"ch{num}"
            cid, depth = self.chapter, 3 if owner else 2
        elif self.chapter:
            cid, depth = f"{self.chapter}.s{num}", 4 if owner else 3
        else:  # a 节 with no 章 open (宪法修正案 quotes the 第七节 it adds to 第三章): under the 编, or the statute
            cid, depth = f"{owner}.s{num}" if owner else f"s{num}", 3 if owner else 2
        piece.para(f"{'#' * depth} {text} {{#{cid}}}", n)
        self.article = None

    def _as_text(self, s: str, n: int) -> None:
        """A line kept as a paragraph of the open article (or of the text before the articles)."""
        if self.article:
            self.paragraph += 1
        self.piece.para(s, n)

    def _article(self, am: re.Match, n: int) -> None:
        num = number(am.group(1))
        if too_big(num, "条"):
            self.piece.problems.append((n, too_big(num, "条")))
            return
        if am.group(2):
            self._inserted(am, num, n)
            return
        if self.tolerant and num <= self.last_article and self.last_article:
            self.piece.flags.append((n, f"第{am.group(1)}条重复或倒退（前一条是{self._last_label()}），"
                                        f"已作为{self._last_label()}的一段导入"))
            self._as_text(am.group(0).strip(), n)
            return
        if self.tolerant and num > self.last_article + 1 and not (self.piece.part and not self.last_article):
            self.piece.skips = True
            self.piece.flags.append((n, f"第{am.group(1)}条之前缺少第{int_to_cn(self.last_article + 1)}条"
                                        "（原文如此），已按原文编号导入"))
        self.last_article, self.last_insert = num, 0
        self._open(f"a{num}", f"第{am.group(1)}条", am.group(4), n)

    def _inserted(self, am: re.Match, num: int, n: int) -> None:
        """第十七条之一: an article an amendment put after 第十七条 without renumbering the ones after
        it (刑法 has dozens). Its own article, ``a17-1``, so it can be found and cited."""
        sub, label = number(am.group(2)), f"第{am.group(1)}条之{am.group(2)}"
        if self.tolerant and (num != self.last_article or sub <= self.last_insert):
            before = f"前一条是{self._last_label()}" if self.last_article else "前面还没有条文"
            self.piece.flags.append((n, f"{label}接不上前文的条文编号（{before}），已作为普通段落导入"))
            self._as_text(am.group(0).strip(), n)
            return
        if self.tolerant and sub > self.last_insert + 1:
            self.piece.skips = True
            self.piece.flags.append((n, f"{label}之前缺少第{am.group(1)}条之{int_to_cn(self.last_insert + 1)}"
                                        "（原文如此），已按原文编号导入"))
        self.last_insert = sub
        self._open(f"a{num}-{sub}", label, am.group(4), n)

    def _open(self, cid: str, label: str, text: str, n: int) -> None:
        self.article, self.paragraph, self.items, self.item_paragraph = cid, 1, {}, 0
        self.piece.articles += 1
        self.piece.para("{#" + cid + "}", n)
        self.piece.para(f"**{label}**　{text.strip()}".rstrip("　"), n)

    def _last_label(self) -> str:
        return label_of(f"a{self.last_article}" + (f"-{self.last_insert}" if self.last_insert else ""))


def _fields(piece: Piece, edition: str, lines: list[Line]) -> None:
    piece.fields, problems = statute_fields(piece.title, [(h.n, h.text) for h in piece.history],
                                            [ln.text for ln in lines], edition)
    piece.problems += problems


def label_of(article: str | None) -> str:
    """a17 → 第十七条, a17-1 → 第十七条之一 (None: the text before the first article)."""
    if not article:
        return "正文"
    num, _, sub = article[1:].partition("-")
    return f"第{int_to_cn(int(num))}条" + (f"之{int_to_cn(int(sub))}" if sub else "")


def _part_of(piece: Piece, plain: str, n: int) -> tuple[int, str, int] | None:
    """The 编 a file of a code holds: '第五编 婚姻家庭' or, for a code whose structure is known,
    its name ('婚姻家庭编')."""
    m = PART_RE.match(plain)
    if m and too_big(number(m.group(1)), "编"):
        piece.problems.append((n, too_big(number(m.group(1)), "编")))
        return None
    if m:
        return number(m.group(1)), squeeze(m.group(2)), n
    name = plain.removesuffix("编")
    names = CODE_PARTS.get(piece.title)
    if names and name in names:
        return names.index(name) + 1, name, n
    piece.problems.append((n, f"无法确定“{plain}”是第几编：请写成“第X编 {name}”"))
    return None


__all__ = ["Act", "Line", "Piece", "convert_statute", "history_acts", "short_title", "int_to_cn"]
