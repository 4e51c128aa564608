"""`draft_duties(document, units, issued)`: a proposed 任务分工 — one `DraftDuty` per task clause, each field
with the sentence it came from, for the office to check and correct.

Plans state who does what in three ways, all read here:

- a bracket after an item: 「（市民政局牵头，市财政局、市教育局配合）」, 「〔责任单位：A、B按职责分工负责〕」,
  「（A、B负责）」 — when no lead is named the first listed is the lead (列第一位者为牵头单位), or lines
  「牵头单位：…」「责任单位：…」 under it; a bracket closing a group of points （1）…（4） assigns the group;
- a 任务分工表 (序号/工作任务/牵头单位/责任单位/配合单位/完成时限), each row a duty;
- prose per department: 「教育部门要……；公安部门要……」 — a clause with several such sentences gives a
  duty per department (ids `4.2.1`, `4.2.2`, … in order, the finer anchors of docs/product.md); in
  other prose the first subject leads and the others (and 「会同…」) cooperate. A mechanism's make-up
  (「建立由民政部门牵头……参加的工作机制」) is not the task's lead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from portal.plan_text.deadlines import Deadline, find_deadline, month_in_cell, plan_year, read_deadline_cell
from portal.plan_text.model import Clause, DraftDuty, PlanDocument, TableRow, UnitName
from portal.plan_text.structure import COOP_KEYS, DEADLINE_KEYS, LEAD_KEYS, RESPONSIBLE_KEYS, header_key, task_column
from portal.plan_text.subjects import CO_WITH, INLINE_COOP, SUBJECT, subject_names
from portal.plan_text.units import COUNTY_WIDE, is_county_wide, match_unit, one_county_for_each, split_names

# headings of the parts that set out aims, not tasks (「一、指导思想」「（二）基本原则」「二、工作目标」)
NOT_TASKS = re.compile(r"(?:(?:指导思想|总体要求|基本原则|工作原则|总体目标|工作目标|主要目标|发展目标|行动目标|预期目标|"
                       r"目标任务|发展基础|发展背景|形势研判|适用范围|编制依据)[和与及、]?)+。?")
BRACKET = re.compile(r"[（(〔【]([^（）()〔〕【】]{0,160}?(?:牵头|负责|配合|参与|责任单位|牵头单位|协办)"
                     r"[^（）()〔〕【】]{0,160}?)[）)〕】]")
# a bracket holding names may itself hold 各县（市、区）: match one level of nesting
BRACKET_NESTED = re.compile(r"[（(〔【]((?:[^（）()〔〕【】]|[（(][^（）()]{0,12}[）)]){0,200}?"
                            r"(?:牵头|负责|配合|参与|责任单位|牵头单位|协办)"
                            r"(?:[^（）()〔〕【】]|[（(][^（）()]{0,12}[）)]){0,200}?)[）)〕】]")
_FIELD_KEY = r"(?:牵头责任单位|协同责任单位|配合责任单位|牵头单位|牵头部门|主办单位|责任单位|责任部门|配合单位|配合部门|协办单位|参与单位|完成时限|完成时间|时间节点)"
# a field's value ends at the next field's key: 「牵头单位:市科委,配合单位:各区县市」 (杭州 互联网+ 实施意见)
FIELD_LINE = re.compile(r"(?P<key>" + _FIELD_KEY + r")\s*[:：]\s*(?P<value>(?:(?![，,、]?\s*" + _FIELD_KEY + r"\s*[:：])"
                        r"[^；;。\n])*)")
MECHANISM = re.compile(r"(?:建立|健全|完善|成立)[^。；]{0,6}由[^。；]{1,80}?(?:牵头|负责)[^。；]{0,80}?的[^。；]{0,20}?"
                       r"(?:机制|制度|小组|会议|专班)")
PERIOD_START = re.compile(r"(\d{4})\s*年起")
SENTENCES = re.compile(r"[^。；;！？]+[。；;！？]?")
FULL_STOPS = re.compile(r"(?<=[。！？])")
MAX_STEPS = 10
DEPARTMENT_SHARE = 0.8  # of a clause's sentences leading with a subject: one duty per department


@dataclass
class _Assignment:
    lead: list[str]
    cooperating: list[str]
    source: str
    deadline_text: str = ""


def draft_duties(document: PlanDocument, units: list[UnitName], issued: date | None = None) -> list[DraftDuty]:
    issued = issued or document.issued or _plan_year(document) or _period_start(document)
    clauses = document.clauses
    children: dict[str, list[Clause]] = {}
    for clause in clauses:
        parent = clause.id.rpartition(".")[0]
        children.setdefault(parent, []).append(clause)
    excluded = _excluded(clauses)
    tables = _table_rows(document)
    duties: list[DraftDuty] = []
    groups_done: set[str] = set()
    for clause in clauses:
        if clause.id in excluded or not _numbered(clause.id) or clause.id in groups_done:
            continue
        if clause.id in tables:
            duties.append(_from_row(clause, tables[clause.id], units, issued))
            continue
        kids = children.get(clause.id, [])
        group = _group_assignment(clause, kids)
        if group is not None:
            groups_done.update(c.id for c in _descendants(clause.id, clauses))
            duties.append(_duty(clause, _group_text(clause, kids), group, units, issued, steps_from=kids))
            continue
        if kids and not _own_assignment(clause.text):
            continue  # a section: its items are the tasks
        duties.extend(_from_clause(clause, units, issued))
    return duties


def _plan_year(document: PlanDocument) -> date | None:
    """An undated plan's year, for the times it gives without one (年内, 「12月底前」): the year of its 文号
    (国发〔2020〕6号), else the one year its title names (同心县2023年政府工作报告任务分解), else the one year
    an 附件's heading names (2016年民生实事目标任务分解表) — as 1 January of that year."""
    if m := re.search(r"[〔\[［【(（](\d{4})[〕\]］】)）]", document.number):
        return date(int(m.group(1)), 1, 1)
    headings = [document.title] + [c.heading for c in document.clauses if c.id.startswith("fj") and "." not in c.id]
    for text in headings:
        year = plan_year(text)
        if year:
            return date(year, 1, 1)
    return None


