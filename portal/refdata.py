"""Reference data kept per process: units, duty definitions and a document's clauses.

These change only when `flask portal sync` (or an admin edit) writes them, yet nearly every page
reads some of them. Each process keeps a copy as small frozen records (never ORM objects, so
nothing outlives its request's session) and re-reads a part only when the *stamp* says the data
changed — on any host:

* The stamp is one row (`refdata_stamp`, id 1) holding a random token. Any INSERT, UPDATE or
  DELETE of a reference table (`REF_TABLES`), by the ORM or by Core, replaces the token in the same
  transaction (an engine event, once per transaction or savepoint), so a second host sees the
  change when the writer commits.
* Reading the stamp is free: the per-request user statement carries it as a scalar subquery
  (`stamp_column()`) and the user loader hands it over with `note_stamp()`. Outside a request
  (or before the user is loaded) the first read of the request asks for it: one statement.
* A part of the cache is used only while its token equals the request's. A write of reference
  data in this process empties the cache and, for the rest of the request or CLI command, reads
  without caching (what this transaction wrote is what it must see).
* No stamp row (a database made by `create_all` that no sync has written yet): nothing is cached.

A second token (row id 2, `DUTY_STAMP_ID`) moves the same way with any write of the duty data the
台账 shows (`DUTY_TABLES`: instances, their checklists and cooperating units, and the reference tables):
`portal/duties/ledger_cache.py` keeps assessed 台账 rows under it. Its rules are the same: read with
the user, replaced in the writer's transaction, not trusted for the rest of a request that wrote.

A third token (row id 3, `TRAINING_STAMP_ID`) moves with any write of the training records
(`TRAINING_TABLES`): a whole-city training file kept by `portal/training/export_jobs.py` is named by
it, so asking whether the kept file is current is one row read, not a pass over 50,000 people.

API (stable: other domains build on it):

    units() -> tuple[UnitRef, ...]           every unit, retired ones too, in sort order
    active_units() -> list[UnitRef]          the live ones (the unit pickers)
    unit(id) / unit_by_code(code)            -> UnitRef | None
    unit_ids_within(unit) -> list[int]       a county (县级, no parent): itself and every unit under
                                             it (breadth first); any other unit: itself
    county_code_for(name_or_code) -> str | None   盐湖区 or yanhu → the county's code
    duties() -> tuple[DutyRef, ...]          every duty, archived ones too, by position
    duty(id) / duty_by_key(key)              -> DutyRef | None
    themes() -> list[str]                    the 工作领域 (duties' `theme` field) of live duties, sorted
    plans() / plan(id)                       the plans that have duties (PlanRef: id, title, 文号,
                                             state), read with the duties / one
    clauses(doc_id=PLAN_ID) -> dict[str, ClauseRef]   clause id -> clause, in document order
    clause_texts(ids, doc_id=PLAN_ID) -> list[ClauseRef]   those ids in that order; an id not in
                                             the library gets its label and an empty text
    cached(key, load)                        a value built from the reference tables alone
                                             (the library's citation resolver), kept the same way
    stamp_column(), note_stamp(token)        for the per-request user statement
    duty_stamp() -> str | None               the duty data's token (below), None: do not cache
    duty_stamp_column(), note_duty_stamp(token)   it, read with the per-request user statement
    training_stamp() -> str | None           the training records' token (None: no row yet)
    clear()                                  forget everything (tests)
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import date
from typing import Callable

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # noqa: F401  (sa.dialects.postgresql, for the upserts below)
import sqlalchemy.dialects.sqlite  # noqa: F401
from flask import g, has_app_context

from portal.content.policy_doc import label_for
from portal.core.plan import PLAN_ID
from portal.extensions import db
from portal.models import Duty, Plan, PolicyClause, PolicyDocument, RefdataStamp, Unit

# Tables whose rows are reference data: a write to any of them replaces the stamp's token.
# assessment_settings: the office's 考核 settings (its 长期 check-in rhythm is read on duty pages)
REF_TABLES = frozenset({"unit", "duty", "plan", "policy_document", "policy_clause", "policy_edition",
                        "regulation_entry", "assessment_settings"})
STAMP_ID = 1
# Tables the 台账 shows besides the reference data: a write to any of them, or to a reference table,
# replaces the duty data's token (row DUTY_STAMP_ID).
DUTY_TABLES = REF_TABLES | {"duty_instance", "checklist_item", "duty_cooperator"}
DUTY_STAMP_ID = 2
# Tables a training file prints (people, places, modules, assignments, completions, certificates and
# what decides them): a write to any of them replaces the training token (row TRAINING_STAMP_ID).
TRAINING_TABLES = frozenset({"trainee", "training_area", "training_module", "training_cohort", "training_assignment",
                             "training_completion", "training_certificate", "training_arrangement", "training_tally",
                             "training_course"})
TRAINING_STAMP_ID = 3


@dataclass(frozen=True, slots=True)
class UnitRef:
    id: int
    code: str
    name: str
    short_name: str
    level: str
    parent_id: int | None
    aliases: str
    sort_order: int
    active: bool

    @property
    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("|") if a]


@dataclass(frozen=True, slots=True)
class DutyRef:
    id: int
    key: str
    title: str
    clause_ids: tuple[str, ...]
    scope: str
    theme: str
    start: date | None
    deadline_kind: str
    deadline: date | None
    period: str
    deadline_text: str
    position: int
    archived: bool
    indicators: tuple[tuple[str, str], ...]
    plan_id: int = 0  # the plan the duty belongs to (portal.models.plans.Plan)


@dataclass(frozen=True, slots=True)
class PlanRef:
    id: int
    title: str
    number: str
    state: str
    doc_id: str = ""  # its text in the library (PolicyDocument.doc_id); "" when kept with the plan


@dataclass(frozen=True, slots=True)
class ClauseRef:
    doc_id: str
    id: str
    label: str
    text: str
    title: str | None = None
    parent: str | None = None
    level: int = 1
    kind: str = "section"
    position: int = 0
    retired: bool = False


# ---- the stamp ---------------------------------------------------------------------------------

_NO_CACHE = object()  # this request wrote reference data, or there is no stamp row


def stamp_column() -> sa.ScalarSelect:
    """The stamp's token as a scalar subquery, to add to the per-request user statement."""
    return sa.select(RefdataStamp.token).where(RefdataStamp.id == STAMP_ID).scalar_subquery()


