"""Statute text as it is published (plain text, or the LawRefBook Markdown layout) → the pieces
of library Markdown: title, history, preamble, 编/章/节 headings, articles, items, appendices.

Pure functions only; importer.py assembles the pieces (one file, or a code given as several
files, e.g. 民法典's 编, each titled 中华人民共和国民法典) into one document.

Ids: ``history``, ``preamble``, ``pt5`` (编), ``ch2`` / ``pt5.ch2`` (章), ``ch2.s1`` (节), ``a8``
(条), ``a8.2.3`` (the third item of the second 款 of 第八条: items are numbered per 款),
``app1`` (附件/附表/附录 after the articles). Every output line remembers its source line, so
problems name the line of the file the user gave.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.content.citations import cn_to_int, int_to_cn

_CN = "零〇一二三四五六七八九十百千两"
PART_RE = re.compile(rf"^第([{_CN}\d]+)编\s*(.*)$")
CHAPTER_RE = re.compile(rf"^第([{_CN}\d]+)章\s*(.*)$")
SECTION_RE = re.compile(rf"^第([{_CN}\d]+)节\s*(.*)$")
ARTICLE_RE = re.compile(rf"^第([{_CN}\d]+)条(\s*)(.*)$")
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")
OLD_ITEM_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")  # 户口登记条例 writes items as 一、
APPENDIX_RE = re.compile(r"^(附件|附表|附录)\s*([一二三四五六七八九十\d]*)\s*[：:]?\s*(.{0,40})$")
DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
EFFECTIVE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:起)?施行")
HISTORY_WORDS = ("公布", "修订", "修正", "通过", "施行", "发布", "印发", "批准")
PROMULGATION_WORDS = ("通过", "公布", "发布")
# The 编 of a code given in parts whose files name the 编 without its number ("婚姻家庭编").
# The structure of the 民法典 (2020): 第一编 总则 … 第七编 侵权责任.
CODE_PARTS = {"中华人民共和国民法典": ("总则", "物权", "合同", "人格权", "婚姻家庭", "继承", "侵权责任")}
ISSUER_PATTERNS = (("全国人民代表大会常务委员会", "全国人民代表大会常务委员会"),
                   ("全国人民代表大会", "全国人民代表大会"), ("国务院令", "国务院"), ("国务院第", "国务院"))
ORDER_RE = re.compile(r"((?:中华人民共和国)?[\u4e00-\u9fff]{2,8}令第\d+号)")  # 国务院令第685号
ISSUER_RE = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:部|委员会|总局|局|署))令")


MAX_NUMBER = 9999  # what int_to_cn can write; no statute has more articles, chapters or 编


def too_big(num: int, what: str) -> str | None:
    if num > MAX_NUMBER:
        return f"{what} number {num} is beyond {MAX_NUMBER}: no statute has that many; check the numbering"
    return None


def real_date_problem(m: re.Match) -> str | None:
    """'2026年2月30日' in a history line: why it cannot be a date, or None."""
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return f"{m.group(0)} is not a real date (there is no such day)"
    return None


def iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def number(numeral: str) -> int:
    try:
        return cn_to_int(numeral)
    except ValueError:
        return 0


def squeeze(text: str) -> str:
    """'总 则' → '总则': spaces between Chinese characters carry no meaning in a heading."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text).strip()


