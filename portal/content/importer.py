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

from portal.content.citations import NUMBER_RE, cn_to_int, int_to_cn, normalise_number
from portal.content.policy_doc import OPTIONAL_KEYS, REQUIRED_KEYS, ParsedDocument, parse_document, plain_text
from portal.content.problems import Problem, date_problem
from portal.content.statute_doc import AS_PUBLISHED, parse_statute
from portal.content.statute_history import _issuer
from portal.content.statute_import import Line, Piece, convert_statute

_CN = "零〇一二三四五六七八九十百千两"
ARTICLE_RE = re.compile(rf"^第([{_CN}\d]+)条\s*(.*)$")
VERSION_IN_NAME_RE = re.compile(r"[（(](\d{4})-(\d{2})-(\d{2})[)）]")
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")
H1_RE = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")
H2_RE = ITEM_RE
H3_RE = re.compile(r"^(\d{1,2})\s*[.．、]\s*(.*)$")
DATE_LINE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
TITLE_WORDS = ("办法", "条例", "规定", "细则", "规则", "方案", "意见", "通知", "决定", "法", "措施", "计划", "要点", "标准")
KIND_BY_SUFFIX = [("实施方案", "实施方案"), ("方案", "实施方案"), ("意见", "意见"), ("通知", "通知"),
                  ("办法", "办法"), ("条例", "条例"), ("规定", "规定"), ("细则", "细则"), ("规则", "规则"),
                  ("决定", "决定"), ("法典", "法律"), ("法", "法律")]


@dataclass
class Conversion:
    file: str
    doc_id: str
    layout: str = "statute"
    markdown: str = ""
    line_map: list[tuple[str, int]] = field(default_factory=list)  # markdown line index -> (file, line)
    parsed: ParsedDocument | None = None
    problems: list[Problem] = field(default_factory=list)
    flags: list[Problem] = field(default_factory=list)  # imported, but not as the source numbered it: where and why
    articles: int = 0  # 第X条 headings found in the source

    @property
    def ok(self) -> bool:
        return not self.problems


def clean_line(line: str) -> str:
    """Drop Markdown decoration and odd spaces a pasted regulation carries."""
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "").strip()
    # the regexes only where the line starts with what they remove (this runs on every line of a bulk import)
    if line.startswith("<!--") and _COMMENT_RE.fullmatch(line):
        return ""
    if line.startswith("#"):
        line = _HASHES_RE.sub("", line)
    if line.startswith(">"):
        line = _QUOTE_RE.sub("", line)
    line = line.replace("**", "").replace("__", "")
    return line.strip()


_COMMENT_RE, _HASHES_RE, _QUOTE_RE = re.compile(r"<!--.*-->"), re.compile(r"^#{1,6}\s*"), re.compile(r"^>\s*")


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


def edition_of(file_name: str) -> str:
    """未成年人保护法(2024-04-26).md → 2024-04-26 (the LawRefBook way of naming a version)."""
    m = VERSION_IN_NAME_RE.search(file_name.replace("\\", "/").rsplit("/", 1)[-1])
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


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
    def __init__(self, file: str = ""):
        self.file = file
        self.lines: list[str] = []
        self.map: list[tuple[str, int]] = []

    def add(self, text: str, src: int, file: str | None = None) -> None:
        for part in text.split("\n"):
            self.lines.append(part)
            self.map.append((file or self.file, src))

    def para(self, text: str, src: int, file: str | None = None) -> None:
        if self.lines and self.lines[-1] != "":
            self.add("", src, file)
        self.add(text, src, file)
        self.add("", src, file)


@dataclass
class _Source:
    file: str
    meta: dict
    lines: list[Line]
    head_end: int | None


def _read(text: str, file: str) -> _Source:
    given, numbered = split_front_matter(text)
    head_end = next((n for n, s in numbered if "INFO END" in s and s.strip().startswith("<!--")), None)
    lines = [Line(n, clean_line(s), bool(re.match(r"^#\s", s.strip()))) for n, s in numbered]
    return _Source(file, given, [ln for ln in lines if ln.text], head_end)


