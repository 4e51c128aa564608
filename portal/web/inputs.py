"""Request-wide input hygiene: what no view should have to think about.

Whole numbers typed by people or carried in links (ids, pages, versions, figures) are read here and
only here: ASCII digits within what the databases store; full-width digits (１２, what a Chinese input
method types) read as their ASCII twins. SQLite refuses integers beyond 2**63 with
an OverflowError and PostgreSQL's int4 columns anything beyond 2**31 - 1; `str.isdigit` also admits
"²" or "①", which `int()` refuses. Every such value is a clear refusal, never a 500.
"""
from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value an int4 column holds (ids, versions, figures)
# Only the full-width digits ０–９ (U+FF10–FF19): NFKC would also turn "①" or "²" into digits.
FULL_WIDTH_DIGITS = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})
OUT_OF_RANGE = "请求中的编号或数字无效（只能是不超过 10 位的整数），请从页面上的链接或选项重新进入。"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that refuses values no table can hold (a 404, not an overflow error)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_int(raw, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number written in ASCII (or full-width) digits within [low, high]; None for anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if low <= raw <= high else None
    text = str(raw if raw is not None else "").strip().translate(FULL_WIDTH_DIGITS)
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def id_arg(name: str) -> int | None:
    """An id from the query string: None when absent or not a number (the filter is not applied);
    a number no table can hold is refused with a 400 and a message."""
    raw = request.args.get(name, "").strip()
    if not raw or not raw.isdigit():
        return None
    value = parse_int(raw, 1)
    if value is None:
        abort(400, description=OUT_OF_RANGE)
    return value


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def refuse_nul_bytes():
    if "\x00" in request.path or _has_nul(request.args.values()) or _has_nul((request.view_args or {}).values()):
        abort(400)
    if request.method == "POST" and _has_nul(request.form.values()):
        abort(400)
    return None
