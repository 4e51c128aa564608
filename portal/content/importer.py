"""Turn a regulation's text (plain text or Markdown, as it comes) into library Markdown.

Pure functions only. Two layouts are recognised:

* statutes: a title, an optional issuing/revision history in brackets, an optional 目录,
  optional 编/章/节 headings, 第X条 paragraphs and （一）（二） items → ids ``history``,
  ``preamble``, ``pt1``, ``ch2`` (``pt1.ch2`` under a 编), ``ch2.s1``, ``a8``, ``a8.3``;
* 实施方案/意见 style: 一、 / （一） / 1. headings → ids ``1``, ``1.1``, ``1.1.1``, with the
  title block as ``header``, the text before 一、 as ``preamble`` and the signature/date
  block as ``closing``.

Ids come from the document's own numbering, so re-importing a changed text keeps them.
The result is parsed with the library's own parser; its problems are reported against
the lines of the file being imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.content.citations import NUMBER_RE, cn_to_int, normalise_number
from portal.content.policy_doc import REQUIRED_KEYS, ParsedDocument, parse_document
from portal.content.problems import Problem
from portal.content.statute_doc import parse_statute

_CN = "零〇一二三四五六七八九十百千两"
PART_RE = re.compile(rf"^第([{_CN}\d]+)编\s*(.*)$")
CHAPTER_RE = re.compile(rf"^第([{_CN}\d]+)章\s*(.*)$")
SECTION_RE = re.compile(rf"^第([{_CN}\d]+)节\s*(.*)$")
ARTICLE_RE = re.compile(rf"^第([{_CN}\d]+)条\s*(.*)$")
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")
H1_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")
H2_RE = ITEM_RE
H3_RE = re.compile(r"^(\d{1,2})\s*[.．、]\s*(.*)$")
DATE_LINE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HISTORY_WORDS = ("公布", "修订", "修正", "通过", "施行", "发布", "印发")
TITLE_WORDS = ("办法", "条例", "规定", "细则", "规则", "方案", "意见", "通知", "决定", "法", "措施", "计划", "要点", "标准")
KIND_BY_SUFFIX = [("实施方案", "实施方案"), ("方案", "实施方案"), ("意见", "意见"), ("通知", "通知"),
                  ("办法", "办法"), ("条例", "条例"), ("规定", "规定"), ("细则", "细则"), ("规则", "规则"),
                  ("决定", "决定"), ("法", "法律")]


@dataclass
class Conversion:
    file: str
    doc_id: str
    layout: str = "statute"
    markdown: str = ""
    line_map: list[int] = field(default_factory=list)  # markdown line index -> source line
    parsed: ParsedDocument | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def clean_line(line: str) -> str:
    """Drop Markdown decoration and odd spaces a pasted regulation carries."""
    line = line.replace("\u3000", " ").replace("\xa0", " ").strip()
    line = re.sub(r"^#{1,6}\s*", "", line)
    line = re.sub(r"^>\s*", "", line)
    line = line.replace("**", "").replace("__", "")
    return line.strip()


def split_front_matter(text: str) -> tuple[dict, list[tuple[int, str]]]:
    """Loose front matter (key: value) of a raw file, and its body lines with line numbers."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    meta: dict = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            for line in lines[1:end]:
                m = re.match(r"^([A-Za-z_]+)\s*:\s*(.*)$", line)
                if m:
                    meta[m.group(1)] = m.group(2).strip()
            start = end + 1
    return meta, [(i + 1, lines[i]) for i in range(start, len(lines))]


def is_library_format(text: str) -> bool:
    """Already clause-marked: has front matter or {#id} markers."""
    stripped = text.lstrip("\ufeff").lstrip()
    return bool(re.search(r"\{#[^{}\n]+\}", text)) or (stripped.startswith("---") and "\nid:" in text)


def detect_layout(lines: list[str]) -> str:
    articles = sum(1 for s in lines if ARTICLE_RE.match(s))
    headings = sum(1 for s in lines if H1_RE.match(s))
    return "statute" if articles and articles >= headings else "scheme"


def _kind_for(title: str) -> str:
    return next((kind for suffix, kind in KIND_BY_SUFFIX if title.endswith(suffix)), "规范性文件")


def _number_in(lines: list[str]) -> str:
    for s in lines:
        m = NUMBER_RE.search(s)
        if m:
            return normalise_number(m["prefix"], m["year"], m["seq"])
    return ""


