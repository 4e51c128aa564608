"""The shapes a plan's text is read into and its duties drafted as (the contract between the reader,
the drafter and the plans blueprint that stores them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Problem:
    """Something the reader could not read: the file the user gave, its line (paragraph for .docx,
    page:line for .pdf as `line`), and the reason in Chinese."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class Clause:
    """One numbered part of the plan. `id` follows the clause-id contract of docs/product.md
    (e.g. "3", "3.1", "3.1.2", "3.1.2.1" for 三、（一）2.（1）; "fj1" for 附件1). `line` is where it starts
    in the file the user gave."""

    id: str
    number: str  # as printed: "三、", "（一）", "2.", "（1）"
    heading: str  # the heading words, "" when the clause is a paragraph only
    text: str  # the clause's own text (not its children's)
    level: int  # 1 for 一、, 2 for （一）, 3 for 1., 4 for （1）
    line: int


@dataclass(frozen=True)
class TableRow:
    """A row of a table in the plan (e.g. a 任务分工表 in an 附件): cells by column header."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class PlanDocument:
    title: str
    number: str  # the 文号, e.g. 运民发〔2021〕74号; "" when the text has none
    issued: date | None
    clauses: list[Clause]
    tables: list[list[TableRow]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class UnitName:
    """A unit of the register as the drafter matches names against it."""

    id: int
    name: str
    short_name: str
    aliases: tuple[str, ...] = ()
    level: str = "city"  # "city", "county", "inst"


@dataclass
class DraftDuty:
    """One proposed duty, drafted from a plan's text (`portal.plan_text.drafting`) or read from an
    office's 任务分工表 (`portal.plan_text.division_table`). Names are as written; `lead_ids`/
    `cooperating_ids` are the register's matches (None where a name is unknown: the office maps it).
    `sources` holds, per field ("title", "lead", "cooperating", "scope", "deadline", "checklist"), the
    sentence or row it came from. `clause` is the first of `clauses` (a table row may cite several);
    `line` the table row, 0 for a drafted duty. The office's 工作安排: `arranged_cooperating`, the
    cooperating units it marked as its own choice (「（督查室安排）」 after the name), as written;
    `deadline_arranged`, whether the 完成时限 is its choice. A plan's own text carries neither."""

    clause: str
    title: str
    lead: list[str]
    cooperating: list[str]
    scope: str  # "city" or "county" (each 县（市、区）)
    deadline_text: str  # the text's own words: 「2022年9月底前」, 「长期坚持」, ""
    deadline: date | None
    quote: str  # the clause sentence the duty rests on
    checklist: list[str] = field(default_factory=list)  # steps quoted from the clause
    lead_ids: list[int | None] = field(default_factory=list)
    cooperating_ids: list[int | None] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    clauses: list[str] = field(default_factory=list)
    line: int = 0
    arranged_cooperating: list[str] = field(default_factory=list)
    deadline_arranged: bool = False

    def __post_init__(self) -> None:
        if not self.clauses and self.clause:
            self.clauses = [self.clause]

    def as_json(self) -> dict:
        """The `flask portal plan-draft FILE --json` shape."""
        return {"clause": self.clause, "title": self.title, "lead": self.lead, "cooperating": self.cooperating,
                "scope": self.scope, "deadline_text": self.deadline_text,
                "deadline": self.deadline.isoformat() if self.deadline else None, "quote": self.quote}
