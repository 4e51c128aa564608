"""What a duty page reads of one duty's own rows, in one statement.

The page shows the latest notes, the latest timeline (audit) entries, every evidence file, extension
request, reported figure and 批示, and the instances its remarks link to. Each of those was its own
query (and the evidence uploaders, figure reporters and note authors one more per person); here
they are one UNION ALL of plain columns, people's names joined in, split into small records.
The instance itself (duty, unit, cooperating units, checklist and who ticked it) is one joined
statement: `services.get_instance`.

Records, not ORM objects: they are read-only and never enter the session. Their attribute names
are those the templates already use (`n.author.display_name`, `e.uploader.display_name`,
`h.by.display_name` …).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import g, has_app_context

from portal.core import duty_rules
from portal.extensions import db
from portal.models import AuditEntry, DutyInstance, DutyNote, Evidence, ExtensionRequest, IndicatorValue, User


@dataclass(frozen=True, slots=True)
class Person:
    display_name: str


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    at: datetime
    author: Person | None
    kind: str
    body: str


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    id: int
    at: datetime
    uploader: Person | None
    filename: str
    size: int


@dataclass(frozen=True, slots=True)
class ExtensionRow:
    id: int
    at: datetime
    status: str
    proposed_deadline: date
    decision_comment: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndicatorValueRow:
    id: int
    at: datetime
    by: Person | None
    name: str
    value: int
    note: str


@dataclass
class DutyRead:
    """One duty's rows for its page, newest first."""

    notes: list[NoteRow] = field(default_factory=list)  # the latest `limit` (+1: is there more?)
    timeline: list[AuditEntry] = field(default_factory=list)  # the latest `limit` (+1), transient
    actor_names: dict[int, str] = field(default_factory=dict)  # actor id -> 姓名, for the timeline
    instructions: list[NoteRow] = field(default_factory=list)  # every 批示
    evidence: list[EvidenceRow] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)
    indicator_values: list[IndicatorValueRow] = field(default_factory=list)  # every reported figure
    linked: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # duty id -> live (instance id, county)

    @property
    def current_indicator_values(self) -> dict[str, int]:
        """indicator name -> the latest reported value."""
        out: dict[str, int] = {}
        for f in reversed(self.indicator_values):
            out[f.name] = f.value
        return out

    @property
    def pending_extension(self) -> ExtensionRow | None:
        return next((e for e in self.extensions if e.status == duty_rules.PENDING), None)


_COLUMNS = ("src", "id", "at", "who", "n1", "s1", "s2", "s3", "s4", "s5", "d1")


def _branch(src: str, id_, at, who=None, n1=None, s1=None, s2=None, s3=None, s4=None, s5=None, d1=None):
    """One source as the union's columns (typed NULLs where it has nothing)."""
    def typed(value, type_):
        return sa.cast(sa.null(), type_) if value is None else value

    values = (sa.literal(src, sa.String), id_, at, typed(who, sa.String), typed(n1, sa.Integer),
              typed(s1, sa.Text), typed(s2, sa.Text), typed(s3, sa.Text), typed(s4, sa.Text), typed(s5, sa.Text),
              typed(d1, sa.Date))
    return [v.label(name) for v, name in zip(values, _COLUMNS, strict=True)]


def _limited(stmt: sa.Select, limited: bool) -> sa.Select:
    """A branch with its own ORDER BY/LIMIT (the `limit` parameter), wrapped so that SQLite accepts
    it inside a UNION."""
    if not limited:
        return stmt.order_by(None)  # the union orders the whole
    sub = stmt.limit(sa.bindparam("limit", type_=sa.Integer)).subquery()
    return sa.select(*sub.c)


def read(inst: DutyInstance, limit: int | None, linked_duty_ids: list[int] = ()) -> DutyRead:
    """Everything of `inst` its page shows, in one statement; memoised for the request, so that
    the page's parts (the board's figures and 批示) share it."""
    memo = g.setdefault("duty_reads", {}) if has_app_context() else {}
    key = (inst.id, limit, tuple(linked_duty_ids))
    if key not in memo:
        memo[key] = _read(inst, limit, list(linked_duty_ids))
    return memo[key]


def for_instance(inst: DutyInstance) -> DutyRead | None:
    """The read the page already made of `inst` this request (None: none made)."""
    if not has_app_context():
        return None
    return next((r for (iid, *_), r in g.get("duty_reads", {}).items() if iid == inst.id), None)


def _read(inst: DutyInstance, limit: int | None, linked_duty_ids: list[int]) -> DutyRead:
    params = {"iid": inst.id, "oid": str(inst.id)}
    if limit is not None:
        params["limit"] = limit
    if linked_duty_ids:
        params["duties"] = linked_duty_ids
    rows = db.session.execute(_statement(limit is not None, bool(linked_duty_ids)), params).all()
    return _split(rows, inst)


