from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

__all__ = ['one_of']


def one_of(column: str, values: Iterable[str]) -> sa.CheckConstraint:
    """A CHECK that a status/kind column holds one of its known values (named ck_<table>_<column>)."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)
