"""Policy documents as clause-marked Markdown.

Pure functions only (no Flask, no database). The document format:

* front matter between two lines of exactly ``---``, one ``key: value`` a line;
* a clause starts with a heading carrying its id (``## 一、指导思想 {#1}``) or
  with a line holding only the id (``{#preamble}``);
* a finer anchor (a paragraph, one sentence) is ``{#3.1.1.2}`` written inside
  the text, immediately before what it marks; it runs to the next anchor or
  the end of the paragraph.

The errata lists that tie a clean copy to its OCR source are in
:mod:`portal.content.errata`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from portal.content.problems import Problem, date_problem, decode_utf8

REQUIRED_KEYS = ("id", "title", "number", "issuers", "addressees", "date",
                 "kind", "status", "source", "errata", "notes")
# edition: the version date of a statute; numbering: 原文编号 when the imported source's numbering
# skips forward (a heading or article missing in the source), kept as published. A statute's history
# as its text states it (portal.content.statute_import): promulgated, the date of the act its 文号 (or,
# without one, its first 通过/公布) belongs to, with that act's body and word (promulgated_by, _as);
# revised_by, the history's statement of the revision the edition is, in its own words
OPTIONAL_KEYS = ("short_title", "edition", "effective", "numbering",
                 "promulgated", "promulgated_by", "promulgated_as", "revised_by")
NON_EMPTY_KEYS = ("id", "title", "kind", "source")  # status may be empty: a document that states none
SPECIAL_IDS = {"header": "文头", "preamble": "序言", "closing": "落款"}

ID_RE = re.compile(r"^(?:header|preamble|closing|[1-9]\d*(?:\.[1-9]\d*)*)$")
ANCHOR_RE = re.compile(r"\{#([^{}\n]*)\}")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
HEADING_ID_RE = re.compile(r"\s*\{#([^{}]*)\}\s*$")
BLOCK_ID_RE = re.compile(r"^\{#([^{}]*)\}$")
META_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CN_DIGITS = "零一二三四五六七八九"
# The number a heading must start with, by clause depth: 一、 / （一） / 1. / （1）. The one home of the
# numbering rules: `portal.plan_text.reader` reads uploaded plans by the same patterns.
HEADING_NUMBER = {
    1: re.compile(r"^([一二三四五六七八九十]+)、"),
    2: re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]"),
    3: re.compile(r"^(\d+)[.．、](?!\d)"),
    4: re.compile(r"^[（(](\d+)[）)]"),
}


class ContentError(Problem):
    """A problem in a content file: ``file:line: message``."""

    @property
    def filename(self) -> str:
        return self.file


@dataclass
class Clause:
    id: str
    label: str
    title: str | None
    parent: str | None
    level: int
    markdown: str
    text: str
    line: int
    kind: str = "section"  # "section" (heading or {#id} line) or "anchor" (inside a section)


@dataclass
class ParsedDocument:
    filename: str
    meta: dict = field(default_factory=dict)
    clauses: list[Clause] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)

    @property
    def sections(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "section"]

    def get(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)


# ---------------------------------------------------------------- labels


def cn_number(n: int) -> str:
    """1..99 as Chinese numerals: 1→一, 10→十, 12→十二, 21→二十一."""
    if not 0 < n < 100:
        raise ValueError(f"cannot write {n} in Chinese numerals")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[ones] if ones else "")


def cn_value(numeral: str) -> int:
    """Inverse of cn_number; -1 for anything it would not write."""
    for n in range(1, 100):
        if cn_number(n) == numeral:
            return n
    return -1


def label_for(clause_id: str) -> str:
    """Display label: 3→三, 3.1→三（一）, 3.1.1→三（一）1, 3.1.1.2→三（一）1 第2段."""
    if clause_id in SPECIAL_IDS:
        return SPECIAL_IDS[clause_id]
    if not ID_RE.match(clause_id):
        raise ValueError(f"not a clause id: {clause_id!r}")
    parts = [int(p) for p in clause_id.split(".")]
    label = cn_number(parts[0])
    if len(parts) > 1:
        label += f"（{cn_number(parts[1])}）"
    if len(parts) > 2:
        label += str(parts[2])
    if len(parts) > 3:
        label += f" 第{parts[3]}段"
    for extra in parts[4:]:
        label += f".{extra}"
    return label


_CN_NUMERAL = "[一二三四五六七八九十]+"
LABEL_RE = re.compile(rf"^({_CN_NUMERAL})(?:（({_CN_NUMERAL})）)?(\d+)?(?:\s*第(\d+)段)?$")


def clause_id_for_label(label: str) -> str | None:
    """Inverse of label_for, as people write labels back (a 任务分工表's 来源条款): 三（二）8 → 3.2.8,
    三（一）1 第2段 → 3.1.1.2, 四（三） → 4.3, 文头 → header; an id (3.2.8) stays itself. None for
    anything else (第八条, 三8: a number needs its （一） level)."""
    label = label.strip().replace("(", "（").replace(")", "）")
    if ID_RE.match(label):
        return label
    special = {v: k for k, v in SPECIAL_IDS.items()}
    if label in special:
        return special[label]
    m = LABEL_RE.match(label)
    if not m or (m.group(3) and not m.group(2)) or (m.group(4) and not m.group(3)):
        return None
    parts = [cn_value(m.group(1))] + ([cn_value(m.group(2))] if m.group(2) else [])
    if min(parts) < 1:
        return None
    parts += [int(g) for g in m.group(3, 4) if g]
    clause_id = ".".join(str(p) for p in parts)
    return clause_id if ID_RE.match(clause_id) else None  # 三（二）0


def citation_for(meta: dict, clause_id: str | None = None) -> str:
    """《title》（number）label — the number is left out when the document has none."""
    cite = f"《{meta['title']}》"
    if meta.get("number"):
        cite += f"（{meta['number']}）"
    return cite + (label_for(clause_id) if clause_id else "")


# ---------------------------------------------------------------- text


def plain_text(markdown: str) -> str:
    """Strip the markup this format uses: anchors, heading marks, bold, rules."""
    lines = []
    for line in ANCHOR_RE.sub("", markdown).splitlines():
        if re.fullmatch(r"\s*-{3,}\s*", line):
            continue
        line = re.sub(r"^#{1,6}\s+", "", line).replace("**", "")
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalise_for_fidelity(text: str) -> str:
    """Plain text with every whitespace character removed."""
    return re.sub(r"\s+", "", plain_text(text))


# ---------------------------------------------------------------- parsing


def read_document(path: str | Path) -> ParsedDocument:
    path = Path(path)
    text, problems = decode_utf8(path.read_bytes(), str(path))
    if text is None:
        return ParsedDocument(str(path), errors=[ContentError(p.file, p.line, p.message) for p in problems])
    return parse_document(text, str(path))


def parse_document(text: str, filename: str) -> ParsedDocument:
    doc = ParsedDocument(filename)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    body_start = _parse_front_matter(lines, doc)
    _Parser(doc).run(lines, body_start)
    return doc


def _error(doc: ParsedDocument, line: int, message: str) -> None:
    doc.errors.append(ContentError(doc.filename, line, message))


def _parse_front_matter(lines: list[str], doc: ParsedDocument) -> int:
    """Fill doc.meta; return the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        _error(doc, 1, "the file must start with front matter: a line '---', 'key: value' lines, then '---'")
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        _error(doc, 1, "front matter is not closed by a line '---'")
        return len(lines)
    seen = _read_meta(lines, end, doc)
    _check_meta(doc, seen, end)
    if "issuers" in doc.meta:
        doc.meta["issuers"] = [s.strip() for s in re.split(r"[;；]", doc.meta["issuers"]) if s.strip()]
    return end + 1


def _read_meta(lines: list[str], end: int, doc: ParsedDocument) -> dict[str, int]:
    """The 'key: value' lines between the two '---' into doc.meta; returns each key's line."""
    seen: dict[str, int] = {}
    for i in range(1, end):
        if not lines[i].strip():
            continue
        m = META_RE.match(lines[i])
        if not m:
            _error(doc, i + 1, "expected 'key: value' in front matter")
            continue
        key, value = m.group(1), m.group(2).strip()
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            _error(doc, i + 1, f"unknown front-matter key '{key}' (allowed: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})")
        elif key in seen:
            _error(doc, i + 1, f"duplicate front-matter key '{key}' (first at line {seen[key]})")
        else:
            seen[key] = i + 1
            doc.meta[key] = value
    return seen


def _check_meta(doc: ParsedDocument, seen: dict[str, int], end: int) -> None:
    """Required keys present and filled, a well-formed id, well-formed dates."""
    for key in REQUIRED_KEYS:
        if key not in seen:
            _error(doc, end + 1, f"missing front-matter key '{key}'")
        elif key in NON_EMPTY_KEYS and not doc.meta[key]:
            _error(doc, seen[key], f"front-matter key '{key}' must not be empty")
    if doc.meta.get("id") and not DOC_ID_RE.match(doc.meta["id"]):
        _error(doc, seen["id"], "id must be lowercase letters, digits and '-'")
    for key in ("date", "edition", "effective", "promulgated"):
        reason = date_problem(key, doc.meta.get(key, ""))
        if reason:
            _error(doc, seen[key], reason)


@dataclass
class _Section:
    clause: Clause
    heading_line: str | None
    body: list[tuple[int, str]] = field(default_factory=list)


class ClauseParser:
    """The line loop both layouts share (this module's numbered plans, ``statute_doc``'s laws):
    a heading ending in ``{#id}`` or a line ``{#id}`` opens a clause, the lines after it are its
    body; once the file is read each clause is finished. Subclasses say which ids are valid
    (``ID_RE``, ``MALFORMED``), the two messages, and implement ``_start`` and ``_finish``."""

    ID_RE: re.Pattern = ID_RE
    MALFORMED = "malformed clause id {{#{cid}}}: use header, preamble, closing or numbers like 3.1.2"
    NO_ID = "heading without a clause id: end it with {#id}"
    OUTSIDE = "text outside any clause: start a clause with a heading ending in {#id} or a line {#id}"

    def __init__(self, doc: ParsedDocument):
        self.doc = doc
        self.first_line: dict[str, int] = {}  # every id seen -> its line
        self.sections: list = []

    def err(self, line: int, message: str) -> None:
        _error(self.doc, line, message)

    def run(self, lines: list[str], start: int) -> None:
        current = None
        for i in range(start, len(lines)):
            lineno, line = i + 1, lines[i]
            heading = HEADING_RE.match(line)
            block = BLOCK_ID_RE.match(line.strip())
            if heading:
                m = HEADING_ID_RE.search(heading.group(2))
                if not m:
                    self.err(lineno, self.NO_ID)
                    continue
                text = heading.group(2)[: m.start()].strip()
                current = self._start(m.group(1).strip(), lineno, text, len(heading.group(1)))
            elif block:
                current = self._start(block.group(1).strip(), lineno, None, None)
            elif current is None:
                if line.strip():
                    self.err(lineno, self.OUTSIDE)
            else:
                current.body.append((lineno, line))
        for section in self.sections:
            self._finish(section)

    def _claim(self, cid: str, lineno: int) -> bool:
        """Whether ``cid`` is a valid id seen for the first time (else reported)."""
        if not self.ID_RE.match(cid):
            self.err(lineno, self.MALFORMED.format(cid=cid))
            return False
        if cid in self.first_line:
            self.err(lineno, f"duplicate clause id {cid} (first at line {self.first_line[cid]})")
            return False
        self.first_line[cid] = lineno
        return True

    def _start(self, cid: str, lineno: int, heading: str | None, hashes: int | None):
        raise NotImplementedError

    def _finish(self, section) -> None:
        raise NotImplementedError


class _Parser(ClauseParser):
    """One pass over the body: split into sections, then find anchors in each."""

    def __init__(self, doc: ParsedDocument):
        super().__init__(doc)
        self.open_path: list[str] = []  # open numeric sections, outermost first
        self.last_child: dict[str, int] = {}  # parent id ("" = top) -> last child number
        self.seen_numeric = False
        self.closed = False
        self.sections: list[_Section] = []

    def _start(self, cid: str, lineno: int, heading: str | None, hashes: int | None) -> _Section:
        ok = self._claim(cid, lineno)
        if ok:
            self._check_place(cid, lineno, heading, hashes)
        parts = cid.split(".")
        clause = Clause(
            id=cid, label=label_for(cid) if ok else cid, title=_title(heading), line=lineno,
            parent=".".join(parts[:-1]) or None, level=len(parts), markdown="", text="")
        heading_md = f"{'#' * hashes} {heading}" if heading is not None else None
        section = _Section(clause, heading_md)
        if ok:
            self.sections.append(section)
        return section

    def _check_place(self, cid: str, lineno: int, heading: str | None, hashes: int | None) -> None:
        err = lambda msg: _error(self.doc, lineno, msg)  # noqa: E731
        if self.closed:
            err(f"clause {cid} comes after the closing block")
        if cid == "header" and self.sections:
            err("header must be the first clause")
        elif cid == "preamble" and self.seen_numeric:
            err("preamble must come before numbered clauses")
        elif cid == "closing":
            self.closed = True
        if cid in SPECIAL_IDS:
            return
        self.seen_numeric = True
        parts = cid.split(".")
        depth, number, parent = len(parts), int(parts[-1]), ".".join(parts[:-1])
        if depth > 1 and (len(self.open_path) < depth - 1 or self.open_path[depth - 2] != parent):
            err(f"clause {cid} is not inside {parent}: it must follow {parent} or another part of it")
        else:
            allowed = {self.last_child.get(parent, 0) + 1}
            if parent not in self.last_child and depth >= 3:
                # items may be numbered on from the previous sibling section (三（二）8 after 三（一）7)
                prev = ".".join(parts[:-2] + [str(int(parts[-2]) - 1)])
                allowed.add(self.last_child.get(prev, 0) + 1)
            if number not in allowed:
                expected = " or ".join(".".join(parts[:-1] + [str(n)]) for n in sorted(allowed))
                err(f"numbering skips or repeats: clause {cid} where {expected} was expected")
            self.last_child[parent] = number
        self.open_path[depth - 1:] = [cid]
        if heading is not None:
            self._check_heading(cid, lineno, heading, hashes, depth, number)

    def _check_heading(self, cid: str, lineno: int, heading: str, hashes: int | None, depth: int,
                       number: int) -> None:
        """A numbered clause's heading: its level fits the depth and it starts with its number."""
        err = lambda msg: _error(self.doc, lineno, msg)  # noqa: E731
        if hashes != depth + 1:
            err(f"heading level {'#' * hashes} does not fit clause {cid} (use {'#' * (depth + 1)})")
        rule = HEADING_NUMBER.get(depth)
        if rule:
            m = rule.match(plain_text(heading))
            shown = (int(m.group(1)) if depth >= 3 else cn_value(m.group(1))) if m else None
            if shown is None:
                err(f"heading of clause {cid} should start with its number ({_number_text(depth, number)})")
            elif shown != number:
                err(f"heading number {m.group(0)} does not match clause id {cid}")

    def _finish(self, section: _Section) -> None:
        """Set the section's markdown/text and collect its finer anchors."""
        clause = section.clause
        body_lines = [line for _, line in section.body]
        md = "\n".join(([section.heading_line, ""] if section.heading_line else []) + body_lines)
        clause.markdown = ANCHOR_RE.sub("", md).strip()
        clause.text = plain_text(clause.markdown)
        self.doc.clauses.append(clause)
        self.doc.clauses.extend(self._anchors(section))

    def _anchors(self, section: _Section) -> list[Clause]:
        parent = section.clause
        found: list[tuple[Clause, list[str]]] = []
        open_parts: list[str] | None = None
        last = 0  # number of the previous anchor in this section
        for lineno, line in section.body:
            if not line.strip():
                open_parts = None  # an anchor ends with its paragraph
                continue
            if line.count("{#") != len(ANCHOR_RE.findall(line)):
                _error(self.doc, lineno, "malformed anchor: write {#id} with no spaces or braces inside")
            pos = 0
            for m in ANCHOR_RE.finditer(line):
                if open_parts is not None:
                    open_parts.append(line[pos:m.start()])
                open_parts = None
                pos = m.end()
                cid = m.group(1)
                if not self._claim(cid, lineno):
                    continue
                head, _, number = cid.rpartition(".")
                expected = f"{parent.id}.{last + 1}"
                if head != parent.id:
                    _error(self.doc, lineno, f"anchor {cid} is not part of clause {parent.id}: the next anchor there is {expected}")
                elif int(number) != last + 1:
                    _error(self.doc, lineno, f"anchor numbering skips or repeats: {cid} where {expected} was expected")
                last = int(number) if head == parent.id else last
                clause = Clause(id=cid, label=label_for(cid), title=None, parent=parent.id,
                                level=cid.count(".") + 1, markdown="", text="", line=lineno, kind="anchor")
                open_parts = []
                found.append((clause, open_parts))
            if open_parts is not None:
                open_parts.append(line[pos:] + "\n")
        for clause, parts in found:
            clause.markdown = "".join(parts).strip()
            clause.text = plain_text(clause.markdown)
        return [clause for clause, _ in found]


def _number_text(depth: int, number: int) -> str:
    return {1: f"{cn_number(number)}、", 2: f"（{cn_number(number)}）"}.get(depth, f"{number}.")


def _title(heading: str | None) -> str | None:
    """Heading text without its number and final 。: '1. 做好收留和抚养工作。' → 做好收留和抚养工作."""
    if heading is None:
        return None
    text = plain_text(heading)
    for rule in HEADING_NUMBER.values():
        text = rule.sub("", text, count=1)
    return text.strip().rstrip("。").strip() or None