def note_stamp(token: str | None) -> None:
    """The token read with the user: the request's view of the reference data."""
    if has_app_context() and g.get("refdata_stamp") is not _NO_CACHE:
        g.refdata_stamp = token if token is not None else _NO_CACHE


def _request_stamp():
    if not has_app_context():
        return _NO_CACHE
    stamp = g.get("refdata_stamp")
    if stamp is None:
        stamp = db.session.scalar(sa.select(stamp_column()))
        stamp = stamp if stamp is not None else _NO_CACHE
        g.refdata_stamp = stamp
    return stamp


def duty_stamp_column() -> sa.ScalarSelect:
    """The duty data's token as a scalar subquery, to add to the per-request user statement."""
    return sa.select(RefdataStamp.token).where(RefdataStamp.id == DUTY_STAMP_ID).scalar_subquery()


def note_duty_stamp(token: str | None) -> None:
    """The duty data's token read with the user (None: no row yet, nothing is cached)."""
    if has_app_context() and g.get("duty_stamp") is not _NO_CACHE:
        g.duty_stamp = token if token is not None else _NO_CACHE


def duty_stamp() -> str | None:
    """The token the duty data had when this request began (one statement when no signed-in user
    brought it); None when nothing may be cached: this request or command wrote duty data, or no
    token exists yet."""
    if not has_app_context():
        return None
    stamp = g.get("duty_stamp")
    if stamp is None:
        stamp = db.session.scalar(sa.select(duty_stamp_column()))
        stamp = g.duty_stamp = stamp if stamp is not None else _NO_CACHE
    return None if stamp is _NO_CACHE else stamp


