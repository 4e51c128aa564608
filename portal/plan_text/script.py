"""A plan printed in traditional characters (「(市政務服務數據管理局、各縣(市、區)政府牽頭)」, a copy of 韶关 2023):
the drafter reads it in simplified characters (`portal.hanzi`), so that its rules' words (牵头, 责任单位, 年底前)
hold, and gives back every drafted field as written — a name, a quote, a time found in the text is the
text's own, character for character (OpenCC maps one character to one, so a position in the simplified
text is the same in the printed one). A name the drafter made up from parts (民政部门 from 「民政、教育部门」)
is not in the text and stays simplified; `portal.plan_text.units.normalise` matches either to the register.
"""
from __future__ import annotations

import dataclasses

from portal.hanzi import is_traditional, simplified
from portal.plan_text.model import DraftDuty, PlanDocument, TableRow

SEPARATOR = "\n\x00\n"  # between two texts: no drafted field spans it


class AsWritten:
    """The plan's texts in both scripts: `words(s)` is ``s`` (simplified) as the plan prints it."""

    def __init__(self, printed: list[str]):
        self.printed = SEPARATOR.join(printed)
        self.simple = simplified(self.printed)
        # the same texts without their line breaks: a sentence is read across them
        self.printed_flat = self.printed.replace("\n", "")
        self.simple_flat = self.simple.replace("\n", "")
        self.same_length = len(self.simple) == len(self.printed)

    def words(self, text: str) -> str:
        if not text or not self.same_length:
            return text
        for simple, printed in ((self.simple, self.printed), (self.simple_flat, self.printed_flat)):
            at = simple.find(text)
            if at >= 0:
                return printed[at: at + len(text)]
        return text

    def duty(self, duty: DraftDuty) -> DraftDuty:
        words = self.words
        return dataclasses.replace(
            duty, title=words(duty.title), lead=[words(n) for n in duty.lead],
            cooperating=[words(n) for n in duty.cooperating], deadline_text=words(duty.deadline_text),
            quote=words(duty.quote), checklist=[words(s) for s in duty.checklist],
            sources={k: words(v) for k, v in duty.sources.items()})


def _texts(document: PlanDocument) -> list[str]:
    out = [document.title]
    for clause in document.clauses:
        out += [clause.heading, clause.text]
    for table in document.tables:
        for row in table:
            out += [*row.cells.keys(), *row.cells.values()]
    return out


def in_simplified(document: PlanDocument) -> tuple[PlanDocument, AsWritten | None]:
    """The document in simplified characters and the way back to its printed words; the document itself
    and None when it is printed in simplified characters."""
    if not is_traditional("".join(_texts(document))):
        return document, None
    clauses = [dataclasses.replace(c, heading=simplified(c.heading), text=simplified(c.text))
               for c in document.clauses]
    tables = [[TableRow(row.line, {simplified(k): simplified(v) for k, v in row.cells.items()}) for row in table]
              for table in document.tables]
    simple = dataclasses.replace(document, title=simplified(document.title), number=simplified(document.number),
                                 clauses=clauses, tables=tables)
    return simple, AsWritten(_texts(document))
