"""The policy library: documents and their clauses (loaded from content/policy), the register of
cited regulations, the citations found in the text, and each document's change history.

Content files are the source of truth; these tables are what the sync last loaded successfully.
Nothing is deleted: a document whose file disappears, or a clause removed from a document, is
retired, because permalinks, citations and duties refer to them.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


def revision_names_issuer(revised_by: str, issuers: list[str]) -> bool:
    """Whether a statute's edition line (``revised_by``) names its 发文单位 as the body that adopted it
    (a law amended by the 常委会): then that body goes with the edition's date, not the original act's.
    The one rule for the meta table (``portal.policy.statute_meta``) and ``PolicyDocument.issuer_date``."""
    return bool(revised_by) and any(i and i in revised_by for i in issuers)


class PolicyDocument(db.Model):
    __tablename__ = "policy_document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    doc_id: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)  # yunmin-2021-74: in URLs
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    short_title: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    number: so.Mapped[str] = so.mapped_column(sa.String(80), default="")  # 文号
    issuers: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    addressees: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    issued: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    # a statute's history as its text states it (front matter promulgated, promulgated_by, promulgated_as,
    # revised_by): the act its 文号 belongs to (or, without one, its first 通过/公布), and the revision
    # the edition in force is; issued is that edition's date
    promulgated: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    promulgated_by: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    promulgated_as: so.Mapped[str] = so.mapped_column(sa.String(10), default="")  # 公布 / 发布 / 通过
    revised_by: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(40), default="")  # 现行有效 …
    layout: so.Mapped[str] = so.mapped_column(sa.String(20), default="scheme")  # scheme | statute
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    source_file: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # the content file
    provenance: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # the original text kept beside it
    errata_file: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    clause_count: so.Mapped[int] = so.mapped_column(default=0)
    version: so.Mapped[int] = so.mapped_column(default=1)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    clauses: so.Mapped[list["PolicyClause"]] = so.relationship(
        back_populates="document", order_by="PolicyClause.position", cascade="all, delete-orphan")
    changes: so.Mapped[list["PolicyChange"]] = so.relationship(
        back_populates="document", order_by="PolicyChange.id.desc()", cascade="all, delete-orphan")
    editions: so.Mapped[list["PolicyEdition"]] = so.relationship(
        back_populates="document", order_by="PolicyEdition.edition", cascade="all, delete-orphan")

    @property
    def issuer_text(self) -> str:
        return "、".join(self.issuers or [])

    @property
    def issuer_date(self) -> date | None:
        """The date the 文号 and 发文单位 shown belong to: a statute's 令号 (or, when the text does not say
        who adopted the edition in force, its original body) goes with the act that promulgated it, not
        with a later edition's date."""
        if self.layout != "statute" or self.promulgated is None:
            return self.issued
        if self.number:
            return self.promulgated
        # a law: its 发文单位 is the body that adopted the edition in force where the text says so
        # (the edition's date goes with it), else the body of its first 通过/公布 (and that date)
        return self.issued if revision_names_issuer(self.revised_by, self.issuers or []) else self.promulgated

    def __repr__(self) -> str:
        return f"<PolicyDocument {self.doc_id}>"


class PolicyClause(db.Model):
    """A clause (一、 / 三（一）1 / 第八条) or a finer anchor inside one (四（二）3 / 第八条第（三）项)."""

    __tablename__ = "policy_clause"
    __table_args__ = (sa.UniqueConstraint("document_id", "clause_id", name="uq_policy_clause_document_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("policy_document.id", ondelete="CASCADE"), index=True)
    clause_id: so.Mapped[str] = so.mapped_column(sa.String(60))  # 3.2.8, a8.3: never changes once published
    position: so.Mapped[int] = so.mapped_column(default=0)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), default="section")  # section | anchor
    label: so.Mapped[str] = so.mapped_column(sa.String(80))
    title: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    parent: so.Mapped[Optional[str]] = so.mapped_column(sa.String(60))  # parent clause_id
    level: so.Mapped[int] = so.mapped_column(default=1)
    markdown: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # for a section: with inner anchors
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # plain text
    line: so.Mapped[int] = so.mapped_column(default=0)  # line in the content file
    retired: so.Mapped[bool] = so.mapped_column(default=False)  # removed from the file; the id stays reserved

    document: so.Mapped[PolicyDocument] = so.relationship(back_populates="clauses")

    def __repr__(self) -> str:
        return f"<PolicyClause {self.clause_id}>"


