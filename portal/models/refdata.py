"""One row whose token changes whenever reference data changes (see portal/refdata.py)."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db


class RefdataStamp(db.Model):
    """Always the row id 1: a random token replaced in the same transaction as any write to the
    units, duties or the policy library; hosts compare it with the token their cache was read at."""

    __tablename__ = "refdata_stamp"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))
