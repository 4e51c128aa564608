"""Training modules as Markdown files (content/training/NN-slug.md): parse, validate, grade.

Pure functions only (no Flask, no database). One file per module; the file name gives the order
and the stable module id: ``02-xinxi-modi-paicha.md`` → order 2, id ``xinxi-modi-paicha``.

The file::

    ---
    title: 儿童信息摸底排查与登记建档
    audience: 儿童督导员, 儿童主任
    summary: 一句话说明（≤120字）
    duration: 45
    clauses: 3.2.10, 4
    ---
    Markdown body. ## and ### headings (never #). A paragraph or list item that states a
    fact cites its source inline: [[3.2.10]] for a clause of the 方案,
    [[weichengnianren-baohu-fa:a92]] for an article of another document in the library.
    Text in 「」 is a verbatim quotation of a clause cited in the same paragraph.

    ## 测验
    及格分数：80

    ### 1. 问题文本（单选）
    - [ ] 选项
    - [x] 正确选项

    ### 2. 问题文本（多选）
    - [x] 正确选项
    - [x] 正确选项
    - [ ] 选项

* front matter: exactly the keys title, audience (儿童督导员 and/or 儿童主任, separated by a
  comma or 、), summary (≤120 characters), duration (whole minutes, 5–480), clauses (the 方案
  clause ids the module implements, at least one);
* the quiz is optional; ``## 测验`` starts it and it is the last section; 及格分数 is 1–100 (the
  percentage of questions answered exactly right); questions are numbered 1, 2, 3…, each ends
  with （单选） or （多选） and has 2–6 options; 单选 has exactly one ``[x]``, 多选 at least two.

Every problem is a ``Problem(file, line, reason)``; a file with any problem yields no module.
``load_modules`` also checks references (and, given clause texts, the quotations and that every
paragraph cites something) and duplicate ids; callers load nothing when it reports any problem.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from portal.content.problems import Problem, decode_utf8, shown_path
from portal.content.training_quiz import HEADING_RE, QUIZ_HEADING, Quiz, parse_quiz

AUDIENCES = ("儿童督导员", "儿童主任")
REFERENCE = re.compile(r"\[\[(?:([a-z0-9-]+):)?([A-Za-z0-9.\-]+)\]\]")
FILE_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SCHEME_CLAUSE_RE = re.compile(r"^(?:header|preamble|closing|[1-9]\d*(?:\.[1-9]\d*)*)$")
KEYS = ("title", "audience", "summary", "duration", "clauses")
META_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
LIST_SPLIT = re.compile(r"\s*[,，、;；]\s*|\s+")
LIST_ITEM_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+")
QUOTE_RE = re.compile(r"「([^「」]*)」")
MAX_SUMMARY = 120
MAX_TITLE = 80
DURATION_RANGE = (5, 480)


@dataclass(frozen=True)
class ModuleSpec:
    module_id: str
    order: int
    title: str
    audience: tuple[str, ...]  # in AUDIENCES order
    summary: str
    duration_minutes: int
    clauses: tuple[str, ...]  # 方案 clause ids, as listed
    body: str  # Markdown without front matter and quiz, [[...]] references left in place
    quiz: Quiz | None
    references: tuple[tuple[str | None, str], ...]  # (doc_id or None for the 方案, clause_id), first use order, no repeats
    file: str
    body_line: int = 1  # line of the file where the body starts (for problems found later)


@dataclass(frozen=True)
class Unit:
    """A paragraph, list item or heading of a module body: the scope of its citations."""
    line: int
    text: str
    heading: bool
    references: tuple[tuple[str | None, str], ...]


# ---------------------------------------------------------------- parsing


def parse_module(data: bytes, file: str) -> tuple[ModuleSpec | None, list[Problem]]:
    """One module file → (module or None, problems). `file` is the name shown in problems."""
    problems: list[Problem] = []

    def err(line: int, reason: str) -> None:
        problems.append(Problem(file, line, reason))

    m = FILE_RE.match(Path(file).name)
    if not m:
        err(1, "file name must be NN-slug.md (two-digit order, lowercase letters, digits and '-'), "
               "e.g. 02-xinxi-modi-paicha.md")
    text, decode_problems = decode_utf8(data, file)
    if text is None:
        return None, decode_problems
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, meta_lines, body_start = _front_matter(lines, err)
    framed = not problems or body_start < len(lines)  # front matter closed: the body can be checked
    title = meta.get("title", "")
    audience = _audience(meta.get("audience"), meta_lines.get("audience"), err)
    summary = meta.get("summary", "")
    for key, value, limit in (("title", title, MAX_TITLE), ("summary", summary, MAX_SUMMARY)):
        if key in meta and not value:
            err(meta_lines[key], f"{key} must not be empty")
        elif len(value) > limit:
            err(meta_lines[key], f"{key} is {len(value)} characters long; at most {limit}")
    duration = _duration(meta.get("duration"), meta_lines.get("duration"), err)
    clauses = _clauses(meta.get("clauses"), meta_lines.get("clauses"), err)

    quiz_at = next((i for i in range(body_start, len(lines)) if _is_quiz_heading(lines[i])), None)
    body_end = quiz_at if quiz_at is not None else len(lines)
    if framed:
        _check_body(lines, body_start, body_end, err)
    quiz = parse_quiz(lines, quiz_at, err) if quiz_at is not None else None

    if problems:
        return None, problems
    body_lines = lines[body_start:body_end]
    lead = next((i for i, l in enumerate(body_lines) if l.strip()), len(body_lines))
    body = "\n".join(body_lines[lead:]).strip()
    refs: list[tuple[str | None, str]] = []
    explained = " ".join(q.explanation for q in quiz.questions) if quiz else ""
    for r in REFERENCE.finditer(body + " " + explained):  # the 解析 link their clauses too
        key = (r.group(1), r.group(2))
        if key not in refs:
            refs.append(key)
    spec = ModuleSpec(
        module_id=m.group(2), order=int(m.group(1)), title=title, audience=audience, summary=summary,
        duration_minutes=duration, clauses=clauses, body=body, quiz=quiz, references=tuple(refs),
        file=file, body_line=body_start + lead + 1)
    return spec, []


def _front_matter(lines: list[str], err) -> tuple[dict[str, str], dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        err(1, "the file must start with front matter: a line '---', 'key: value' lines, then '---'")
        return {}, {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        err(1, "front matter is not closed by a line '---'")
        return {}, {}, len(lines)
    meta: dict[str, str] = {}
    where: dict[str, int] = {}
    for i in range(1, end):
        if not lines[i].strip():
            continue
        m = META_RE.match(lines[i])
        if not m:
            err(i + 1, "expected 'key: value' in front matter")
        elif m.group(1) not in KEYS:
            err(i + 1, f"unknown front-matter key '{m.group(1)}' (allowed: {', '.join(KEYS)})")
        elif m.group(1) in where:
            err(i + 1, f"duplicate front-matter key '{m.group(1)}' (first at line {where[m.group(1)]})")
        else:
            meta[m.group(1)] = m.group(2).strip()
            where[m.group(1)] = i + 1
    for key in KEYS:
        if key not in where:
            err(end + 1, f"missing front-matter key '{key}'")
    return meta, where, end + 1


def _split(value: str) -> list[str]:
    return [v for v in LIST_SPLIT.split(value.strip()) if v]


def _audience(value: str | None, line: int | None, err) -> tuple[str, ...]:
    if value is None:
        return ()
    words = _split(value)
    if not words:
        err(line, f"audience must name {AUDIENCES[0]}, {AUDIENCES[1]} or both")
    for w in words:
        if w not in AUDIENCES:
            err(line, f"unknown audience '{w}' (allowed: {', '.join(AUDIENCES)})")
    if len(set(words)) != len(words):
        err(line, "audience names a role twice")
    return tuple(a for a in AUDIENCES if a in words)


def _duration(value: str | None, line: int | None, err) -> int:
    if value is None:
        return 0
    low, high = DURATION_RANGE
    if not re.fullmatch(r"\d{1,4}", value) or not low <= int(value) <= high:
        err(line, f"duration must be whole minutes from {low} to {high}, not '{value}'")
        return 0
    return int(value)


def _clauses(value: str | None, line: int | None, err) -> tuple[str, ...]:
    if value is None:
        return ()
    ids = _split(value)
    if not ids:
        err(line, "clauses must list at least one clause id of the 方案, e.g. 3.2.10")
    seen: list[str] = []
    for cid in ids:
        if not SCHEME_CLAUSE_RE.match(cid):
            err(line, f"malformed clause id '{cid}' (write 方案 clause ids like 3.2.10)")
        elif cid in seen:
            err(line, f"clause {cid} is listed twice")
        else:
            seen.append(cid)
    return tuple(seen)


def _is_quiz_heading(line: str) -> bool:
    m = HEADING_RE.match(line)
    return bool(m) and len(m.group(1)) == 2 and m.group(2) == QUIZ_HEADING


def _check_body(lines: list[str], start: int, end: int, err) -> None:
    if not any(lines[i].strip() for i in range(start, end)):
        err(start + 1 if start < len(lines) else max(len(lines), 1), "the module has no body text")
    for i in range(start, end):
        line = lines[i]
        h = HEADING_RE.match(line)
        if h and len(h.group(1)) not in (2, 3):
            err(i + 1, "use ## or ### headings in a module body (the title is the page's heading)")
        if h and len(h.group(1)) == 2 and QUIZ_HEADING in h.group(2):
            err(i + 1, f"the quiz heading must be exactly '## {QUIZ_HEADING}'")
        bare = REFERENCE.sub("", line)
        if "[[" in bare or "]]" in bare:
            err(i + 1, "malformed reference: write [[3.2.10]] for the 方案 or [[doc-id:a92]] for another document")
        if line.count("「") != line.count("」") and _paragraph_unbalanced(lines, i, start, end):
            err(i + 1, "unbalanced 「」 quotation marks in this paragraph")


def _paragraph_unbalanced(lines: list[str], i: int, start: int, end: int) -> bool:
    """True when the paragraph holding line i opens and closes 「」 a different number of times
    (a quotation may run over a soft line break). Reported once, on the paragraph's first line."""
    first = i
    while first > start and lines[first - 1].strip() and not LIST_ITEM_RE.match(lines[first]):
        first -= 1
    if first != i:
        return False
    last = i
    while last + 1 < end and lines[last + 1].strip() and not LIST_ITEM_RE.match(lines[last + 1]) \
            and not HEADING_RE.match(lines[last + 1]):
        last += 1
    para = "".join(lines[first:last + 1])
    return para.count("「") != para.count("」")


