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
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.inputs import parse_int

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
