"""Parse and validate content/policy/register.csv, the register of cited regulations.

One row per regulation. Fields the 方案 does not state stay empty until an admin
fills them in; nothing here is guessed. Pure: plain data in, plain data out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.content.citations import NUMBER_RE
from portal.content.problems import Problem, date_problem, read_csv

REGISTER_FILE = "register.csv"
COLUMNS = ["key", "title", "number", "issuer", "issued", "effective", "status", "document", "aliases", "notes"]
ORDER_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{2,12}令第\d{1,5}号")  # 民政部令第63号
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
STATUSES = ("", "现行有效", "已修订", "已废止", "尚未生效", "待核实")


@dataclass(frozen=True)
class RegisterRow:
    line: int
    key: str
    title: str
    number: str
    issuer: str
    issued: str
    effective: str
    status: str
    document: str
    aliases: tuple[str, ...]
    notes: str


def parse_register(data: bytes, file: str) -> tuple[list[RegisterRow], list[Problem]]:
    records, problems = read_csv(data, file, COLUMNS)
    rows = [
        RegisterRow(line, key, title.strip("《》"), number, issuer, issued, effective, status, document,
                    tuple(a.strip() for a in aliases.split("|") if a.strip()), notes)
        for line, (key, title, number, issuer, issued, effective, status, document, aliases, notes) in records
    ]
    problems.extend(validate_register(rows, file))
    return rows, problems


def validate_register(rows: list[RegisterRow], file: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        err = lambda msg, row=row: problems.append(Problem(file, row.line, msg))  # noqa: E731
        if not KEY_RE.match(row.key):
            err(f"key {row.key!r} must be lowercase letters, digits and '-'")
        if not row.title:
            err("title is empty")
        if row.number and not (NUMBER_RE.fullmatch(row.number) or ORDER_NUMBER_RE.fullmatch(row.number)):
            err(f"number {row.number!r} is not a 文号 like 晋民发〔2021〕42号 or 民政部令第63号")
        for name, value in (("issued", row.issued), ("effective", row.effective)):
            reason = date_problem(name, value)
            if reason:
                err(reason)
        if row.status not in STATUSES:
            err(f"status {row.status!r} must be empty or one of {'/'.join(s for s in STATUSES if s)}")
        for field_name, value in (("key", row.key), ("title", row.title), ("number", row.number)):
            if not value:
                continue
            if (field_name, value) in seen:
                err(f"duplicate {field_name} {value} (first at line {seen[(field_name, value)]})")
            else:
                seen[(field_name, value)] = row.line
    return problems
