"""The organisation: city departments, counties and their bureaus, institutions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db

LEVELS = ("市级", "县级", "机构")


class Unit(db.Model):
    __tablename__ = "unit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    short_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    level: so.Mapped[str] = so.mapped_column(sa.String(10))
    parent_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    # Other names the 方案 uses for this unit (e.g. 财政部门), "|"-separated.
    aliases: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    # A unit dropped from content/units.csv is retired, never deleted: duties and users refer to it.
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Made by the office in the portal (a unit a new plan names), not loaded from units.csv: the sync
    # of units.csv never retires it.
    created_in_portal: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    parent: so.Mapped[Optional["Unit"]] = so.relationship(remote_side=[id], back_populates="children")
    children: so.Mapped[list["Unit"]] = so.relationship(back_populates="parent", order_by="Unit.sort_order")

    @property
    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("|") if a]

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
