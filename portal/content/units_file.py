"""Parse and validate content/units.csv: plain data in, plain data out."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.content.problems import Problem, read_csv

COLUMNS = ["code", "name", "short_name", "level", "parent", "aliases"]
LEVELS = ("市级", "县级", "机构")
CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    short_name: str
    level: str
    parent: str
    aliases: tuple[str, ...]


def parse_units(data: bytes, file: str) -> tuple[list[UnitRow], list[Problem]]:
    records, problems = read_csv(data, file, COLUMNS)
    rows = [
        UnitRow(line, code, name, short, level, parent, tuple(a.strip() for a in aliases.split("|") if a.strip()))
        for line, (code, name, short, level, parent, aliases) in records
    ]
    problems.extend(validate_units(rows, file))
    return rows, problems


def validate_units(rows: list[UnitRow], file: str) -> list[Problem]:
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        if not CODE_RE.match(row.code):
            problems.append(Problem(file, row.line, f"code {row.code!r} must be lowercase letters, digits and '-' (2-40 chars)"))
        elif row.code in first_line:
            problems.append(Problem(file, row.line, f"duplicate code {row.code} (first at line {first_line[row.code]})"))
        else:
            first_line[row.code] = row.line
        if not row.name:
            problems.append(Problem(file, row.line, "name is empty"))
        if not row.short_name:
            problems.append(Problem(file, row.line, "short_name is empty"))
        if row.level not in LEVELS:
            problems.append(Problem(file, row.line, f"level {row.level!r} must be one of {'/'.join(LEVELS)}"))
    by_code = {r.code: r for r in rows}
    for row in rows:
        if row.parent and row.parent not in by_code:
            problems.append(Problem(file, row.line, f"parent {row.parent} is not a unit code in this file"))
        elif row.parent == row.code:
            problems.append(Problem(file, row.line, "a unit cannot be its own parent"))
    problems.extend(_cycles(rows, by_code, file))
    return problems


def _cycles(rows: list[UnitRow], by_code: dict[str, UnitRow], file: str) -> list[Problem]:
    problems = []
    for row in rows:
        seen = {row.code}
        parent = by_code.get(row.parent)
        while parent is not None and parent.code != row.code:
            if parent.code in seen:
                break
            seen.add(parent.code)
            parent = by_code.get(parent.parent)
        if parent is not None and parent.code == row.code and row.parent != row.code:
            problems.append(Problem(file, row.line, f"parent chain of {row.code} loops back to itself"))
    return problems