def _is_title(s: str) -> bool:
    return (len(s) >= 4 and not NUMBER_RE.fullmatch(s) and not s.endswith("文件")
            and not s.startswith(("（", "(")) and not DATE_LINE_RE.match(s)
            and any(w in s for w in TITLE_WORDS))


def _iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


class _Out:
    def __init__(self):
        self.lines: list[str] = []
        self.map: list[int] = []

    def add(self, text: str, src: int) -> None:
        for part in text.split("\n"):
            self.lines.append(part)
            self.map.append(src)

    def para(self, text: str, src: int) -> None:
        if self.lines and self.lines[-1] != "":
            self.add("", src)
        self.add(text, src)
        self.add("", src)


def convert_text(text: str, file: str, doc_id: str, source_name: str = "", meta: dict | None = None) -> Conversion:
    """Raw regulation text → library Markdown, parsed and checked."""
    conv = Conversion(file, doc_id)
    given, numbered = split_front_matter(text)
    given = {**given, **(meta or {})}
    body = [(n, clean_line(s)) for n, s in numbered]
    body = [(n, s) for n, s in body if s]
    if not body:
        conv.problems.append(Problem(file, 1, "the file has no text to import"))
        return conv
    conv.layout = detect_layout([s for _, s in body])
    out = _Out()
    fields = (_convert_statute if conv.layout == "statute" else _convert_scheme)(body, out)
    fields = {k: v for k, v in fields.items() if v}
    front = {key: "" for key in REQUIRED_KEYS}
    front.update({"kind": _kind_for(fields.get("title", "")), "status": "待核实",
                  "notes": "导入的文本；原文未写明的字段留空，待管理员核实。"})
    front.update(fields)
    front.update({k: v for k, v in given.items() if k in REQUIRED_KEYS + ("short_title",) and v})
    front["id"] = doc_id
    front["source"] = source_name or front.get("source", "") or file.replace("\\", "/").rsplit("/", 1)[-1]
    head = ["---"] + [f"{k}: {v}" for k, v in front.items()] + ["---", ""]
    conv.markdown = "\n".join(head + out.lines).rstrip("\n") + "\n"
    conv.line_map = [1] * len(head) + out.map
    parse = parse_statute if conv.layout == "statute" else parse_document
    conv.parsed = parse(conv.markdown, file)
    if not front.get("title"):
        conv.problems.append(Problem(file, 1, "no title found: the first line should be the regulation's title"))
    for e in conv.parsed.errors:
        src = conv.line_map[e.line - 1] if 0 < e.line <= len(conv.line_map) else 1
        conv.problems.append(Problem(file, src, e.message))
    conv.problems.sort(key=lambda p: p.line)
    return conv


def _take_title(body: list[tuple[int, str]]) -> tuple[int, str]:
    """Index and text of the title line."""
    for i, (_, s) in enumerate(body[:8]):
        if _is_title(s):
            return i, s.strip("《》")
    return 0, body[0][1].strip("《》")


def _convert_statute(body: list[tuple[int, str]], out: _Out) -> dict:
    t, title = _take_title(body)
    fields = {"title": title, "number": _number_in([s for _, s in body[: t + 4]])}
    part = chapter = None
    counters: dict[str, int] = {}
    article = None
    state = "head"  # head -> (toc) -> body
    toc_first: str | None = None
    history, preamble = [], []
    for i, (n, s) in enumerate(body):
        if i <= t:
            continue
        plain = s.replace(" ", "")
        if state == "head" and plain in ("目录", "目次"):
            _flush_head(out, history, preamble, fields)
            state = "toc"
            continue
        if state == "toc":
            if toc_first is None:
                toc_first = plain
                continue
            if plain != toc_first:
                continue
            state = "body"
        heading = PART_RE.match(plain) or CHAPTER_RE.match(plain) or SECTION_RE.match(plain)
        am = ARTICLE_RE.match(s)
        if state == "head" and not heading and not am:
            if s.startswith(("（", "(")) and any(w in s for w in HISTORY_WORDS) or (
                    not preamble and DATE_RE.search(s) and any(w in s for w in HISTORY_WORDS)):
                history.append((n, s))
            else:
                preamble.append((n, s))
            continue
        if state == "head":
            state = "body"
            _flush_head(out, history, preamble, fields)
        if heading:
            num = _int(heading.group(1))
            name = heading.group(2).strip()
            unit = {PART_RE: "编", CHAPTER_RE: "章", SECTION_RE: "节"}[heading.re]
            text = f"第{heading.group(1)}{unit}" + (f" {name}" if name else "")
            if heading.re is PART_RE:
                part, chapter, cid, depth = f"pt{num}", None, f"pt{num}", 2
            elif heading.re is CHAPTER_RE:
                chapter = f"{part}.ch{num}" if part else f"ch{num}"
                cid, depth = chapter, 3 if part else 2
            else:
                cid = f"{chapter}.s{num}" if chapter else f"s{num}"
                depth = 4 if part else 3
            out.para(f"{'#' * depth} {text} {{#{cid}}}", n)
            article = None
            continue
        if am:
            num = _int(am.group(1))
            article = f"a{num}"
            counters[article] = 0
            out.para("{#" + article + "}", n)
            out.para(f"**第{am.group(1)}条**　{am.group(2).strip()}".rstrip("　"), n)
            continue
        im = ITEM_RE.match(s)
        if im and article:
            counters[article] = _int(im.group(1))
            out.para(f"{{#{article}.{counters[article]}}}{s}", n)
            continue
        out.para(s, n)
    return fields


