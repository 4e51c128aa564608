"""Parse and check content/duties.txt, the 任务分工表 of 运民发〔2021〕74号.

The file is line-oriented so every problem names its exact line::

    # a comment line
    [transfer-children]
    title: 做好儿童移交工作
    clauses: 3.2.8 3.1.1.1
    lead: {county}-mz
    cooperating: inst-sfly {county}-ga
    scope: per-county
    theme: 县级机构转型
    start: 2022-05-01
    deadline: 2022-09-30
    deadline_text: 2022年5月启动、9月底结束（三（二）8）
    checklist: 安排部署 | 梳理应移交人员信息 | …
    note: …
    indicators: 移交儿童人数（人） | 移交档案份数（份）

    [no-duty 4.2.1]
    clauses: 4.2.1
    reason: 总体要求，由各部门职责逐条承接。

A duty section is ``[key]``. A no-duty section is ``[no-duty NAME]`` — NAME is any short label
(the file uses the clause id it is about); the ids it covers are always given by its
``clauses:`` line, never taken from the header.

Pure: bytes in, dataclasses and Problems out. No Flask, no database. Expanding duties into
instances and checking their units and clauses against units.csv and the plan is
:mod:`portal.content.duties_refs`.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from portal.content.problems import Problem, decode_utf8

DUTIES_FILE = "duties.txt"

DUTY_KEYS = ("title", "clauses", "lead", "cooperating", "scope", "theme", "start", "deadline",
             "period", "deadline_text", "checklist", "note", "arrangement", "indicators")
DUTY_REQUIRED = ("title", "clauses", "lead", "scope", "theme", "deadline")
NO_DUTY_KEYS = ("clauses", "reason")
NO_DUTY_REQUIRED = ("clauses", "reason")

SCOPES = ("city", "per-county", "per-unit")
PERIODS = ("monthly", "quarterly", "halfyearly", "yearly")
# The 工作领域 (themes) the 台账 filters by. Add one here when the 方案 needs a new one.
THEMES = ("市福利院优化提质", "县级机构转型", "部门职责", "组织保障")
TITLE_MAX = 20
# A checklist item the office adds (the 方案 does not state it) starts with this marker.
ARRANGED_PREFIX = "安排："
COUNTY = "{county}"
ROOTS = ("2", "3", "4")

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
SECTION_RE = re.compile(r"^\[([^\[\]]*)\]$")
NO_DUTY_RE = re.compile(r"^no-duty\s+([A-Za-z0-9][A-Za-z0-9.-]{0,39})$")
LINE_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$")
FULLWIDTH_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*：")
UNIT_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")  # checked with {county} replaced by a sample code
CLAUSE_RE = re.compile(r"^(?:header|preamble|closing|[1-9]\d*(?:\.[1-9]\d*)*)$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class DutySpec:
    line: int
    key: str
    title: str
    clauses: tuple[str, ...]
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    scope: str
    theme: str
    start: date | None
    deadline_kind: str  # 'date' | 'periodic' | 'none'
    deadline: date | None
    period: str | None
    deadline_text: str
    checklist: tuple[str, ...]
    note: str
    # line of each key inside the section, for problems found after parsing
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    # the office's own 工作安排 and remarks: never presented as the 方案's text
    arrangement: str = ""
    # numeric figures the unit reports, as (name, measure word): ("移交儿童人数", "人")
    indicators: tuple[tuple[str, str], ...] = ()
    # cooperating units the cited clauses do not name: the office's 工作安排 (``安排：code``)
    arranged_cooperating: tuple[str, ...] = ()


# A deadline_text the 方案 does not state (the office's own reasoning) says so with one of these words
# (duties.txt: 原文未写时限而由督查室确定的，写明“未单列”); it is shown as 督查室工作安排, never as 方案表述.
DEADLINE_ARRANGED_MARKS = ("未单列", "工作安排")


def deadline_text_arranged(text: str) -> bool:
    """Whether a duty's deadline_text is the office's 工作安排 rather than the 方案's words."""
    return any(mark in (text or "") for mark in DEADLINE_ARRANGED_MARKS)