def convert_text(text: str, file: str, doc_id: str, source_name: str = "", meta: dict | None = None,
                 tolerant: bool = True) -> Conversion:
    """Raw regulation text → library Markdown, parsed and checked."""
    return convert_files([(text, file)], doc_id, source_name, meta, tolerant)


def convert_files(files: list[tuple[str, str]], doc_id: str, source_name: str = "",
                  meta: dict | None = None, tolerant: bool = True) -> Conversion:
    """One document from one file, or from several files of one code (民法典's 编, each titled
    中华人民共和国民法典): raw text → library Markdown, parsed and checked; problems name the
    line of the file they are in."""
    sources = [_read(text, file) for text, file in files]
    conv = Conversion(", ".join(f for _, f in files), doc_id)
    for src in sources:
        if not src.lines:
            conv.problems.append(Problem(src.file, 1, "the file has no text to import"))
    if conv.problems:
        return conv
    given = {k: v for src in sources for k, v in src.meta.items()}
    given.update(meta or {})
    layouts = {detect_layout([ln.text for ln in src.lines]) for src in sources}
    conv.layout = "statute" if layouts == {"statute"} else "scheme"
    out = _Out(sources[0].file)
    if conv.layout == "statute":
        fields = _assemble_statute(sources, out, conv, tolerant)
        if conv.problems:  # the files do not make one document: say why, convert nothing
            return conv
    elif len(sources) > 1:
        conv.problems.append(Problem(sources[0].file, 1, "only a statute (第X条) may be given as several files"))
        return conv
    elif sources[0].lines[0].text.rstrip("》").endswith("决定"):
        fields = _convert_decision(sources[0].lines, out)
    else:
        fields = _convert_scheme([(ln.n, ln.text) for ln in sources[0].lines], out)
    fields = {k: v for k, v in fields.items() if v}
    front = {key: "" for key in REQUIRED_KEYS}
    front.update({"kind": _kind_for(fields.get("title", "")), "status": "待核实",
                  "notes": "导入的文本；原文未写明的字段留空，待管理员核实。"})
    front.update(fields)
    front.update({k: "; ".join(v) if isinstance(v, list) else v for k, v in given.items()
                  if k in REQUIRED_KEYS + OPTIONAL_KEYS and v})
    front["id"] = doc_id
    front["source"] = source_name or front.get("source", "") or "; ".join(
        s.file.replace("\\", "/").rsplit("/", 1)[-1] for s in sources)
    head = ["---"] + [f"{k}: {v}" for k, v in front.items()] + ["---", ""]
    conv.markdown = "\n".join(head + out.lines).rstrip("\n") + "\n"
    conv.line_map = [(sources[0].file, 1)] * len(head) + out.map
    parse = parse_statute if conv.layout == "statute" else parse_document
    conv.parsed = parse(conv.markdown, conv.file)
    if not front.get("title"):
        conv.problems.append(Problem(sources[0].file, 1, "no title found: the first line should be the regulation's title"))
    dates_named = any("not a real date" in p.message for p in conv.problems)
    md_lines = conv.markdown.split("\n") if conv.parsed.errors else []
    for e in conv.parsed.errors:
        if dates_named and "not a real date" in e.message:
            continue  # the front matter's copy of a date already reported where it was written
        src_file, src_line = conv.line_map[e.line - 1] if 0 < e.line <= len(conv.line_map) else (sources[0].file, 1)
        # an import's reader is told in Chinese about the text converted from the file; content/'s
        # reviewed raw texts (strict) keep the checks' own words, as their reviewers read them
        told = tolerant and len(head) < e.line <= len(md_lines)
        conv.problems.append(Problem(src_file, src_line, _for_reader(e.message, md_lines, e.line) if told else e.message))
    conv.problems.sort(key=lambda p: (p.file, p.line))
    return conv