def short_title(title: str) -> str:
    """《中华人民共和国未成年人保护法》 is cited as 《未成年人保护法》."""
    return title.removeprefix("中华人民共和国") if title.startswith("中华人民共和国") and len(title) > 9 else ""


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
        self.appendix = 0
        self.items: dict[int, int] = {}  # 款 of the open article -> its last item number
        self.last_heading: dict[str, int] = {}  # numbering scope of 编/章/节 -> last number

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
        if am and not am.group(2) and am.group(3) and number(am.group(1)) != self.last_article + 1:
            return None  # "第三十六条第一款规定的…" opens a 款, not an article
        return am

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
        """An item continues its 款's list; one that does not (a list resuming after a paragraph,
        or nested under 1. 2.) is kept as a plain paragraph of the article, and flagged."""
        expected = self.items.get(self.paragraph, 0) + 1
        if num == expected or not self.tolerant:
            self.items[self.paragraph] = num
            return True
        self.piece.flags.append((n, f"{label_of(self.article)}中的（{numeral}）项接不上前文的项目编号"
                                    f"（此处应为（{int_to_cn(expected)}）），已作为普通段落导入，不能单独引用该项"))
        return False

    def _heading_in_sequence(self, heading: re.Match, num: int, unit: str, n: int) -> bool:
        """A 编/章/节 heading may skip forward (a heading missing in the source: kept as published,
        flagged); one that repeats or goes back is kept as a plain paragraph, flagged."""
        scope = unit if heading.re is PART_RE else f"{unit}:{self.part or ''}" if heading.re is CHAPTER_RE \
            else f"{unit}:{self.chapter or ''}"
        last = self.last_heading.get(scope, 0)
        if num <= last:
            self.piece.flags.append((n, f"第{heading.group(1)}{unit}重复或倒退（前面已有第{int_to_cn(last)}{unit}），"
                                        "已作为普通段落导入"))
            return False
        if num > last + 1:
            self.piece.skips = True
            self.piece.flags.append((n, f"第{heading.group(1)}{unit}之前缺少第{int_to_cn(last + 1)}{unit}"
                                        "（原文如此），已按原文编号导入"))
        self.last_heading[scope] = num
        return True

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
        else:
            cid = f"{self.chapter}.s{num}" if self.chapter else f"s{num}"
            depth = 4 if owner else 3
        piece.para(f"{'#' * depth} {text} {{#{cid}}}", n)
        self.article = None

    def _as_text(self, s: str, n: int) -> None:
        """A line kept as a paragraph of the open article (or of the text before the articles)."""
        if self.article:
            self.paragraph += 1
        self.piece.para(s, n)

    def _article(self, am: re.Match, n: int) -> None:
        num = number(am.group(1))
        if too_big(num, "article"):
            self.piece.problems.append((n, too_big(num, "article")))
            return
        if self.tolerant and num <= self.last_article and self.last_article:
            self.piece.flags.append((n, f"第{am.group(1)}条重复或倒退（前一条是第{int_to_cn(self.last_article)}条），"
                                        f"已作为第{int_to_cn(self.last_article)}条的一段导入"))
            self._as_text(am.group(0).strip(), n)
            return
        if self.tolerant and num > self.last_article + 1 and not (self.piece.part and not self.last_article):
            self.piece.skips = True
            self.piece.flags.append((n, f"第{am.group(1)}条之前缺少第{int_to_cn(self.last_article + 1)}条"
                                        "（原文如此），已按原文编号导入"))
        self.last_article = num
        self.article, self.paragraph, self.items = f"a{num}", 1, {}
        self.piece.articles += 1
        self.piece.para("{#" + self.article + "}", n)
        self.piece.para(f"**第{am.group(1)}条**　{am.group(3).strip()}".rstrip("　"), n)


def label_of(article: str | None) -> str:
    return f"第{int_to_cn(int(article[1:]))}条" if article else "正文"


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
    piece.problems.append((n, f"cannot tell which 编 '{plain}' is: write it as 第X编 {name}"))
    return None


def _fields(piece: Piece, edition: str, lines: list[Line]) -> None:
    for h in piece.history:  # a date that is no day (2026年2月30日) would become the version's date
        for m in DATE_RE.finditer(h.text):
            if real_date_problem(m):
                piece.problems.append((h.n, real_date_problem(m)))
    if any("not a real date" in msg for _, msg in piece.problems):
        return
    history = " ".join(h.text for h in piece.history)
    dates = [iso(m) for m in DATE_RE.finditer(history)]
    stated = [iso(m) for m in EFFECTIVE_RE.finditer(history)]
    if not stated:  # 本法自2021年6月1日起施行 (the last article that says so)
        for ln in reversed(lines):
            m = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行", ln.text)
            if m:
                stated = [iso(m)]
                break
    made = [iso(m) for h in piece.history for m in DATE_RE.finditer(h.text)
            if not re.match(r"\s*起?施行", h.text[m.end():])] or dates
    edition = edition or (made[-1] if made else "")
    made = [d for d in made if d <= edition] + ([edition] if edition else [])
    effective = max([d for d in (stated[-1] if stated else "", edition) if d], default="")
    piece.fields = {"title": piece.title, "short_title": short_title(piece.title),
                    "date": made[-1] if made else "", "edition": edition, "effective": effective,
                    **_history_fields(piece, edition)}