_STATEMENTS: dict[tuple[bool, bool], sa.CompoundSelect] = {}


def _statement(limited: bool, linked: bool) -> sa.CompoundSelect:
    """The union, built once per shape (building it cost more than running it); the instance, the
    limit and the linked duties are parameters."""
    key = (limited, linked)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _build(limited, linked)
    return _STATEMENTS[key]


def _build(limited: bool, linked: bool) -> sa.CompoundSelect:
    author = sa.orm.aliased(User)
    iid = sa.bindparam("iid", type_=sa.Integer)
    oid = sa.bindparam("oid", type_=sa.String)
    notes = _limited(sa.select(*_branch("note", DutyNote.id, DutyNote.at, author.display_name, s1=DutyNote.kind,
                                        s2=DutyNote.body))
                     .outerjoin(author, author.id == DutyNote.author_id)
                     .where(DutyNote.instance_id == iid).order_by(DutyNote.id.desc()), limited)
    instructions = (sa.select(*_branch("instruction", DutyNote.id, DutyNote.at, author.display_name, s1=DutyNote.kind,
                                       s2=DutyNote.body))
                    .outerjoin(author, author.id == DutyNote.author_id)
                    .where(DutyNote.instance_id == iid, DutyNote.kind == duty_rules.NOTE_INSTRUCTION))
    audit = (sa.select(*_branch("audit", AuditEntry.id, AuditEntry.at, author.display_name, n1=AuditEntry.actor_id,
                                s1=AuditEntry.action, s2=AuditEntry.actor_name, s3=AuditEntry.actor_display,
                                s4=sa.cast(AuditEntry.before, sa.Text), s5=sa.cast(AuditEntry.after, sa.Text)))
             .outerjoin(author, author.id == AuditEntry.actor_id))
    timeline = _limited(AuditEntry.of_object(audit, "duty_instance", oid), limited)
    evidence = (sa.select(*_branch("evidence", Evidence.id, Evidence.at, author.display_name, n1=Evidence.size,
                                   s1=Evidence.filename))
                .outerjoin(author, author.id == Evidence.uploader_id).where(Evidence.instance_id == iid))
    extensions = sa.select(*_branch("extension", ExtensionRequest.id, ExtensionRequest.at, s1=ExtensionRequest.status,
                                    s2=ExtensionRequest.decision_comment, s3=ExtensionRequest.reason,
                                    d1=ExtensionRequest.proposed_deadline)
                           ).where(ExtensionRequest.instance_id == iid)
    indicator_values = (sa.select(*_branch("figure", IndicatorValue.id, IndicatorValue.at, author.display_name,
                                  n1=IndicatorValue.value, s1=IndicatorValue.name, s2=IndicatorValue.note))
               .outerjoin(author, author.id == IndicatorValue.by_id).where(IndicatorValue.instance_id == iid))
    parts = [notes, instructions, timeline, evidence, extensions, indicator_values]
    if linked:
        parts.append(sa.select(*_branch("linked", DutyInstance.id, DutyInstance.created_at, n1=DutyInstance.duty_id,
                                        s1=DutyInstance.county))
                     .where(DutyInstance.duty_id.in_(sa.bindparam("duties", expanding=True)), ~DutyInstance.archived))
    return sa.union_all(*parts).order_by(sa.text("src"), sa.text("id DESC"))


def _person(name: str | None) -> Person | None:
    return Person(name) if name is not None else None


def _json(text: str | None):
    return json.loads(text) if text else None


def _split(rows, inst: DutyInstance) -> DutyRead:
    out = DutyRead()
    for r in rows:
        if r.src == "note":
            out.notes.append(NoteRow(r.id, r.at, _person(r.who), r.s1, r.s2))
        elif r.src == "instruction":
            out.instructions.append(NoteRow(r.id, r.at, _person(r.who), r.s1, r.s2))
        elif r.src == "audit":
            out.timeline.append(AuditEntry(id=r.id, at=r.at, actor_id=r.n1, action=r.s1, actor_name=r.s2,
                                        actor_display=r.s3 or "", object_type="duty_instance", object_id=str(inst.id),
                                        object_label="", before=_json(r.s4), after=_json(r.s5)))
            if r.n1 is not None and r.who is not None:
                out.actor_names[r.n1] = r.who
        elif r.src == "evidence":
            out.evidence.append(EvidenceRow(r.id, r.at, _person(r.who), r.s1, r.n1))
        elif r.src == "extension":
            out.extensions.append(ExtensionRow(r.id, r.at, r.s1, r.d1, r.s2 or "", r.s3 or ""))
        elif r.src == "figure":
            out.indicator_values.append(IndicatorValueRow(r.id, r.at, _person(r.who), r.s1, r.n1, r.s2 or ""))
        elif r.src == "linked":
            out.linked.setdefault(r.n1, []).append((r.id, r.s1 or ""))
    for rows_of_duty in out.linked.values():
        rows_of_duty.sort()
    return out
