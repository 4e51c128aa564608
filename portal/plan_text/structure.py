"""The clause tree of a plan, built from numbered blocks of text and tables (whatever file they came
from): 一、（一）1.（1） numbering by the patterns of `portal.content.policy_doc.HEADING_NUMBER`, clause
ids by the contract of docs/product.md (三（一）2 → "3.1.2"; items numbered on across sections keep
their printed number, 三（二）8 → "3.2.8"), the title, 文号 and date, `header`/`preamble`/`closing`,
附件 as "fj1", "fj2", and the rows of a 任务分工表 as clauses "fj1.1", "fj1.2" (or "tb1.1" for a
table in the body).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from portal.content.policy_doc import HEADING_NUMBER, cn_value
from portal.plan_text.model import Clause, PlanDocument, Problem, TableRow


@dataclass(frozen=True)
class Block:
    line: int
    text: str


@dataclass
class Table:
    line: int
    rows: list[list[str]]


CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_GAP = re.compile(f"(?<=[{CJK}，。、；：（）“”《》])[ \t\u3000]+(?=[{CJK}，。、；：（）“”《》])")
MARKUP = re.compile(r"^\s*(?:#{1,6}\s*)?")
NUMBER_DOC = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_YEAR_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}
CN_DATE = re.compile(r"^([〇○零ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
ISO_DATE = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
TITLE_WORDS = ("方案", "通知", "意见", "要点", "计划", "办法", "规划", "措施", "细则", "分工", "分解", "清单", "安排", "决定",
               "分工表", "分解表", "任务表")  # a plan that is only its table: 重点任务分工表
SIGNATURE = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:局|委|办|院|会|政府|办公室|办公厅|厅|部|中心|联合会|残联|妇联|团委|"
                       r"总工会|支队|军分区|委员会|公司|集团)$")
ATTACHMENT = re.compile(r"^附\s*件\s*([0-9一二三四五六七八九十]*)\s*[:：]?\s*$")
ATTACHMENT_TITLED = re.compile(r"^附\s*件\s*([0-9]+)\s*[:：]\s*(\D.{1,60})$")
HEADING_MAX = 30  # a first sentence this short, ended by 。, is the clause's heading
# The header words of a task column (a header holding one of them, 「主要任务及措施」 too): reviewed, not guessed —
# 考核指标: a 任务分解表 that states each task as its measure; 民生实事/实事项目: a county's 民生实事 分解表 (大竹 2016)
TASK_COLUMNS = ("工作任务", "主要任务", "重点任务", "任务内容", "具体任务", "工作内容", "目标任务", "任务", "具体措施",
                "工作措施", "工作事项", "事项", "措施", "考核指标", "民生实事", "实事项目", "重点工作", "工作要点")
# The words that name who and when, as a table's column or a 「牵头单位：」 field: the one vocabulary of the
# drafter (a plan's own table) and the 任务分工表 reader (an office's table).
# a key naming its kind before 责任单位 (「牵头责任单位」「协同责任单位」, 滁州 2020 重点工作) is that kind: the longer keys first
LEAD_KEYS = ("牵头责任单位", "牵头单位", "牵头部门", "主责单位", "主办单位")
RESPONSIBLE_KEYS = ("责任单位", "责任部门")
COOP_KEYS = ("协同责任单位", "配合责任单位", "配合单位", "配合部门", "协办单位", "参与单位", "协同单位")
DEADLINE_KEYS = ("完成时限", "完成时间", "时间节点", "时限", "时间安排", "时限要求", "进度安排", "完成期限")


def clean_line(text: str) -> str:
    """A block as text: Markdown heading marks and bold gone, OCR's spaces between Chinese characters
    closed up ("运 城 市" → "运城市")."""
    text = MARKUP.sub("", text.replace("**", "").replace("\u3000", " "))
    return CJK_GAP.sub("", text).strip()


def number_of(text: str) -> tuple[int, int, str, str] | None:
    """(level, number, number as printed, the rest) when the text starts a numbered clause."""
    for level, rule in HEADING_NUMBER.items():
        m = rule.match(text)
        if not m:
            continue
        value = int(m.group(1)) if level >= 3 else cn_value(m.group(1))
        if value < 1:
            return None
        return level, value, m.group(0), text[m.end():].strip()
    return None


def split_heading(rest: str) -> tuple[str, str]:
    """A numbered block's words after its number as (heading, text)."""
    if not rest:
        return "", ""
    if not re.search(r"[。；;！？]", rest.rstrip("。")) and len(rest) <= 40:
        return rest.rstrip("。").strip(), ""
    m = re.match(r"^([^。；;！？]{2,%d})。(.*)$" % HEADING_MAX, rest, re.S)
    if m and "，" not in m.group(1):
        return m.group(1).strip(), m.group(2).strip()
    return "", rest