def _period_start(document: PlanDocument) -> date | None:
    """An undated plan's year: the start it names for its period (「2012年起5年内，大力实施…」), so that its
    items' 「5年内」 count from there."""
    for clause in document.clauses:
        m = PERIOD_START.search(clause.text)
        if m:
            return date(int(m.group(1)), 1, 1)
    return None


# ------------------------------------------------------------------------------ which clauses


def _numbered(cid: str) -> bool:
    return cid[0].isdigit() or (cid.startswith(("fj", "tb")) and "." in cid)


def _excluded(clauses: list[Clause]) -> set[str]:
    """Clauses under 指导思想/工作目标/基本原则… that assign nothing explicitly."""
    out = set()
    for clause in clauses:
        if NOT_TASKS.fullmatch(clause.heading or "") and not clause.id.startswith(("fj", "tb")):
            out.update(c.id for c in clauses if (c.id == clause.id or c.id.startswith(clause.id + "."))
                       and not _own_assignment(c.text))
    return out


def _descendants(cid: str, clauses: list[Clause]) -> list[Clause]:
    return [c for c in clauses if c.id.startswith(cid + ".")]


def _own_assignment(text: str) -> bool:
    return bool(BRACKET_NESTED.search(text) or FIELD_LINE.search(text))


def _group_assignment(clause: Clause, kids: list[Clause]) -> _Assignment | None:
    """A bracket standing alone after the last of a group's points, none of which has its own: the group
    is the task (「1.完善应急预案体系 （1）…（4）… （责任单位：…）」)."""
    if not kids:
        return None
    last = kids[-1]
    lines = [line.strip() for line in last.text.split("\n") if line.strip()]
    if not lines:
        return None
    tail = lines[-1]
    m = BRACKET_NESTED.fullmatch(tail.rstrip("。"))
    if not m or any(_own_assignment(k.text) for k in kids[:-1]):
        return None
    return _parse_bracket(m.group(1), tail)