# ---------------------------------------------------------------- body units


def body_units(spec: ModuleSpec) -> list[Unit]:
    """The body as paragraphs, list items and headings, each with the file line it starts on."""
    units: list[Unit] = []
    chunk: list[str] = []
    first = 0

    def flush() -> None:
        if chunk:
            text = " ".join(s.strip() for s in chunk)
            refs = tuple((r.group(1), r.group(2)) for r in REFERENCE.finditer(text))
            units.append(Unit(first, text, bool(HEADING_RE.match(chunk[0])), refs))
            chunk.clear()

    for offset, line in enumerate(spec.body.split("\n")):
        lineno = spec.body_line + offset
        if not line.strip():
            flush()
        elif HEADING_RE.match(line) or LIST_ITEM_RE.match(line):
            flush()
            first = lineno
            chunk.append(line)
            if HEADING_RE.match(line):
                flush()
        else:
            if not chunk:
                first = lineno
            chunk.append(line)
    flush()
    return units


def normalise(text: str) -> str:
    """Text for quotation matching: Markdown emphasis and all whitespace removed."""
    return re.sub(r"\s+", "", text.replace("**", ""))


def faithfulness_problems(spec: ModuleSpec,
                          clause_text: Callable[[str | None, str], str | None]) -> list[Problem]:
    """Paragraphs and list items without a reference, and 「quotations」 not found in any clause the
    same paragraph cites. `clause_text(doc_id, clause_id)` gives a clause's plain text (including
    its sub-clauses), or None when that document is not available: the quotations of a paragraph
    citing an unavailable document cannot be checked here and are let through."""
    problems = []
    for unit in body_units(spec) + _explanation_units(spec):
        if unit.heading:
            continue
        if not unit.references:
            problems.append(Problem(spec.file, unit.line,
                                    "paragraph states something without citing its source: add [[clause]]"))
            continue
        texts = [clause_text(doc, cid) for doc, cid in unit.references]
        if any(t is None for t in texts):
            continue  # a cited document is not available: the quotation may be from it
        known = [normalise(t) for t in texts]
        for q in QUOTE_RE.finditer(unit.text):
            quoted = normalise(q.group(1))
            if quoted and not any(quoted in t for t in known):
                problems.append(Problem(spec.file, unit.line,
                                        f"quotation 「{q.group(1)}」 is not found verbatim in the clauses cited here"))
    return problems