def to_date(text: str) -> date | None:
    """A whole block that is a date (2021年12月30日, 二〇二一年十二月三十日, 2021-12-30)."""
    text = re.sub(r"\s", "", text)
    for pattern, convert in ((re.compile(r"^" + DATE.pattern + r"$"), lambda m: (int(m[1]), int(m[2]), int(m[3]))),
                             (ISO_DATE, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
                             (CN_DATE, _cn_date_parts)):
        m = pattern.match(re.sub(r"\s", "", text))
        if m:
            try:
                return date(*convert(m))
            except ValueError:
                return None
    return None


def _cn_date_parts(m: re.Match) -> tuple[int, int, int]:
    year = int("".join(str(CN_YEAR_DIGITS[c]) for c in m[1]))
    return year, cn_value(m[2]), cn_value(m[3])


def is_title(text: str) -> bool:
    plain = text.strip("《》 ")
    return (6 <= len(plain) <= 90 and plain.endswith(TITLE_WORDS + tuple(w + "》" for w in TITLE_WORDS))
            and not plain.endswith(("：", ":")) and "。" not in plain) or (
        plain.startswith("关于") and 6 <= len(plain) <= 90 and "。" not in plain and not plain.endswith("："))


@dataclass
class _Open:
    id: str
    number: str
    heading: str
    level: int
    line: int
    text: list[str]


class _Builder:
    def __init__(self, name: str, problems: list[Problem]):
        self.name = name
        self.problems = problems
        self.clauses: list[_Open] = []
        self.ids: set[str] = set()
        self.stack: list[tuple[int, int, str]] = []  # open numbered clauses: (level, number, id)
        self.last_child: dict[str, int] = {}  # parent id ("" = top) -> last child's number
        self.current: _Open | None = None

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.name, line, reason))

    def open(self, cid: str, number: str, heading: str, level: int, line: int) -> _Open:
        clause = _Open(cid, number, heading, level, line, [])
        self.clauses.append(clause)
        self.ids.add(cid)
        self.current = clause
        return clause

    def numbered(self, block: Block, level: int, value: int, printed: str, rest: str) -> bool:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        parent = self.stack[-1][2] if self.stack else ""
        cid = f"{parent}.{value}" if parent else str(value)
        if cid in self.ids:
            self.problem(block.line, f"条款编号“{printed.strip()}”与前文重复（{_label(cid)}已出现过），这一段按上一条款的正文读入")
            return False
        self._check_sequence(block.line, parent, level, value, printed)
        self.stack.append((level, value, cid))
        heading, text = split_heading(rest)
        clause = self.open(cid, printed.strip(), heading, level, block.line)
        if text:
            clause.text.append(text)
        return True

    def next_item(self, value: int) -> bool:
        """Whether ``value`` is the number the open list of items (1. 2. …) goes on with — after the first
        item: 「11.121人才梯队项目」 after item 10 (广州 2012) starts item 11, its name starting with 121."""
        stack = [entry for entry in self.stack if entry[0] < 3]
        parent = stack[-1][2] if stack else ""
        return value > 1 and value in self._expected(parent, 3)

    def _expected(self, parent: str, level: int) -> set[int]:
        expected = {self.last_child.get(parent, 0) + 1}
        if parent not in self.last_child and level >= 3 and "." in parent:
            # items numbered on from the previous section (三（二）8 after 三（一）7)
            head, _, last = parent.rpartition(".")
            previous = f"{head}.{int(last) - 1}" if last.isdigit() and int(last) > 1 else None
            if previous in self.last_child:
                expected.add(self.last_child[previous] + 1)
        return expected

    def _check_sequence(self, line: int, parent: str, level: int, value: int, printed: str) -> None:
        expected = self._expected(parent, level)
        if value not in expected:
            self.problem(line, f"条款编号不连续：这里是“{printed.strip()}”，按顺序应为第 {min(expected)} 项；请核对是否漏了条款或编号有误")
        self.last_child[parent] = value