def _group_text(clause: Clause, kids: list[Clause]) -> str:
    return "\n".join([clause.text] + [k.text for k in kids]).strip()


# ------------------------------------------------------------------------------ reading assignments


def _parse_bracket(inner: str, source: str) -> _Assignment:
    inner = re.split(r"[。]", inner)[0]
    fields = _fields(inner)
    if fields:
        return _from_fields(fields, source)
    m = re.match(r"^(?P<lead>.+?)(?:牵头|负责牵头)[，,、；;]?(?P<rest>.*)$", inner)
    if m:
        lead, coop = split_names(m.group("lead")), split_names(m.group("rest"))
    else:
        names = split_names(inner)
        lead, coop = names[:1], names[1:]
    deadline = _trailing_time(coop, lead)
    return _Assignment(lead, [c for c in coop if c not in lead], source, deadline)


def _trailing_time(coop: list[str], lead: list[str]) -> str:
    """The time a bracket gives after its bodies (「6月底完成」, 「年内持续推进」: 国发〔2020〕6号), taken off the
    names it was split with: no body is named by a time."""
    for names in (coop, lead):
        if names and find_deadline(names[-1]):
            return names.pop()
    return ""


def _fields(text: str) -> dict[str, str]:
    return {m.group("key"): m.group("value").strip() for m in FIELD_LINE.finditer(text)}


def _from_fields(fields: dict[str, str], source: str, coop_column: bool = False) -> _Assignment:
    """``coop_column``: the table has a 配合单位 column (empty in this row or not)."""
    lead_text = next((fields[k] for k in LEAD_KEYS if fields.get(k)), "")
    coop_text = "、".join(fields[k] for k in COOP_KEYS if fields.get(k))
    responsible = next((fields[k] for k in RESPONSIBLE_KEYS if fields.get(k)), "")
    timed = ""
    if lead_text:
        coop_text = "、".join(t for t in (responsible, coop_text) if t)
        lead = split_names(lead_text)
        coop = split_names(coop_text)
    elif responsible and (coop_text or coop_column):
        # 责任单位 beside a 配合单位 column or field: the table says who cooperates, so every body the 责任单位
        # names leads (同心 2023: 卫健局、文旅局 both lead); alone, its first leads (列第一位者为牵头单位)
        lead, coop = split_names(responsible), split_names(coop_text)
    else:  # 「责任单位：…，6月底完成」: the last part is the item's time (湘西 2020 放管服), taken off by the bracket's reading
        inner = _parse_bracket(responsible, source) if responsible else _Assignment([], [], source)
        lead, coop = inner.lead, inner.cooperating + split_names(coop_text)
        timed = inner.deadline_text
    deadline = next((fields[k] for k in DEADLINE_KEYS if fields.get(k)), "") or timed or _trailing_time(coop, lead)
    return _Assignment(lead, [c for c in coop if c not in lead], source, deadline)


def _explicit(text: str) -> _Assignment | None:
    m = BRACKET_NESTED.search(text)
    if m:
        found = _parse_bracket(m.group(1), _sentence_at(text, m.start()))
        if found.lead:
            return found
    fields = {}
    source = ""
    for line in text.split("\n"):
        if FIELD_LINE.search(line):
            fields.update(_fields(line))
            source = (source + " " + line.strip()).strip()
    return _from_fields(fields, source) if fields else None


def _prose(text: str) -> _Assignment | None:
    """Subjects of the clause's sentences: the first leads, the others and 「会同…」 cooperate."""
    cleaned = MECHANISM.sub("", text)
    lead: list[str] = []
    coop: list[str] = []
    source = ""
    for sentence in _sentences(cleaned):
        m = SUBJECT.match(sentence)
        names = subject_names(m.group("names"), m.group("trail") or "") if m else []
        if names and not lead:
            lead, source = names, sentence
        elif names:
            coop.extend(n for n in names if n not in lead and n not in coop)
        for w in CO_WITH.finditer(sentence):
            coop.extend(n for n in subject_names(w.group("names")) if n not in lead and n not in coop
                        and not n.startswith(("有关", "相关")))
        if names and names == lead and (w := INLINE_COOP.search(sentence)):
            found = [_at_level_of(lead, n) for n in subject_names(w.group("names"), w.group("trail") or "")]
            coop.extend(n for n in found if n not in lead and n not in coop and not n.startswith(("有关", "相关")))
    return _Assignment(lead, coop, source) if lead else None