def split_arranged(item: str) -> tuple[str, bool]:
    """A checklist item's title and whether the office (not the 方案) added it."""
    if item.startswith(ARRANGED_PREFIX):
        return item[len(ARRANGED_PREFIX):].strip(), True
    return item, False


@dataclass(frozen=True)
class NoDutySpec:
    line: int
    key: str
    clauses: tuple[str, ...]
    reason: str
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class InstanceSpec:
    key: str
    lead_unit: str
    cooperating: tuple[str, ...]
    county: str | None
    arranged_cooperating: tuple[str, ...] = ()  # those of `cooperating` the office added


# ------------------------------------------------------------------ parsing

@dataclass
class _Section:
    line: int
    key: str
    no_duty: bool
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    broken: bool = False  # a malformed header: its body is skipped, not checked


def parse_duties(data: bytes, file: str) -> tuple[list[DutySpec], list[NoDutySpec], list[Problem]]:
    """Syntax and per-entry checks. References to units and clauses are checked by
    :func:`portal.content.duties_refs.validate_references`."""
    text, problems = decode_utf8(data, file)
    if text is None:
        return [], [], problems
    duties: list[DutySpec] = []
    no_duties: list[NoDutySpec] = []
    for section in _read_sections(text, file, problems):
        if section.broken:
            continue
        if section.no_duty:
            spec = _build_no_duty(section, file, problems)
            if spec is not None:
                no_duties.append(spec)
        else:
            spec = _build_duty(section, file, problems)
            if spec is not None:
                duties.append(spec)
    problems.sort(key=lambda p: p.line)
    return duties, no_duties, problems


def _read_sections(text: str, file: str, problems: list[Problem]) -> list[_Section]:
    """The file's [sections] with their ``key: value`` lines, syntax problems reported."""
    sections: list[_Section] = []
    seen_keys: dict[str, int] = {}
    current: _Section | None = None
    orphan_reported = False
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r").strip()
        if not line or line.startswith("#"):
            continue
        header = SECTION_RE.match(line)
        if header:
            current = _start_section(header.group(1).strip(), lineno, file, seen_keys, problems)
            sections.append(current)
        elif current is None:
            if not orphan_reported:
                problems.append(Problem(file, lineno, "text before the first [section] header"))
                orphan_reported = True
        elif not current.broken:
            _read_value(current, line, lineno, file, problems)
    return sections


def _read_value(current: _Section, line: str, lineno: int, file: str, problems: list[Problem]) -> None:
    """One ``key: value`` line of a section."""
    m = LINE_RE.match(line)
    if not m:
        if FULLWIDTH_RE.match(line):
            problems.append(Problem(file, lineno, "use an ASCII colon ':' after the key, not '：'"))
        else:
            problems.append(Problem(file, lineno, "expected 'key: value', a [section] header or a # comment"))
        return
    name, value = m.group(1), m.group(2).strip()
    allowed = NO_DUTY_KEYS if current.no_duty else DUTY_KEYS
    if name not in allowed:
        kind = "a no-duty entry" if current.no_duty else "a duty"
        problems.append(Problem(file, lineno, f"unknown key {name!r} in {kind}; allowed: {', '.join(allowed)}"))
        return
    if name in current.lines:
        problems.append(Problem(file, lineno, f"duplicate key {name!r} in [{current.key}] "
                                              f"(first at line {current.lines[name]})"))
        return
    current.lines[name] = lineno
    current.values[name] = value
    if not value:
        problems.append(Problem(file, lineno, f"{name} is empty"))


def _start_section(inner: str, lineno: int, file: str, seen: dict[str, int],
                   problems: list[Problem]) -> _Section:
    if inner.startswith("no-duty"):
        m = NO_DUTY_RE.match(inner)
        if not m:
            problems.append(Problem(file, lineno, f"no-duty header must be [no-duty NAME], not [{inner}]"))
            return _Section(lineno, inner, True, broken=True)
        key = f"no-duty {m.group(1)}"
        no_duty = True
    else:
        key = inner
        no_duty = False
        if not KEY_RE.match(key):
            problems.append(Problem(file, lineno, f"duty key {key!r} must be lowercase letters, digits and '-' "
                                                  "(2-80 chars)"))
            return _Section(lineno, key, False, broken=True)
    if key in seen:
        problems.append(Problem(file, lineno, f"duplicate section [{key}] (first at line {seen[key]})"))
        return _Section(lineno, key, no_duty, broken=True)
    seen[key] = lineno
    return _Section(lineno, key, no_duty)