def _label(cid: str) -> str:
    return "“" + cid + "”"


def build_document(blocks: list[Block], tables: list[Table], problems: list[Problem], name: str) -> PlanDocument:
    blocks = [Block(b.line, t) for b in blocks if (t := clean_line(b.text))]
    first = next((i for i, b in enumerate(blocks) if _starts_body(b.text)), None)
    if first is None and not any(_task_rows(t) for t in tables):  # a plan that is only its 任务分工表 reads as its rows
        problems.append(Problem(name, blocks[0].line if blocks else 1,
                                "没有找到按“一、（一）1.（1）”编号的条款，无法拆分条款；请确认这是方案正文"))
    if first is None:
        first = len(blocks)
    front = blocks[:first]
    title, title_at = _title(front)
    builder = _Builder(name, problems)
    _front_matter(builder, front, title_at)
    issued = _body(builder, blocks[first:])
    if issued is None:
        # a date under the title, printed in brackets: 「（2015年9月15日）」
        issued = next((d for b in reversed(front) if (d := to_date(b.text.strip("()（） ")))), None)
    number = next((f"{m.group(0)[: m.start(1) - m.start(0)].rstrip('〔[［【(（ ')}〔{m[1]}〕{m[2]}号"
                   for b in blocks[: first + 1] + blocks[-40:] if (m := NUMBER_DOC.search(b.text))
                   and len(b.text) < 40), "")
    clauses = [Clause(c.id, c.number, c.heading, "\n".join(c.text), c.level, c.line) for c in builder.clauses]
    rows = _tables(tables, builder.clauses, clauses)
    return PlanDocument(title=title, number=number, issued=issued, clauses=clauses, tables=rows, problems=problems)


def _starts_body(text: str) -> bool:
    found = number_of(text)
    return found is not None and found[0] <= 2


def _title(front: list[Block]) -> tuple[str, int | None]:
    """The plan's title: the last title-like block before the body (a 通知 that prints the plan comes
    first, then the plan's own title), joined with a following line when a title is split in two."""
    found: tuple[str, int | None] = ("", None)
    i = 0
    while i < len(front):
        text = front[i].text
        joined = text + front[i + 1].text if i + 1 < len(front) else ""
        if (not is_title(text) and joined and len(text) <= 40 and not text.endswith(("。", "：", ":", "，"))
                and to_date(text) is None and not SIGNATURE.match(text)
                and is_title(joined) and not NUMBER_DOC.search(joined)):
            found = (joined.strip("《》 "), i + 1)
            i += 2
            continue
        if is_title(text) and not NUMBER_DOC.search(text):
            found = (text.strip("《》 "), i)
        i += 1
    return found


def _front_matter(builder: _Builder, front: list[Block], title_at: int | None) -> None:
    """`header` up to the addressee line (or the title), `preamble` after it."""
    if not front:
        return
    end = title_at if title_at is not None else -1
    addressee = next((i for i in range(end + 1, len(front)) if front[i].text.endswith(("：", ":"))
                      and len(front[i].text) < 200), None)
    if addressee is not None and addressee <= end + 3:
        end = addressee
    if end >= 0:
        header = builder.open("header", "", "", 0, front[0].line)
        header.text.extend(b.text for b in front[: end + 1])
    if end + 1 < len(front):
        preamble = builder.open("preamble", "", "", 0, front[end + 1].line)
        preamble.text.extend(b.text for b in front[end + 1:])