def _at_level_of(lead: list[str], name: str) -> str:
    """「各县（市、区）民政局牵头，教育局、公安局配合」: a bare bureau after a county-wide lead is each county's
    bureau of that kind, as the lead is each county's."""
    level = COUNTY_WIDE.match(lead[0]) if lead else None
    if level and not is_county_wide(name) and not re.match(r"^[市县省区各]", name):
        return level.group(0) + name
    return name


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\n+", "", text)
    return [s.strip() for s in SENTENCES.findall(flat) if s.strip()]


def _sentence_at(text: str, pos: int) -> str:
    flat_before = text[:pos].replace("\n", "")
    start = max(flat_before.rfind("。"), flat_before.rfind("；")) + 1
    rest = text.replace("\n", "")[start:]
    m = re.match(r"[^。；]*[。；]?(?:[（(〔][^）)〕]*[）)〕])?", rest)
    return m.group(0).strip() if m else rest[:200]


# ------------------------------------------------------------------------------ duties


def _department_segments(text: str) -> list[str] | None:
    """A clause of one sentence per department (「教育部门要……；公安部门要……」): its segments, each starting
    with its subject, or None when fewer than three sentences lead with one."""
    segments: list[str] = []
    sentences = _sentences(text)
    starts = 0
    for sentence in sentences:
        if SUBJECT.match(sentence):
            segments.append(sentence)
            starts += 1
        elif segments:
            segments[-1] += sentence
        else:
            segments.append(sentence)
    # most sentences lead with their own subject (四（二）), counted by full stops: a department's sentence
    # often runs on through 「；」 parts (国发〔2016〕13号 三（三）); a clause of prose that names a few
    # actors along the way (三（一）1) stays one duty
    full = [s for s in FULL_STOPS.split(re.sub(r"\n+", "", text)) if s.strip()]
    leading = sum(1 for s in full if SUBJECT.match(s.strip()))
    if starts >= 3 and len(segments) == starts and leading >= DEPARTMENT_SHARE * len(full):
        return segments
    return None


def _from_clause(clause: Clause, units: list[UnitName], issued: date | None) -> list[DraftDuty]:
    explicit = _explicit(clause.text)
    if explicit is None:
        segments = _department_segments(clause.text)
        if segments:
            duties = []
            for k, segment in enumerate(segments, start=1):
                assignment = _prose(segment)
                part = Clause(f"{clause.id}.{k}", "", "", segment, clause.level + 1, clause.line)
                duties.append(_duty(part, segment, assignment or _Assignment([], [], ""), units, issued))
            return duties
    assignment = explicit or _prose(clause.text) or _Assignment([], [], "")
    return [_duty(clause, clause.text, assignment, units, issued)]


def _from_row(clause: Clause, row: TableRow, units: list[UnitName], issued: date | None) -> DraftDuty:
    cells = {header_key(k): v for k, v in row.cells.items()}
    fields = {}
    for key, value in cells.items():
        # a column is the kind its longest key names: 牵头责任单位 is a lead column, not also a 责任单位 one
        # (南陵 2024: the 责任单位 column beside it cooperates)
        wanted = max((w for w in LEAD_KEYS + RESPONSIBLE_KEYS + COOP_KEYS + DEADLINE_KEYS if w in key), key=len,
                     default=None)
        if wanted and value and wanted not in fields:
            fields[wanted] = value
    source = "；".join(f"{k}：{v}" for k, v in cells.items() if v)
    assignment = _from_fields(fields, source, coop_column=any(w in key for key in cells for w in COOP_KEYS))
    return _duty(clause, clause.text, assignment, units, issued)