# The library's checks of a converted text, as the person importing it is told of them: what the
# line says and what is wrong with it, in Chinese, without the clause ids the check names (a8,
# ch2.s1 mean nothing to them). The converter writes what the checks accept, so this is the word
# for a case it did not foresee.
_REASONS = (("numbering skips or repeats", "编号与前文接不上（重复、倒退或跳号）"),
            ("malformed clause id", "无法识别它的层级"),
            ("duplicate clause id", "与前文的编号重复"),
            ("should start with", "开头的编号与它的位置不一致"), ("does not match", "开头的编号与它的位置不一致"),
            ("starts with", "开头的编号与它的位置不一致"),
            ("item", "项的编号或位置不对"),
            ("", "层级或位置无法识别"))


def _for_reader(message: str, md_lines: list[str], line: int) -> str:
    """A check's message about converted line ``line`` (1-based), told in Chinese with the text there."""
    shown = ""
    for md in md_lines[line - 1:line + 3]:  # an article's id line is empty: its text follows
        shown = plain_text(md).strip()
        if shown:
            break
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    reason = next(zh for en, zh in _REASONS if en in message)
    return f"“{shown}”{reason}，本文件未导入；请核对这一行的编号" if shown else f"此处{reason}，本文件未导入；请核对这一行的编号"


def _assemble_statute(sources: list[_Source], out: _Out, conv: Conversion, tolerant: bool = True) -> dict:
    for s in sources:
        reason = date_problem("the version date in the file name", edition_of(s.file))
        if reason:
            conv.problems.append(Problem(s.file, 1, reason + ": rename the file with the date the version was "
                                         "adopted, like 未成年人保护法(2024-04-26).md"))
    pieces = [convert_statute(s.lines, s.file, s.head_end, "" if conv.problems else edition_of(s.file), tolerant)
              for s in sources]
    for piece in pieces:
        conv.problems.extend(Problem(piece.file, n, msg) for n, msg in piece.problems)
        conv.flags.extend(Problem(piece.file, n, msg) for n, msg in piece.flags)
        conv.articles += piece.articles
    if len(pieces) > 1:
        _check_code_parts(pieces, conv)
        pieces.sort(key=lambda p: p.part[0] if p.part else 0)
    _write_statute(pieces, out)
    return _statute_fields(pieces)


def _check_code_parts(pieces: list[Piece], conv: Conversion) -> None:
    """The files of one code (民法典 in parts) share its title and each names its 编."""
    titles = {p.title for p in pieces}
    if len(titles) > 1:
        conv.problems.append(Problem(pieces[1].file, pieces[1].title_line,
                                     f"the files of one code must share its title: {' / '.join(sorted(titles))}"))
    for p in pieces:
        if p.part is None and not p.problems:
            conv.problems.append(Problem(p.file, p.title_line, "a code given as several files needs each "
                                         "file's 编 as a second heading, e.g. # 第五编 婚姻家庭"))


def balanced_history(lines: list[str]) -> list[str]:
    """A history block's lines with a bracket its source left unmatched dropped: a source that cut the
    opening 「（」 of 「（2016年…通过　2023年…修正）」 ended its last line with a lone 「）」."""
    text = "".join(lines)
    opened = text.count("（") + text.count("(")
    closed = text.count("）") + text.count(")")
    out = list(lines)
    if closed > opened and out and out[-1].endswith(("）", ")")):
        out[-1] = out[-1][:-1]
    elif opened > closed and out and out[0].startswith(("（", "(")):
        out[0] = out[0][1:]
    return out