class RegulationEntry(db.Model):
    """One regulation in the register (content/policy/register.csv)."""

    __tablename__ = "regulation_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    number: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    issuer: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    issued: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    effective: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    document: so.Mapped[str] = so.mapped_column(sa.String(80), default="")  # doc_id of its full text, if named
    aliases: so.Mapped[str] = so.mapped_column(sa.String(400), default="")  # "|"-separated
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    @property
    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("|") if a]

    def __repr__(self) -> str:
        return f"<RegulationEntry {self.key}>"


class PolicyCitation(db.Model):
    """A citation found in a clause; its target is re-resolved at every sync."""

    __tablename__ = "policy_citation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("policy_document.id", ondelete="CASCADE"), index=True)
    clause_id: so.Mapped[str] = so.mapped_column(sa.String(60))  # the section it is in
    anchor_id: so.Mapped[str] = so.mapped_column(sa.String(60))  # the finest clause it is in
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.String(300))  # as written
    cited_title: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    cited_number: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    cited_clause: so.Mapped[str] = so.mapped_column(sa.String(60), default="")  # a8, a8.3
    register_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80), index=True)
    target_doc: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80), index=True)
    target_clause: so.Mapped[Optional[str]] = so.mapped_column(sa.String(60))
    target_edition: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))  # an earlier version in force then
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")  # ambiguity, said on the page

    document: so.Mapped[PolicyDocument] = so.relationship()


class PolicyEdition(db.Model):
    """One version of a document (a law revised in 2020 and amended in 2024 is one document with
    two editions). The current edition's clauses are the document's PolicyClause rows; an earlier
    edition keeps its library Markdown and is rendered from it."""

    __tablename__ = "policy_edition"
    __table_args__ = (sa.UniqueConstraint("document_id", "edition", name="uq_policy_edition_document_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("policy_document.id", ondelete="CASCADE"), index=True)
    edition: so.Mapped[str] = so.mapped_column(sa.String(10))  # YYYY-MM-DD: the version's date
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    effective: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(40), default="")  # 现行有效 / 已修订
    current: so.Mapped[bool] = so.mapped_column(default=False)
    active: so.Mapped[bool] = so.mapped_column(default=True)  # False: its file was removed
    source_file: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    markdown: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # when this version first reached the library (the content sync or an import): training completed
    # before that day was on the earlier text (portal.training.retrain)
    arrived_at: so.Mapped[Optional[datetime]] = so.mapped_column(default=utcnow)

    document: so.Mapped[PolicyDocument] = so.relationship(back_populates="editions")

    @property
    def edition_date(self) -> date | None:
        try:
            return date.fromisoformat(self.edition)
        except ValueError:
            return None


class PolicyChange(db.Model):
    """What one sync or import changed in a document (全程留痕)."""

    __tablename__ = "policy_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("policy_document.id", ondelete="CASCADE"), index=True)
    version: so.Mapped[int] = so.mapped_column()
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(64), default="sync")
    action: so.Mapped[str] = so.mapped_column(sa.String(20))  # create | update | retire | restore
    summary: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)  # added/changed/retired ids, metadata

    document: so.Mapped[PolicyDocument] = so.relationship(back_populates="changes")


class LibraryImport(db.Model):
    """A statute file an admin imported on the library page, kept here (and so in backups), never
    in content/: `content/` is the reviewed seed; the sync reads these rows beside its files, so a
    sync never retires what the office imported. Retiring an import (with a reason) takes it out of
    the library at the next sync; restoring it brings it back."""

    __tablename__ = "library_import"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    doc_id: so.Mapped[str] = so.mapped_column(sa.String(80), index=True)
    edition: so.Mapped[str] = so.mapped_column(sa.String(10), default="")  # YYYY-MM-DD or ''
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    files: so.Mapped[str] = so.mapped_column(sa.String(600))  # the uploaded file names, as the admin gave them
    markdown: so.Mapped[str] = so.mapped_column(sa.Text)  # library Markdown, as converted
    source_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # the text as uploaded (provenance)
    flags: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)  # [file, line, reason]: what could not be read
    active: so.Mapped[bool] = so.mapped_column(default=True)
    imported_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    imported_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    retired_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    retired_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # why it was retired

    @property
    def edition_date(self) -> date | None:
        try:
            return date.fromisoformat(self.edition)
        except ValueError:
            return None

    @property
    def file_name(self) -> str:
        """The name the sync gives it, as if it were a library file (never written anywhere)."""
        return f"{self.doc_id}@{self.edition}.md" if self.edition else f"{self.doc_id}.md"