def training_stamp() -> str | None:
    """The training records' token as committed now, with the reference data's (the units' names a
    training file prints), in one statement; None before any training write since the token began
    (nothing may be named by it then)."""
    def token(stamp_id: int):
        return sa.select(RefdataStamp.token).where(RefdataStamp.id == stamp_id).scalar_subquery()
    training, reference = db.session.execute(sa.select(token(TRAINING_STAMP_ID), token(STAMP_ID))).one()
    return None if training is None else f"{training}.{reference}"


# ---- the cache ---------------------------------------------------------------------------------

_cache: dict[tuple, tuple[str, object]] = {}
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _cache.clear()


def _cached(key: tuple, load: Callable[[], object]):
    stamp = _request_stamp()
    if stamp is _NO_CACHE:
        return load()
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = load()
    with _lock:
        _cache[key] = (stamp, value)
    return value


_DUTY_DIRTY = "duty_written"  # conn.info: this transaction wrote duty data (its token is replaced at commit)
_TRAINING_DIRTY = "training_written"  # … training records (the same, for the training token)


def _replace_token(conn, stamp_id: int) -> None:
    """A new token in row `stamp_id`, once per transaction or savepoint on `conn`."""
    flag = f"stamp_bumped_{stamp_id}"
    if not conn.info.get(flag):
        conn.info[flag] = True
        table = RefdataStamp.__table__
        token = secrets.token_hex(16)
        insert = (sa.dialects.postgresql.insert if conn.dialect.name == "postgresql" else sa.dialects.sqlite.insert)(table)
        conn.execute(insert.values(id=stamp_id, token=token)
                     .on_conflict_do_update(index_elements=[table.c.id], set_={"token": token}))


def replace_data_tokens() -> None:
    """New duty and training tokens, committed (rows created where missing). `flask portal setup` runs
    it after the migrations, which write data without moving the tokens (migrations/env.py): nothing
    named by a token before an upgrade is trusted after it, and a database whose records predate the
    tokens gets them (without one, the city's kept training file is named by a pass over every person)."""
    conn = db.session.connection()  # the session's (a test's app runs inside an outer transaction)
    for stamp_id in (DUTY_STAMP_ID, TRAINING_STAMP_ID):
        _replace_token(conn, stamp_id)
    db.session.commit()


def _on_write(conn) -> None:
    """A reference table was written on `conn`: replace the token (once per transaction or
    savepoint) and stop trusting this process's copy."""
    _replace_token(conn, STAMP_ID)
    clear()
    if has_app_context():
        g.refdata_stamp = _NO_CACHE


def _on_duty_write(conn) -> None:
    """Duty data the 台账 shows was written on `conn`: its token is replaced when the transaction
    commits (`_commit_tokens`); from now on this request (or command) no longer trusts cached rows
    (what its transaction wrote is what it must see)."""
    conn.info[_DUTY_DIRTY] = True
    if has_app_context():
        g.duty_stamp = _NO_CACHE


def _session_commits(session) -> None:
    """An ORM session is about to commit (or, inside a test's outer transaction, release its
    savepoint): write what is pending, then replace the duty token if the transaction wrote duty
    data, so the token is still the last thing written."""
    if not session.in_transaction():
        return
    session.flush()
    _commit_tokens(session.connection())


def _commit_tokens(conn) -> None:
    """Just before a transaction that wrote duty data (training records) commits: replace the duty
    (training) token, in the same transaction (a reader never sees the new data under the old token once both are committed).
    Done last, not at the first write, so the token row's lock is the last lock the transaction
    takes and is held only for the commit: concurrent duty writes never wait on it while holding
    other rows (with the upsert at the first write, two writers could deadlock on PostgreSQL — one
    holding the token and wanting a row, the other holding that row and wanting the token; the
    50-user load at ten years met one such 503)."""
    if conn.info.pop(_DUTY_DIRTY, False):
        _replace_token(conn, DUTY_STAMP_ID)
    if conn.info.pop(_TRAINING_DIRTY, False):  # the same rule (taken last, held for the commit only)
        _replace_token(conn, TRAINING_STAMP_ID)


