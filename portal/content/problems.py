"""A problem found in a content file, reported as `file:line: message`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def decode_utf8(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode a content file, naming the line of the first undecodable byte."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
