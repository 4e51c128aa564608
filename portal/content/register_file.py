"""Parse and validate content/policy/register.csv, the register of cited regulations.

One row per regulation. Fields the 方案 does not state stay empty until an admin
fills them in; nothing here is guessed. Pure: plain data in, plain data out.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from portal.content.citations import NUMBER_RE
from portal.content.problems import Problem, decode_utf8

REGISTER_FILE = "register.csv"
COLUMNS = ["key", "title", "number", "issuer", "issued", "effective", "status", "document", "aliases", "notes"]
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
    text, problems = decode_utf8(data, file)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text))
    rows: list[RegisterRow] = []
    try:
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != COLUMNS:
            return [], [Problem(file, 1, f"header must be exactly: {','.join(COLUMNS)}")]
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(COLUMNS):
                problems.append(Problem(file, line, f"expected {len(COLUMNS)} columns, found {len(record)}"))
                continue
            key, title, number, issuer, issued, effective, status, document, aliases, notes = (
                c.strip() for c in record)
            rows.append(RegisterRow(line, key, title.strip("《》"), number, issuer, issued, effective, status,
                                    document, tuple(a.strip() for a in aliases.split("|") if a.strip()), notes))
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, f"malformed CSV: {exc}"))
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
        if row.number and not NUMBER_RE.fullmatch(row.number):
            err(f"number {row.number!r} is not a 文号 like 晋民发〔2021〕42号")
        for name, value in (("issued", row.issued), ("effective", row.effective)):
            if value and not DATE_RE.match(value):
                err(f"{name} must be YYYY-MM-DD or empty, not {value!r}")
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