def _duty(clause: Clause, text: str, assignment: _Assignment, units: list[UnitName], issued: date | None,
          steps_from: list[Clause] | None = None) -> DraftDuty:
    sentences = _sentences(text)
    body = _body(sentences)
    title = clause.heading or (re.split(r"[，。；]", body[0])[0][:40] if body else "")
    quote = assignment.source or (body[0] if body else clause.heading)
    deadline = _deadline(text, assignment, issued)
    county = [n for n in assignment.lead if is_county_wide(n)] or (
        assignment.lead if one_county_for_each(assignment.lead, assignment.cooperating, units) else [])
    if steps_from:
        steps = [(k.heading + "。" if k.heading else "") + k.text.split("\n")[0].strip() for k in steps_from]
        steps = [BRACKET_NESTED.sub("", s).strip() for s in steps if s.strip()]
    else:
        steps = _steps_of(body)
    duty = DraftDuty(
        clause=clause.id, title=title.strip(), lead=assignment.lead, cooperating=assignment.cooperating,
        scope="county" if county else "city", deadline_text=deadline.text if deadline else "",
        deadline=deadline.day if deadline else None, quote=quote, checklist=[s for s in steps if s][:MAX_STEPS],
        lead_ids=[match_unit(n, units) for n in assignment.lead],
        cooperating_ids=[match_unit(n, units) for n in assignment.cooperating])
    duty.sources = {"title": clause.heading or (body[0] if body else ""), "lead": assignment.source,
                    "cooperating": assignment.source if assignment.cooperating else "",
                    "scope": assignment.source if county else "",
                    "deadline": _sentence_with(sentences, deadline.text) if deadline else "",
                    "checklist": "".join(body)}
    if deadline and assignment.deadline_text and deadline.text == assignment.deadline_text:
        duty.sources["deadline"] = assignment.source
    return duty


def _body(sentences: list[str]) -> list[str]:
    """A clause's sentences without the bracketed assignment (「（市民政局牵头）」) or a field line."""
    return [s for s in sentences if not BRACKET_NESTED.fullmatch(s.rstrip("。")) and not FIELD_LINE.match(s)]


def _steps_of(body: list[str]) -> list[str]:
    return [BRACKET_NESTED.sub("", s).strip() for s in body if len(s) >= 6]


def quoted_steps(text: str) -> list[str]:
    """The checklist steps quoted from a clause's text, as a drafted duty gets them: each sentence of
    six characters or more, its bracketed assignment left out, at most MAX_STEPS. The one rule for a
    duty drafted from the text and for a row a 任务分工表 adds on import (`portal.plans.division`)."""
    return [s for s in _steps_of(_body(_sentences(text))) if s][:MAX_STEPS]


def _deadline(text: str, assignment: _Assignment, issued: date | None) -> Deadline | None:
    if assignment.deadline_text:
        # a 完成时限 cell or field is nothing but the time: read whole first (「2026年12月」 is the month's end),
        # then as prose (「6月底完成」 takes the plan's year)
        cell = assignment.deadline_text
        found = read_deadline_cell(cell) or find_deadline(cell, issued)
        if found and found.day:
            return found
        return month_in_cell(cell, issued) or found or Deadline(cell, None)
    return find_deadline(text.replace("\n", ""), issued)


def _sentence_with(sentences: list[str], words: str) -> str:
    return next((s for s in sentences if words in s), words)


def _table_rows(document: PlanDocument) -> dict[str, TableRow]:
    """Task-table rows by the clause id the reader gave them (fj1.3 → the third row of 附件1's table)."""
    out: dict[str, TableRow] = {}
    row_clauses = [c for c in document.clauses if c.id.startswith(("fj", "tb")) and "." in c.id]
    rows = [row for table in document.tables if task_column(list(table[0].cells)) for row in table] \
        if document.tables else []
    for clause, row in zip(row_clauses, rows, strict=False):
        out[clause.id] = row
    return out