def _missing(section: _Section, required: Sequence[str], file: str, problems: list[Problem]) -> bool:
    absent = [k for k in required if k not in section.lines]
    if absent:
        problems.append(Problem(file, section.line, f"[{section.key}] is missing required "
                                                    f"{'key' if len(absent) == 1 else 'keys'}: {', '.join(absent)}"))
    return bool(absent) or any(not section.values[k] for k in required)


def _clause_ids(section: _Section, file: str, problems: list[Problem]) -> tuple[str, ...]:
    ids = section.values.get("clauses", "").split()
    line = section.lines.get("clauses", section.line)
    seen: set[str] = set()
    for cid in ids:
        if not CLAUSE_RE.match(cid):
            problems.append(Problem(file, line, f"clause id {cid!r} is not a clause id like 3.2.8 or 4.2.6"))
        elif cid in seen:
            problems.append(Problem(file, line, f"clause {cid} is listed twice"))
        seen.add(cid)
    return tuple(dict.fromkeys(ids))


def _build_no_duty(section: _Section, file: str, problems: list[Problem]) -> NoDutySpec | None:
    bad = _missing(section, NO_DUTY_REQUIRED, file, problems)
    clauses = _clause_ids(section, file, problems)
    if bad:
        return None
    return NoDutySpec(section.line, section.key, clauses, section.values["reason"], dict(section.lines))


def _parse_date(value: str) -> date | None:
    m = DATE_RE.match(value)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = MONTH_RE.match(value)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and year >= 1:
            return date(year, month, calendar.monthrange(year, month)[1])
    return None


def _build_duty(section: _Section, file: str, problems: list[Problem]) -> DutySpec | None:
    v, at = section.values, section.lines
    err = lambda key, msg: problems.append(Problem(file, at.get(key, section.line), msg))  # noqa: E731
    before = len(problems)
    bad = _missing(section, DUTY_REQUIRED, file, problems)

    title = v.get("title", "")
    if len(title) > TITLE_MAX:
        err("title", f"title is {len(title)} characters; keep it to {TITLE_MAX} or fewer (details go in note)")
    clauses = _clause_ids(section, file, problems)
    scope = v.get("scope", "")
    if scope and scope not in SCOPES:
        err("scope", f"scope {scope!r} must be one of {', '.join(SCOPES)}")
    theme = v.get("theme", "")
    if theme and theme not in THEMES:
        err("theme", f"theme {theme!r} must be one of {', '.join(THEMES)}")
    lead, cooperating, arranged_cooperating = _units(v, scope, err)
    start, deadline_kind, deadline, period = _schedule(v, at, err)
    checklist = _checklist(v.get("checklist", ""), err)
    indicators = _indicators(v.get("indicators", ""), lambda msg: err("indicators", msg))
    if bad or len(problems) > before:
        return None
    return DutySpec(section.line, section.key, title, clauses, lead, cooperating, scope, theme, start,
                    deadline_kind, deadline, period, v.get("deadline_text", ""), checklist, v.get("note", ""),
                    dict(at), arrangement=v.get("arrangement", ""), indicators=indicators,
                    arranged_cooperating=arranged_cooperating)