def _body(builder: _Builder, blocks: list[Block]) -> date | None:
    """Numbered clauses, then `closing` (signatures, the date) and 附件; the date of issue."""
    issued = None
    closing = False
    attachments = 0
    for block in blocks:
        text = block.text
        attachment = ATTACHMENT.match(text) or (closing and ATTACHMENT_TITLED.match(text))
        if attachment:
            attachments += 1
            builder.open(f"fj{attachments}", text, attachment.group(2).strip() if attachment.re is ATTACHMENT_TITLED else "",
                         1, block.line)
            continue
        if attachments:
            current = builder.current
            if not current.heading and not current.text and len(text) <= 60 and "。" not in text:
                current.heading = text
            else:
                current.text.append(text)
            continue
        day = to_date(text)
        if not closing and (day or SIGNATURE.match(text)):
            closing = True
            builder.open("closing", "", "", 0, block.line)
        if closing:
            issued = issued or day
            builder.current.text.append(text)
            continue
        found = number_of(text) or _run_on_item(builder, text)
        if found and builder.numbered(block, *found):
            continue
        builder.current.text.append(text)
    return issued


RUN_ON_ITEM = re.compile(r"^(\d+)[.．](?=\d)")


def _run_on_item(builder: _Builder, text: str) -> tuple[int, int, str, str] | None:
    """An item whose name starts with a number (「11.121人才梯队项目」): numbered when its number is the
    one the items go on with, else a decimal (「1.5亿元…」) in the text."""
    m = RUN_ON_ITEM.match(text)
    if m and builder.next_item(int(m.group(1))):
        return 3, int(m.group(1)), m.group(0), text[m.end():].strip()
    return None


def header_key(cell: str) -> str:
    return re.sub(r"\s", "", cell)


def task_column(headers: list[str]) -> str | None:
    return next((h for word in TASK_COLUMNS for h in headers if word in h), None)


def _tables(tables: list[Table], opened: list[_Open], clauses: list[Clause]) -> list[list[TableRow]]:
    """Rows by column header; a table with a task column also adds a clause per row."""
    result = []
    numbered: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        if len(table.rows) < 2:
            continue
        headers = _unique([header_key(c) for c in table.rows[0]])
        rows = [TableRow(table.line, dict(zip(headers, (c.strip() for c in row), strict=False))) for row in table.rows[1:]
                if any(c.strip() for c in row)]
        task = task_column(headers)
        if task is not None:
            rows = _fill_merged_units(rows, headers, task)
        result.append(rows)
        if task is None:
            continue
        owner = next((c.id for c in reversed(opened) if c.line <= table.line and c.id.startswith("fj")), None)
        base = owner or f"tb{index}"
        start = numbered.get(base, 0)  # a second table in the same 附件 numbers its rows on
        numbered[base] = start + len(rows)
        for k, row in enumerate(rows, start=start + 1):
            heading, text = split_heading(row.cells.get(task, ""))
            first = next(iter(row.cells.values()), "")
            clauses.append(Clause(f"{base}.{k}", first if first.isdigit() else str(k), heading,
                                  text or row.cells.get(task, ""), 2, table.line))
    return result


def _fill_merged_units(rows: list[TableRow], headers: list[str], task: str) -> list[TableRow]:
    """A task table's 牵头单位/责任单位 cell left empty under a filled one is a cell merged over both rows, as a
    text or PDF copy prints it (once, in its first row; 大竹 2016 item 5): every task has someone
    responsible, so the row takes the cell above. 配合单位 and 完成时限 cells may be empty of their own; a
    row with nothing but its task cell is a heading inside the table (「一、民生保障」), not a merged row."""
    unit_columns = [h for h in headers if any(k in h for k in LEAD_KEYS + RESPONSIBLE_KEYS)
                    and not any(k in h for k in COOP_KEYS)]
    filled: list[TableRow] = []
    for row in rows:
        cells = dict(row.cells)
        heading = not any(v for k, v in cells.items() if k != task)
        for column in unit_columns:
            if not heading and not cells.get(column) and filled and filled[-1].cells.get(column):
                cells[column] = filled[-1].cells[column]
        filled.append(TableRow(row.line, cells))
    return filled


def _task_rows(table: Table) -> bool:
    """Whether a table gives clauses: a task column (`task_column`) and a row with text under it."""
    if len(table.rows) < 2:
        return False
    headers = [header_key(c) for c in table.rows[0]]
    task = task_column(headers)
    return task is not None and any(row[headers.index(task)].strip() for row in table.rows[1:]
                                    if len(row) > headers.index(task))


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}{seen[h]}")
    return out