def _after_execute(conn, clauseelement, multiparams, params, execution_options, result) -> None:
    if not isinstance(clauseelement, sa.sql.dml.UpdateBase):
        return
    name = getattr(clauseelement.table, "name", None)
    if name in REF_TABLES:
        _on_write(conn)
    if conn.info.get("no_data_tokens"):  # a migration's connection (migrations/env.py)
        return
    if name in DUTY_TABLES:
        _on_duty_write(conn)
    elif name in TRAINING_TABLES:
        conn.info[_TRAINING_DIRTY] = True


def _boundary(conn, *args) -> None:
    if conn.invalidated:  # a lost connection (rolled back as it is dropped) has no info left to clear
        return
    conn.info.pop(f"stamp_bumped_{STAMP_ID}", None)
    conn.info.pop(f"stamp_bumped_{DUTY_STAMP_ID}", None)
    conn.info.pop(f"stamp_bumped_{TRAINING_STAMP_ID}", None)


def _forget_duty_write(conn) -> None:
    """A rolled-back transaction wrote nothing (a savepoint's rollback keeps the mark: one token too
    many is harmless)."""
    if not conn.invalidated:
        conn.info.pop(_DUTY_DIRTY, None)
        conn.info.pop(_TRAINING_DIRTY, None)


_installed = False


def install() -> None:
    """Watch every engine for writes of reference tables (idempotent; called by create_app)."""
    global _installed
    if _installed:
        return
    sa.event.listen(sa.engine.Engine, "after_execute", _after_execute)
    sa.event.listen(sa.orm.Session, "before_commit", _session_commits)
    sa.event.listen(sa.engine.Engine, "commit", _commit_tokens)  # a plain engine transaction's commit
    sa.event.listen(sa.engine.Engine, "rollback", _forget_duty_write)
    for name in ("commit", "rollback", "savepoint", "rollback_savepoint", "release_savepoint"):
        sa.event.listen(sa.engine.Engine, name, _boundary)
    _installed = True


# ---- units -------------------------------------------------------------------------------------

def _load_units() -> tuple[UnitRef, ...]:
    rows = db.session.execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.short_name, Unit.level, Unit.parent_id,
                                        Unit.aliases, Unit.sort_order, Unit.active)
                              .order_by(Unit.sort_order, Unit.id)).all()
    units = tuple(UnitRef(*row) for row in rows)
    by_id = {u.id: u for u in units}
    by_code = {u.code: u for u in units}
    children: dict[int, list[int]] = {}
    for u in units:
        if u.parent_id is not None:
            children.setdefault(u.parent_id, []).append(u.id)
    return units, by_id, by_code, children


def _units_part():
    return _cached(("units",), _load_units)


def units() -> tuple[UnitRef, ...]:
    return _units_part()[0]


def active_units() -> list[UnitRef]:
    return [u for u in units() if u.active]


def unit(unit_id: int | None) -> UnitRef | None:
    return _units_part()[1].get(unit_id)


def unit_by_code(code: str) -> UnitRef | None:
    return _units_part()[2].get(code)


def unit_ids_within(u) -> list[int]:
    """A county (县级, no parent) stands for all its units — its bureaus and their institutions;
    any other unit stands for itself. `u` is a UnitRef or a Unit."""
    if u.level != "县级" or u.parent_id is not None:
        return [u.id]
    children = _units_part()[3]
    ids, frontier = [u.id], [u.id]
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, [])]
        ids += frontier
    return ids


def county_code_for(name_or_code: str) -> str | None:
    """`?county=盐湖区` or `?county=yanhu` → the county's unit code (None when there is no such county)."""
    return next((u.code for u in units() if u.level == "县级" and u.parent_id is None
                 and name_or_code in (u.name, u.code)), None)


# ---- duties ------------------------------------------------------------------------------------