def _units(v: dict[str, str], scope: str, err) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The lead and cooperating unit codes (or {county} patterns), checked against the scope, and the
    cooperating units the office added (written ``安排：code``: the cited clauses do not name them)."""
    lead = tuple(v.get("lead", "").split())
    marked = [split_arranged(u) for u in v.get("cooperating", "").split()]
    cooperating = tuple(u for u, _ in marked)
    arranged = tuple(u for u, is_arranged in marked if is_arranged)
    for name, units in (("lead", lead), ("cooperating", cooperating)):
        _check_unit_list(name, units, scope, err)
    if scope == "city" and len(lead) > 1:
        err("lead", f"scope city has a single lead unit; found {len(lead)} (use per-unit for one instance each)")
    if scope == "per-county":
        if len(lead) != 1 or COUNTY not in lead[0]:
            err("lead", "scope per-county needs exactly one lead pattern with {county}, like {county}-mz")
    overlap = sorted(set(lead) & set(cooperating))
    if overlap:
        err("cooperating", f"{', '.join(overlap)} is both lead and cooperating")
    return lead, cooperating, arranged


def _check_unit_list(name: str, units: tuple[str, ...], scope: str, err) -> None:
    for unit in units:
        if not UNIT_RE.match(unit.replace(COUNTY, "xx")) or unit.count(COUNTY) > 1:
            err(name, f"{unit!r} is not a unit code or a pattern like {{county}}-mz")
    dupes = sorted({u for u in units if units.count(u) > 1})
    if dupes:
        err(name, f"{name} lists {', '.join(dupes)} more than once")
    patterns = [u for u in units if COUNTY in u]
    if patterns and scope in SCOPES and scope != "per-county":
        err(name, f"{', '.join(patterns)} uses {{county}} but scope is {scope}; "
                  "{county} patterns need scope: per-county")


def _schedule(v: dict[str, str], at: dict[str, int], err) -> tuple[date | None, str, date | None, str | None]:
    """(start, deadline kind, deadline, period): the dates and the rhythm of a duty, checked."""
    start = None
    if "start" in v and v["start"]:
        start = _parse_date(v["start"]) if DATE_RE.match(v["start"]) else None
        if start is None:
            err("start", f"start {v['start']!r} is not a date YYYY-MM-DD")
    deadline_raw = v.get("deadline", "")
    deadline_kind, deadline = _deadline(deadline_raw, err)
    period = _period(v.get("period") or None, deadline_kind, at, err)
    if deadline_raw and deadline_raw != "none" and "deadline_text" not in at:
        err("deadline", "deadline_text is required when the deadline is not none: say how the text states it")
    if start and deadline and start > deadline:
        err("start", f"start {start.isoformat()} is after the deadline {deadline.isoformat()}")
    return start, deadline_kind, deadline, period


def _deadline(raw: str, err) -> tuple[str, date | None]:
    if raw in ("", "none", "periodic"):
        return raw or "none", None
    deadline = _parse_date(raw)
    if deadline is None:
        err("deadline", f"deadline {raw!r} must be a date YYYY-MM-DD, a month YYYY-MM, 'periodic' or 'none'")
    return "date", deadline


def _period(period: str | None, deadline_kind: str, at: dict[str, int], err) -> str | None:
    if deadline_kind == "periodic":
        if period is None and "period" not in at:
            err("deadline", f"deadline periodic needs a period: line ({', '.join(PERIODS)})")
        elif period is not None and period not in PERIODS:
            err("period", f"period {period!r} must be one of {', '.join(PERIODS)}")
    elif "period" in at:
        err("period", "period is only used with deadline: periodic")
    return period


def _checklist(raw: str, err) -> tuple[str, ...]:
    """``checklist: 第一项 | 第二项`` — the items a duty's close is verified against."""
    if not raw:
        return ()
    items = [i.strip() for i in raw.split("|")]
    if any(not i for i in items):
        err("checklist", "checklist has an empty item (items are separated by ' | ')")
    dupes = sorted({i for i in items if i and items.count(i) > 1})
    if dupes:
        err("checklist", f"checklist repeats {', '.join(dupes)}")
    return tuple(i for i in items if i)


INDICATOR_RE = re.compile(r"^([^|（）()]{1,30})（([^|（）()]{1,4})）$")


def _indicators(raw: str, err) -> tuple[tuple[str, str], ...]:
    """``indicators: 移交儿童人数（人） | 移交档案份数（份）`` — a name and its measure word each."""
    out: list[tuple[str, str]] = []
    for part in (p.strip() for p in raw.split("|")) if raw else ():
        m = INDICATOR_RE.match(part)
        if not m:
            err(f"indicator {part!r} must read like 移交儿童人数（人）: a name and a measure word in full-width brackets")
        elif any(name == m.group(1) for name, _ in out):
            err(f"indicator {m.group(1)} is listed twice")
        else:
            out.append((m.group(1), m.group(2)))
    return tuple(out)
