"""Query-string parsing that turns bad input into a message, never a 500."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import request, url_for

from portal import refdata
from portal.web.inputs import MAX_ID, parse_int
from portal.web.pagination import page_number
from portal.web.zhcontrols import date_problem, parse_zh_date


def parse_date_arg(name: str, errors: list[str], label: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = parse_zh_date(raw)
    if value is None:
        errors.append(f"{label}：{date_problem(raw)}")
    return value


def plan_arg(args, problems: list[str] | None = None) -> int:
    """`?plan=` of every page that shows all plans or one (the 台账, the board, home, county pages, the
    通报, reports, exports, the APIs): a plan's id, else 0 (every plan). A value that names no plan is
    ignored — said in `problems` where the page shows messages."""
    raw = args.get("plan", "").strip()[:20]
    plan_id = parse_int(raw, 1, MAX_ID) or 0
    if raw and refdata.plan(plan_id) is None:
        if problems is not None:
            problems.append(f"方案“{raw}”不在可选范围内，已忽略。")
        return 0
    return plan_id


def parse_page_arg() -> int:
    """`?page=` of a list page (`portal.web.pagination.page_number` reads it)."""
    return page_number(request.args.get("page"))


def url_with_args(endpoint: str, view_args: dict | None = None, **overrides) -> str:
    """A URL for `endpoint` keeping the current query string, with `overrides` applied.

    The query goes through urlencode rather than url_for's keywords, so a parameter named like
    one of url_for's own (endpoint, _external, fmt …) is just data, never an option or a crash.
    """
    args = {k: v for k, v in request.args.items() if k not in overrides}
    args.update({k: v for k, v in overrides.items() if v is not None})
    base = url_for(endpoint, **(view_args or {}))
    return f"{base}?{urlencode(args)}" if args else base