def _explanation_units(spec: ModuleSpec) -> list[Unit]:
    """Each question's 解析 as a paragraph: it cites its source and quotes verbatim, as the body does."""
    if spec.quiz is None:
        return []
    return [Unit(q.explanation_line, q.explanation, False,
                 tuple((r.group(1), r.group(2)) for r in REFERENCE.finditer(q.explanation)))
            for q in spec.quiz.questions if q.explanation]


# ---------------------------------------------------------------- folder


def load_modules(folder: Path, display_root: Path | None,
                 clause_exists: Callable[[str | None, str], bool],
                 clause_text: Callable[[str | None, str], str | None] | None = None,
                 ) -> tuple[list[ModuleSpec], list[Problem]]:
    """Every ``*.md`` module in `folder` (sorted by order), and every problem in any of them.

    `clause_exists(doc_id, clause_id)` says whether a reference resolves (doc_id None = the 方案);
    the front matter's clauses are 方案 clauses. With `clause_text`, quotations and uncited
    paragraphs are checked too (see faithfulness_problems). Callers load nothing on any problem.
    """
    folder = Path(folder)
    modules: list[ModuleSpec] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], []
    first: dict[str, ModuleSpec] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.upper().startswith("README"):
            continue
        shown = shown_path(path, display_root)
        spec, found = parse_module(path.read_bytes(), shown)
        problems.extend(found)
        if spec is None:
            continue
        found = _reference_problems(path.read_bytes(), spec, clause_exists)
        if clause_text is not None:
            found += faithfulness_problems(spec, clause_text)
        if spec.module_id in first:
            found.append(Problem(shown, 1, f"duplicate module id {spec.module_id} (also in {first[spec.module_id].file})"))
        else:
            first[spec.module_id] = spec
        problems.extend(found)
        if not found:
            modules.append(spec)
    orders: dict[int, str] = {}
    for spec in modules:
        if spec.order in orders:
            problems.append(Problem(spec.file, 1, f"order {spec.order:02d} is also used by {orders[spec.order]}"))
        orders.setdefault(spec.order, spec.file)
    modules.sort(key=lambda s: (s.order, s.module_id))
    return modules, problems


def _reference_problems(data: bytes, spec: ModuleSpec,
                        clause_exists: Callable[[str | None, str], bool]) -> list[Problem]:
    lines = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems = []
    clauses_line = next((i + 1 for i, l in enumerate(lines) if re.match(r"^clauses\s*:", l)), 1)
    for cid in spec.clauses:
        if not clause_exists(None, cid):
            problems.append(Problem(spec.file, clauses_line, f"clause {cid} does not exist in the 方案"))
    for i in range(spec.body_line - 1, len(lines)):
        for r in REFERENCE.finditer(lines[i]):
            if not clause_exists(r.group(1), r.group(2)):
                where = f"in {r.group(1)}" if r.group(1) else "in the 方案"
                problems.append(Problem(spec.file, i + 1, f"reference {r.group(0)}: clause {r.group(2)} does not exist {where}"))
    return problems


# ---------------------------------------------------------------- grading
