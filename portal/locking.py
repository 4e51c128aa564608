"""Optimistic locking, in one place (duties, evidence, reports, accounts).

Two kinds of write exist, and only the first can conflict:

* **Edits of one thing** (a duty's state, a report, an account, one checklist item): the form says which
  version (or value) it was made from; if the row moved on since, the edit is refused with the domain's
  clear message and the user's draft is kept. Rows with a version column are checked by SQLAlchemy's
  ``version_id_col`` (``UPDATE ... WHERE version = :seen``) and by `check_version` before any work.
* **Additions beside a thing** (a note, an evidence file, ticking a *different* item): they never
  conflict. They bump the parent's ``updated_at`` with `touch`, which does not move its version, and a
  side effect that depends on the parent's state (a first tick starts a duty) uses `set_if`, a
  compare-and-set that simply does nothing when someone else got there first.

A refused edit is shown the same way everywhere (`Conflict`, templates/_conflict.html): what the
colleague saved, who and when, beside what this person typed (still in the form, unsaved). The form
keeps the version it was made from, so saving it again is refused again; only the button that says
「以我填写的内容覆盖」 sends the `token` of the version now stored, and that alone replaces it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import AuditEntry
from portal.web.inputs import parse_int

StaleFactory = Callable[[], Exception]


def parse_version(raw: Any) -> int | None:
    """A version from a form field: a non-negative integer, or None when absent or malformed."""
    return parse_int(raw)


def check_version(current: int | None, expected: int | None, stale: StaleFactory) -> None:
    """Refuse an edit made from another version. `expected` None means "not checked"."""
    if expected is not None and (current or 0) != expected:
        raise stale()


@contextmanager
def stale_as(stale: StaleFactory) -> Iterator[None]:
    """Turn SQLAlchemy's version mismatch inside the block into the domain's error (after a rollback)."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        raise stale() from None


def commit(stale: StaleFactory) -> None:
    """Commit; a concurrent edit of the same versioned row becomes `stale()`."""
    with stale_as(stale):
        db.session.commit()


def touch(model: type, row_id: int, **values: Any) -> None:
    """Update columns of one row without moving its version (for additions beside it)."""
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values)
                       .execution_options(synchronize_session="fetch"))


def set_if(model: type, row_id: int, expected: dict[str, Any], **values: Any) -> bool:
    """Compare-and-set one row: apply `values` only while its columns still hold `expected`.

    A tuple or set in `expected` means "any of these". True when this call changed the row; False when
    it had already moved on (nothing written).
    """
    conditions = [getattr(model, name).in_(value) if isinstance(value, (tuple, set, frozenset))
                  else getattr(model, name) == value for name, value in expected.items()]
    result = db.session.execute(sa.update(model).where(model.id == row_id, *conditions).values(**values)
                                .execution_options(synchronize_session="fetch"))
    return result.rowcount == 1


# ---- showing a conflict ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictField:
    name: str
    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs.strip() != self.mine.strip()


@dataclass(frozen=True)
class Conflict:
    """An edit refused because someone saved the same thing after the form was opened."""

    fields: tuple[ConflictField, ...]
    by: str  # who saved the version now stored (their 姓名)
    at: datetime | None  # when
    token: str  # what the form sends to replace that version on purpose


def conflict(labels: dict[str, str], theirs: dict[str, Any], mine: dict[str, Any], token: Any,
             by: str | None = None, at: datetime | None = None, changed: tuple | None = None) -> Conflict:
    """`labels`: field name -> its label, in the form's order. Who and when: given, or the latest entry
    of the audit log for `changed`: (object type, id[, the actions that change these fields])."""
    if by is None and changed is not None:
        by, at = last_change(*changed)
    fields = tuple(ConflictField(name, label, _shown(theirs.get(name)), _shown(mine.get(name)))
                   for name, label in labels.items())
    return Conflict(fields, by or "他人", at, str(token))


def _shown(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    return str(value)


def last_change(object_type: str, object_id: int | str, actions: tuple[str, ...] = ()) -> tuple[str | None, datetime | None]:
    """Who changed an object last (by one of `actions`, if given), and when, from the audit log."""
    stmt = AuditEntry.of_object(sa.select(AuditEntry.actor_display, AuditEntry.actor_name, AuditEntry.at),
                                object_type, object_id)
    if actions:
        stmt = stmt.where(AuditEntry.action.in_(actions))
    row = db.session.execute(stmt.limit(1)).first()
    return ((row.actor_display or row.actor_name), row.at) if row else (None, None)


def fingerprint(*values: Any) -> str:
    """A token for a version of values that have no version column (compare-and-set edits)."""
    return hashlib.sha256("\x1f".join("" if v is None else str(v) for v in values).encode()).hexdigest()[:16]
