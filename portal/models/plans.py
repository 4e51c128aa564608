"""Plans the office supervises (运民发〔2021〕74号 is plan one), their drafted duties under review, and
the names the office mapped to units while reviewing.

A plan's published duty definitions are `Duty` rows (`Duty.plan_id`); while a plan (or a new version
of it) is being drafted, its proposed duties are `PlanDraftDuty` rows, which publishing turns into
duties and instances (portal.plans.publish). Nothing here is deleted: a plan is archived.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db
from portal.models.base import one_of
from portal.models.org import Unit
from portal.models.users import User

PLAN_STATES = ("draft", "published", "archived")
# A plan the office imported (a 方案 and its 任务分工), or the office's own list of 交办事项: the matters it
# assigns without a plan (portal.supervision.assign), which live on the same boards as plan duties.
PLAN_KINDS = ("plan", "assigned")
DRAFT_SCOPES = ("city", "per-county")


class Plan(db.Model):
    __tablename__ = "plan"
    __table_args__ = (one_of("state", PLAN_STATES),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    number: so.Mapped[str] = so.mapped_column(sa.String(80), default="")  # 文号
    issuer: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    issued: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default="draft", index=True)
    # The library document (PolicyDocument.doc_id) holding the plan's clause text; "" before it has one.
    doc_id: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    # How many times the decomposition was published; a draft of a published plan is version + 1.
    version: so.Mapped[int] = so.mapped_column(default=0)
    drafting: so.Mapped[bool] = so.mapped_column(default=False)  # a draft (first or next version) is open
    # Clauses the office decided need no duty, with the reason: {"3.1": "总体要求……"}
    no_duty: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Clause ids of the plan's text in document order with their parents, kept from the reading:
    # [["1", null], ["1.1", "1"], ...] (the coverage check when the text is not in the library).
    clause_tree: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # What archiving took out of service, so restoring brings back exactly that (not a duty an earlier
    # revision retired): {"state": "published", "duties": [ids], "instances": [ids]}; {} when not archived.
    archived_with: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict, server_default="{}")
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    lock_version: so.Mapped[int] = so.mapped_column(default=1)
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), default="plan", server_default="plan")  # PLAN_KINDS

    created_by: so.Mapped[Optional[User]] = so.relationship()
    drafts: so.Mapped[list["PlanDraftDuty"]] = so.relationship(
        back_populates="plan", order_by="PlanDraftDuty.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}


class PlanDraftDuty(db.Model):
    """One proposed duty of a plan's open draft: `portal.plan_text.model.DraftDuty`'s fields, as the
    office edits them. `key` is the duty's stable key (kept from the published duty it revises)."""

    __tablename__ = "plan_draft_duty"
    __table_args__ = (one_of("scope", DRAFT_SCOPES),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id"), index=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(80))
    position: so.Mapped[int] = so.mapped_column(default=0)
    clause_ids: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    lead: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)  # names as written
    cooperating: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    lead_ids: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # unit ids, None where unknown
    cooperating_ids: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # Those of cooperating_ids the office added (the 方案 does not name them): published as its 工作安排.
    arranged_cooperating_ids: so.Mapped[list] = so.mapped_column(sa.JSON, default=list, server_default="[]")
    scope: so.Mapped[str] = so.mapped_column(sa.String(20), default="city")
    deadline_text: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    deadline: so.Mapped[Optional[date]] = so.mapped_column(sa.Date)
    quote: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Steps; the office's own start with 「安排：」 (the marking rule of content/duties.txt).
    checklist: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    arrangement: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # the office's 工作安排
    sources: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)  # field -> the sentence it came from
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)  # optimistic locking: two reviewers, one duty

    plan: so.Mapped[Plan] = so.relationship(back_populates="drafts")

    __mapper_args__ = {"version_id_col": version}


class UnitAlias(db.Model):
    """A name a plan uses for a unit, mapped by the office while reviewing a draft (kept in the
    database: `flask portal sync` of units.csv never touches it)."""

    __tablename__ = "unit_alias"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    unit: so.Mapped[Unit] = so.relationship()