def _load_duties():
    rows = db.session.execute(sa.select(Duty.id, Duty.key, Duty.title, Duty.clause_ids, Duty.scope, Duty.theme,
                                        Duty.start, Duty.deadline_kind, Duty.deadline, Duty.period,
                                        Duty.deadline_text, Duty.position, Duty.archived, Duty.indicators,
                                        Duty.plan_id, Plan.title.label("plan_title"), Plan.number.label("plan_number"),
                                        Plan.state.label("plan_state"), Plan.doc_id.label("plan_doc"))
                              .outerjoin(Plan, Plan.id == Duty.plan_id)
                              .order_by(Duty.position, Duty.id)).all()
    duties = tuple(DutyRef(r.id, r.key, r.title, tuple(r.clause_ids or ()), r.scope, r.theme, r.start, r.deadline_kind,
                           r.deadline, r.period, r.deadline_text, r.position, r.archived,
                           tuple((n, m) for n, m in (r.indicators or ())), r.plan_id) for r in rows)
    plans = {r.plan_id: PlanRef(r.plan_id, r.plan_title, r.plan_number or "", r.plan_state, r.plan_doc or "")
             for r in rows if r.plan_title is not None}
    ordered = tuple(plans[k] for k in sorted(plans))
    return duties, {d.id: d for d in duties}, {d.key: d for d in duties}, ordered, plans


def _duties_part():
    return _cached(("duties",), _load_duties)


def duties() -> tuple[DutyRef, ...]:
    return _duties_part()[0]


def duty(duty_id: int | None) -> DutyRef | None:
    return _duties_part()[1].get(duty_id)


def duty_by_key(key: str) -> DutyRef | None:
    return _duties_part()[2].get(key)


def themes() -> list[str]:
    return sorted({d.theme for d in duties() if not d.archived})


# ---- plans -------------------------------------------------------------------------------------
# Read with the duties (one statement for both): a chooser lists the plans that have duties.

def plans() -> tuple[PlanRef, ...]:
    """The plans that have duties (archived ones too), by id: the plan choosers."""
    return _duties_part()[3]


def plan(plan_id: int | None) -> PlanRef | None:
    return _duties_part()[4].get(plan_id)


def plans_of_document(doc_id: str) -> frozenset[int]:
    """The plans whose text is the library document `doc_id` (its clauses created their duties)."""
    return frozenset(p.id for p in plans() if p.doc_id and p.doc_id == doc_id)


# ---- clauses -----------------------------------------------------------------------------------

def _load_clauses(doc_id: str) -> dict[str, ClauseRef]:
    rows = db.session.execute(
        sa.select(PolicyClause.clause_id, PolicyClause.label, PolicyClause.text, PolicyClause.title,
                  PolicyClause.parent, PolicyClause.level, PolicyClause.kind, PolicyClause.position,
                  PolicyClause.retired)
        .join(PolicyDocument).where(PolicyDocument.doc_id == doc_id)
        .order_by(PolicyClause.position, PolicyClause.id)).all()
    return {r.clause_id: ClauseRef(doc_id, r.clause_id, r.label, r.text, r.title, r.parent, r.level, r.kind,
                                   r.position, r.retired) for r in rows}


def clauses(doc_id: str = PLAN_ID) -> dict[str, ClauseRef]:
    """Every clause of the document (retired ones too), in document order; {} for no such document."""
    return _cached(("clauses", doc_id), lambda: _load_clauses(doc_id))


def clause_texts(clause_ids, doc_id: str = PLAN_ID) -> list[ClauseRef]:
    found = clauses(doc_id)
    return [found.get(cid) or ClauseRef(doc_id, cid, label_for(cid), "") for cid in clause_ids]


# ---- values derived from the reference tables ----------------------------------------------------

def cached(key: tuple, load: Callable[[], object]):
    """Something built from the reference tables alone (`REF_TABLES`), kept like the rest: `load()`
    runs again once the stamp changes. The value must not change once built and hold no ORM
    objects (e.g. the policy library's citation resolver, `portal.policy.services.library_resolver`)."""
    return _cached(("derived", *key), load)
