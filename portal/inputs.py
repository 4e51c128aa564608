"""Request-wide input hygiene: what no view should have to think about."""
from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that refuses values no table can hold (a 404, not an overflow error)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def refuse_nul_bytes():
    if "\x00" in request.path or _has_nul(request.args.values()) or _has_nul((request.view_args or {}).values()):
        abort(400)
    if request.method == "POST" and _has_nul(request.form.values()):
        abort(400)
    return None