def _write_statute(pieces: list[Piece], out: _Out) -> None:
    """The history (each line once), the preamble, then each piece's 编 heading and body."""
    history, seen = [], set()
    for p in pieces:
        for h in p.history:
            if h.text not in seen:
                seen.add(h.text)
                history.append((p.file, h))
    if history:
        out.para("{#history}", history[0][1].n, history[0][0])
        texts = balanced_history([h.text for _, h in history])
        for (f, h), text in zip(history, texts, strict=True):
            out.para(text, h.n, f)
    preamble = [(p.file, ln) for p in pieces for ln in p.preamble]
    if preamble:
        out.para("{#preamble}", preamble[0][1].n, preamble[0][0])
        for f, ln in preamble:
            out.para(ln.text, ln.n, f)
    for p in pieces:
        if p.part:
            num, name, n = p.part
            out.para(f"## 第{int_to_cn(num)}编 {name} {{#pt{num}}}", n, p.file)
        for text, n in p.body:
            out.add(text, n, p.file)


def _statute_fields(pieces: list[Piece]) -> dict:
    """The front matter: the first piece's, with a code's dates the latest stated across its parts."""
    fields = dict(pieces[0].fields)
    if len(pieces) > 1:
        for key in ("date", "edition", "effective"):
            fields[key] = max((p.fields.get(key, "") for p in pieces), default="")
        fields["issuers"] = next((p.fields["issuers"] for p in pieces if p.fields.get("issuers")), "")
        for key in ("promulgated", "promulgated_by", "promulgated_as", "revised_by"):  # the parts share one history
            fields[key] = next((p.fields[key] for p in pieces if p.fields.get(key)), "")
    fields.setdefault("number", "")
    if any(p.skips for p in pieces):
        fields["numbering"] = AS_PUBLISHED
    if fields.get("edition"):
        fields["notes"] = ("导入的文本；原文未写明的字段留空，待管理员核实。版本日期取自文件名或沿革；施行日期按正文"
                           "“自…起施行”与版本日期中较晚者推定（修正决定本身的施行日期不载于正文），待核实。")
    return fields


def _convert_decision(lines: list[Line], out: _Out) -> dict:
    """A 决定 amending a law: title and history (``header``), the enacting sentence
    (``preamble``), its numbered amendments 一、二、 (``1``, ``2``), and the closing sentences
    (本决定自…施行; …根据本决定作相应修改) as ``closing``."""
    title = lines[0].text.strip("《》")
    fields = {"title": title, "kind": "决定"}
    out.para("{#header}", lines[0].n)
    out.para(f"**{title}**", lines[0].n)
    rest = lines[1:]
    history = [ln for ln in rest[:6] if DATE_RE.search(ln.text) and any(w in ln.text for w in ("通过", "公布"))]
    for ln in history:
        out.para(ln.text, ln.n)
        fields["date"] = fields.get("date") or _iso(DATE_RE.search(ln.text))
        fields["issuers"] = fields.get("issuers") or _issuer(ln.text)
    rest = [ln for ln in rest if ln not in history]
    first = next((i for i, ln in enumerate(rest) if H1_RE.match(ln.text)), len(rest))
    last = max((i for i, ln in enumerate(rest) if H1_RE.match(ln.text)), default=-1)
    closing = next((i for i in range(last + 1, len(rest)) if rest[i].text.startswith("本决定")
                    or "根据本决定" in rest[i].text), len(rest))
    if first:
        out.para("{#preamble}", rest[0].n)
    item = 0
    for i, ln in enumerate(rest):
        if i == closing:
            out.para("{#closing}", ln.n)
        m = H1_RE.match(ln.text)
        if m and first <= i < closing:
            item = _int(m.group(1))
            _heading(out, 2, ln.text, str(item), ln.n)
            continue
        effective = re.search(r"本决定自(\d{4})年(\d{1,2})月(\d{1,2})日起施行", ln.text)
        if effective:
            fields["effective"] = _iso(effective)
        elif "本决定自公布之日起施行" in ln.text and fields.get("date"):
            fields["effective"] = fields["date"]
        out.para(ln.text, ln.n)
    return fields


def _take_title(body: list[tuple[int, str]]) -> tuple[int, str]:
    """Index and text of the title line."""
    for i, (_, s) in enumerate(body[:8]):
        if _is_title(s):
            return i, s.strip("《》")
    return 0, body[0][1].strip("《》")


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
