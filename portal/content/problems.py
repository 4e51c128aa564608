"""A problem found in a content file, reported as `file:line: message`."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def date_problem(name: str, value: str) -> str | None:
    """Why a date field of a content file cannot be used (not YYYY-MM-DD, or no such day, like
    2026-02-30), or None when it is empty or a real date. One rule for every date the library
    reads: front matter, a version's date in a file name, the register."""
    if not value:
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return f"{name} must be YYYY-MM-DD or empty, not {value!r}"
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return f"{name} {value} is not a real date (there is no such day)"
    return None


def decode_utf8(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode a content file, naming the line of the first undecodable byte."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]


def decode_upload(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode an uploaded regulation text: UTF-8, or GB18030 (what Windows Notepad and many
    government sites save Chinese text as); otherwise a message in Chinese naming the line."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return data.decode("gb18030"), []
    except UnicodeDecodeError:
        line = data[:first_bad].count(b"\n") + 1
        return None, [Problem(file, line, "文件编码无法识别（既不是 UTF-8，也不是 GB18030/GBK），未导入。"
                                          "请用记事本打开，“另存为”时编码选择 UTF-8 后重新上传。")]


def read_csv(data: bytes, file: str, columns: list[str]) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Rows of a reviewable CSV file as (line, stripped cells), after checking encoding, header
    and column count. Blank lines are skipped; every problem names its line."""
    text, problems = decode_utf8(data, file)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            return [], [Problem(file, 1, "the file is empty; expected a header row: " + ",".join(columns))]
        if [h.strip() for h in header] != columns:
            return [], [Problem(file, 1, f"header must be exactly: {','.join(columns)}")]
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                problems.append(Problem(file, line, f"expected {len(columns)} columns, found {len(record)}"))
                continue
            rows.append((line, [cell.strip() for cell in record]))
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, f"malformed CSV: {exc}"))
    return rows, problems


def shown_path(path, root=None) -> str:
    """How a content file is named in problems: relative to the project when it lies inside it."""
    path = Path(path)
    if root is not None and path.is_relative_to(root):
        return str(path.relative_to(root))
    return str(path)
