"""Rows whose tokens change whenever reference data (or the duty data) changes (see portal/refdata.py)."""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.extensions import db


class RefdataStamp(db.Model):
    """Row id 1: a random token replaced in the same transaction as any write to the units, duties or
    the policy library; row id 2: the same for the duty data the 台账 shows (instances, checklists,
    cooperating units and the reference tables). Hosts compare them with the tokens their caches were
    read at."""

    __tablename__ = "refdata_stamp"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))
