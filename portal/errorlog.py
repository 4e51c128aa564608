"""What the error log says about a failure: where it happened and which ids, never people's text.

Exception messages carry what people typed: SQLAlchemy's show the statement's parameters (a note, a
report, a file name, a phone number), PostgreSQL's DETAIL repeats the values of a refused key, and
any ValueError may quote its input. So the log gets the request (method, rule, the ids in the URL,
the signed-in user's id), the exception's class chain and the stack's frames (file, line,
function), never an exception's message. The engine is also created with
``hide_parameters=True`` (portal/config.py) for whatever else prints a statement error.
"""
from __future__ import annotations

import traceback
from types import TracebackType

import sqlalchemy as sa
from flask import has_request_context, request, session

MAX_FRAMES = 30


def exception_summary(exc: BaseException) -> str:
    """`OperationalError(sqlite3.OperationalError) in INSERT INTO duty_note`: classes and the statement's
    verb and table, for each exception in the chain (its cause or context), without messages."""
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append(_one(exc))
        exc = exc.__cause__ or exc.__context__
    return " <- ".join(parts)


def _one(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc, sa.exc.StatementError):
        orig = getattr(exc, "orig", None)
        driver = f"({type(orig).__module__}.{type(orig).__name__}" + (
            f" {orig.sqlstate}" if getattr(orig, "sqlstate", None) else "") + ")" if orig is not None else ""
        return f"{name}{driver} in {statement_head(exc.statement)}"
    return name


def statement_head(statement: str | None) -> str:
    """The verb and the table of a statement (`INSERT INTO duty_note`), no values."""
    words = (statement or "").split()
    head = words[:3] if words and words[0].upper() in ("INSERT", "DELETE") else words[:1]
    if words and words[0].upper() in ("UPDATE",):
        head = words[:2]
    return " ".join(head) or "?"


def request_summary() -> str:
    """`POST /tasks/<int:instance_id>/notes {'instance_id': 7} user 12`: the rule and its ids, not the
    query string or the form."""
    if not has_request_context():
        return "(no request)"
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    # From the session cookie, not the user object: the failed transaction must not be touched again.
    user = str(session.get("_user_id", "")).partition(":")[0] or None
    return f"{request.method} {rule} {request.view_args or {}} user {user}"


def frames(tb: TracebackType | None) -> str:
    return "".join(traceback.format_list(traceback.extract_tb(tb)[-MAX_FRAMES:]))


def log_failure(logger, what: str, exc: BaseException, with_stack: bool = True) -> None:
    text = f"{what}: {exception_summary(exc)} during {request_summary()}"
    if with_stack:
        text += "\nTraceback (most recent call last, messages left out):\n" + frames(exc.__traceback__)
    logger.error(text)