def _flush_head(out: _Out, history: list, preamble: list, fields: dict) -> None:
    if history:
        out.para("{#history}", history[0][0])
        for hn, hs in history:
            out.para(hs, hn)
        dm = DATE_RE.search(" ".join(hs for _, hs in history))
        if dm:
            fields["date"] = _iso(dm)
    if preamble:
        out.para("{#preamble}", preamble[0][0])
        for pn, ps in preamble:
            out.para(ps, pn)
    history.clear()
    preamble.clear()


def _convert_scheme(body: list[tuple[int, str]], out: _Out) -> dict:
    t, title = _take_title(body)
    fields = {"title": title, "number": _number_in([s for _, s in body[:t]])}
    head_end = t
    for j in range(t + 1, min(t + 4, len(body))):
        if body[j][1].endswith(("：", ":")) and not H1_RE.match(body[j][1]):
            fields["addressees"] = body[j][1].rstrip("：:")
            head_end = j
            break
    closing = _closing_start(body)
    first_h1 = next((i for i, (_, s) in enumerate(body) if i > head_end and H1_RE.match(s)), len(body))
    out.para("{#header}", body[0][0])
    for i in range(head_end + 1):
        n, s = body[i]
        out.para(f"**{s}**" if i == t else s, n)
    if first_h1 > head_end + 1:
        out.para("{#preamble}", body[head_end + 1][0])
    h1 = h2 = 0
    for i in range(head_end + 1, len(body)):
        n, s = body[i]
        if i == closing:
            out.para("{#closing}", n)
            dm = DATE_LINE_RE.match(body[closing:][-1][1]) or next(
                (DATE_LINE_RE.match(x) for _, x in body[closing:] if DATE_LINE_RE.match(x)), None)
            if dm:
                fields["date"] = _iso(dm)
        if i < closing and i >= first_h1:
            m1, m2, m3 = H1_RE.match(s), H2_RE.match(s), H3_RE.match(s)
            if m1:
                h1, h2 = _int(m1.group(1)), 0
                _heading(out, 2, s, str(h1), n)
                continue
            if m2 and h1:
                h2 = _int(m2.group(1))
                _heading(out, 3, s, f"{h1}.{h2}", n)
                continue
            if m3 and h1 and h2:
                _heading(out, 4, s, f"{h1}.{h2}.{int(m3.group(1))}", n)
                continue
        out.para(s, n)
    return fields


def _heading(out: _Out, depth: int, line: str, cid: str, n: int) -> None:
    """A heading line; a long line with its body after the first 。 is split in two."""
    m = re.match(r"^(.{2,40}?[。：:])(.+)$", line)
    if m and len(line) > 40:
        out.para(f"{'#' * depth} {m.group(1)} {{#{cid}}}", n)
        out.para(m.group(2).strip(), n)
    else:
        out.para(f"{'#' * depth} {line} {{#{cid}}}", n)


def _closing_start(body: list[tuple[int, str]]) -> int:
    """Index of the signature/date block at the end, or len(body) when there is none."""
    date_at = max((i for i, (_, s) in enumerate(body) if DATE_LINE_RE.match(s)), default=None)
    if date_at is None or date_at < len(body) - 4:
        return len(body)
    i = date_at
    while i - 1 >= 0 and len(body[i - 1][1]) <= 25 and not body[i - 1][1].endswith(("。", "；", "，", "：")) \
            and not (H1_RE.match(body[i - 1][1]) or H2_RE.match(body[i - 1][1]) or H3_RE.match(body[i - 1][1])):
        i -= 1
    return i


def _int(numeral: str) -> int:
    try:
        return cn_to_int(numeral)
    except ValueError:
        return 0
