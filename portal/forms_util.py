"""Query-string parsing that turns bad input into a message, never a 500."""
from __future__ import annotations

from datetime import date

from flask import request


def parse_date_arg(name: str, errors: list[str], label: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label}格式不正确，应为 2022-09-01 这样的日期。")
        return None


def parse_page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1