def _history_fields(piece: Piece, edition: str) -> dict:
    """文号 and 发文单位 with the act they belong to, and the revision the edition is, as the history
    states them: the last 令号 stated up to the edition, with its own date and body; without one, the
    first 通过/公布/发布 (a law's 发文单位: the body that adopted the edition, where its line says so)."""
    issuer = next(filter(None, (_issuer(h.text) for h in piece.history
                                if any(w in h.text for w in PROMULGATION_WORDS))), "")
    acts = [a for a in history_acts([h.text for h in piece.history]) if not edition or a.day <= edition]
    numbered = [(a, m.group(1)) for a in acts for m in ORDER_RE.finditer(a.text)]
    first = numbered[-1][0] if numbered else next((a for a in acts if a.word in PROMULGATION_WORDS), None)
    revision = next((a for a in reversed(acts) if a.day == edition and a.word in REVISION_WORDS and a is not first),
                    None)
    if numbered:  # the 令号's own act: its body goes with the number
        issuer = _issuer(first.text) or issuer
    elif revision is not None and _issuer(revision.text):
        issuer = _issuer(revision.text)
    return {"number": numbered[-1][1].removeprefix("中华人民共和国") if numbered else "", "issuers": issuer,
            "promulgated": first.day if first else "", "promulgated_by": _issuer(first.text) if first else "",
            "promulgated_as": first.word if first else "",
            "revised_by": revision.shown if revision is not None else ""}

REVISION_WORDS = ("修订", "修正")
ACT_WORDS = ("公布", "发布", "通过", "修订", "修正", "批准", "印发")
# what leads into the next statement's date: 「…第649号公布　根据2019年…」, 「…修订　自2014年…起施行」
CONNECTIVE_RE = re.compile(r"(?:根据|自|并|[，,、;；])+$")
REVISION_RE = re.compile(r"^(.*?)((?:第[一二三四五六七八九十]+次)?(?:修订|修正)(?:通过)?)$")


@dataclass
class Act:
    """One dated statement of a statute's history: 「2014年2月21日 中华人民共和国国务院令第649号公布」,
    「根据2019年3月2日《国务院关于修改部分行政法规的决定》修订」 (several may share a line)."""

    day: str  # ISO date
    date_text: str  # the date as the text writes it: 2019年3月2日
    text: str  # the statement after its date, as written (spaces and a stray bracket dropped)
    word: str  # what it did: 公布 / 发布 / 通过 / 修订 / 修正 / 批准 / 印发 ('' for 施行 and the like)

    @property
    def shown(self) -> str:
        """The statement as a revision is labelled: 「2019年3月2日修订（《国务院关于修改部分行政法规的决定》）」,
        「2018年12月29日第二次修正（第十三届全国人民代表大会常务委员会第七次会议《关于修改…的决定》）」:
        the date and what was done, then by what or whom, in the history line's own words."""
        m = REVISION_RE.match(self.text)
        if not m:
            return f"{self.date_text}{self.text}"
        by = m.group(1).strip()
        return f"{self.date_text}{m.group(2)}" + (f"（{by}）" if by else "")


def history_acts(lines: list[str]) -> list[Act]:
    """The dated statements of a history block, in order: a line is split before each date it
    states (「…第649号公布　根据2019年3月2日《…决定》修订」 is two acts); 「根据」, 「自」 lead into the
    next one's date and are dropped."""
    acts = []
    for line in lines:
        dates = [m for m in DATE_RE.finditer(line) if not real_date_problem(m)]
        for i, m in enumerate(dates):
            end = dates[i + 1].start() if i + 1 < len(dates) else len(line)
            text = CONNECTIVE_RE.sub("", re.sub(r"\s+", "", line[m.end():end]))
            text = _unbracketed(text.strip("，,、;；"))
            if re.match(r"^起?施行", text):
                word = ""
            else:
                found = [(text.rfind(w), w) for w in ACT_WORDS if w in text]
                word = max(found)[1] if found else ""
            acts.append(Act(iso(m), m.group(0), text, word))
    return acts


def _unbracketed(text: str) -> str:
    """「…第二次修订）」 (the history's closing bracket, its opening one on an earlier line) → 「…第二次修订」."""
    while text.endswith(("）", ")")) and text.count("）") + text.count(")") > text.count("（") + text.count("("):
        text = text[:-1]
    while text.startswith(("（", "(")) and text.count("（") + text.count("(") > text.count("）") + text.count(")"):
        text = text[1:]
    return text


def _issuer(text: str) -> str:
    for needle, issuer in ISSUER_PATTERNS:
        if needle in text:
            return issuer
    m = ISSUER_RE.search(DATE_RE.sub(" ", text))
    return m.group(1) if m else ""


__all__ = ["Act", "Line", "Piece", "convert_statute", "history_acts", "short_title", "int_to_cn"]
