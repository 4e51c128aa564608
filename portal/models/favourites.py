"""收藏: a signed-in person's own favourites in the library — a document or one article, kept in
folders of their own (收藏夹). Per person: no page shows one person's favourites to another."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


class FavouriteFolder(db.Model):
    __tablename__ = "favourite_folder"
    __table_args__ = (sa.UniqueConstraint("user_id", "name", name="uq_favourite_folder_user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class Favourite(db.Model):
    """One starred document (clause_id '') or article, in a folder or in none (未分类)."""

    __tablename__ = "favourite"
    __table_args__ = (sa.UniqueConstraint("user_id", "document_id", "clause_id", name="uq_favourite_user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("policy_document.id", ondelete="CASCADE"))
    clause_id: so.Mapped[str] = so.mapped_column(sa.String(60), default="")  # '' = the whole document
    folder_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("favourite_folder.id", ondelete="SET NULL"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    document: so.Mapped["PolicyDocument"] = so.relationship()  # noqa: F821
    folder: so.Mapped[Optional[FavouriteFolder]] = so.relationship()
