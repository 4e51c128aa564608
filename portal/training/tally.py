"""The training figures' summary (`models.TrainingTally`), kept in step with the rows it sums.

Every figure (the city roll-up, a county's overview, the board's headline, a trainer's home, the
overdue count, a county matrix's totals, the duty's coverage) reads the summary: a few hundred rows
per county, however many trainees and years the office has. It is kept in the transaction that
changes what it counts, by difference: the pairs a change may touch are counted before and after it,
and the difference is added to the summary rows (an upsert that adds, so concurrent changes of
different pairs add up; changes of one pair are serialized by the services already).

* Changes made through the ORM (a completion recorded or voided, an assignment added, ended or
  reopened by `_assigned_by_completion`/`unassign`, a trainee deactivated, moved to another county or
  given another post) are found by a session hook on every flush: nothing to call, nothing to forget.
* Bulk statements (`_bulk_assign`, the demo's removal) wrap themselves in `keeping(...)`.
* `fold_past(on)` (the daily `flask portal remind`, and after a rebuild) sums the rows of past dues into
  one row per (county, post, module): otherwise the summary grows with every due date ever set.
* `rebuild()` recomputes everything from the rows (the migration, `flask portal training-tally`);
  `drift()` says where the summary and a recount differ.

The same hook keeps each assignment's copy of its trainee's county (`Assignment.county_id`, the
overdue list's per-county index) in step when a trainee moves to another county.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Certificate, Completion, Trainee, TrainingModule, TrainingTally
from portal.training import certificates

Key = tuple  # (county_id, post, module_id, due)
CHUNK = 900  # ids per IN list (SQLite's parameter limit is far above; PostgreSQL has none)
WHOLE_MODULE = 2000  # a bulk change of more people than this recounts the whole module instead


def done_pairs() -> sa.Subquery:
    """Standing completions as distinct (trainee, module) pairs: joined (a semi-join), not looked up
    once per assignment (the correlated EXISTS it replaces ran 450,000 times at ten years' size).
    Standing as of today (`certificates.counts_as_done`): a certificate that expires later leaves the
    summary when `recount_lapsed` runs (daily, with `flask portal remind`)."""
    return (sa.select(Completion.trainee_id.label("tid"), Completion.module_id.label("mid"))
            .where(certificates.counts_as_done(today()))
            .group_by(Completion.trainee_id, Completion.module_id).subquery())


MEASURES = ("assigned", "completed", "started")


def recount_select(where=None) -> sa.Select:
    """(county, post, module, due, assigned, completed, started-not-completed) of the counted pairs
    (active assignment, active trainee) matching `where`, from the rows themselves."""
    done = done_pairs()
    started = sa.case((sa.and_(Assignment.started_at.is_not(None), done.c.tid.is_(None)), 1))
    stmt = (sa.select(Trainee.county_id, Trainee.post, Assignment.module_id, Assignment.due, sa.func.count(),
                      sa.func.count(done.c.tid), sa.func.count(started))
            .select_from(Assignment).join(Trainee, Trainee.id == Assignment.trainee_id)
            .outerjoin(done, sa.and_(done.c.tid == Assignment.trainee_id, done.c.mid == Assignment.module_id))
            .where(Assignment.active, Trainee.active)
            .group_by(Trainee.county_id, Trainee.post, Assignment.module_id, Assignment.due))
    return stmt if where is None else stmt.where(where)


def _pairs_of(conn, trainee_ids: Iterable[int] | None, module_ids: Iterable[int] | None) -> Counter:
    """Counted pairs (and completed ones) per key, among these trainees and/or modules."""
    out: Counter = Counter()
    module_ids = sorted(set(module_ids)) if module_ids is not None else None
    chunks = [None] if trainee_ids is None else [sorted(set(trainee_ids))[i:i + CHUNK]
                                                 for i in range(0, len(set(trainee_ids)), CHUNK)]
    for chunk in chunks:
        conditions = []
        if chunk is not None:
            conditions.append(Assignment.trainee_id.in_(chunk))
        if module_ids is not None:
            conditions.append(Assignment.module_id.in_(module_ids))
        for county, post, module, due, *values in conn.execute(recount_select(sa.and_(*conditions))):
            for measure, value in zip(MEASURES, values, strict=True):
                out[(county, post, module, due, measure)] += value
    return out


def _apply(conn, before: Counter, after: Counter) -> None:
    delta: dict[Key, dict[str, int]] = {}
    for k in set(before) | set(after):
        diff = after[k] - before[k]
        if diff:
            delta.setdefault(k[:4], dict.fromkeys(MEASURES, 0))[k[4]] += diff
    if not delta:
        return
    rows = [{"county_id": k[0], "post": k[1], "module_id": k[2], "due": k[3], **values}
            for k, values in sorted(delta.items())]  # one order of row locks for every writer
    conn.execute(_upsert(conn), rows)


def _upsert(conn):
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(TrainingTally)
    return stmt.on_conflict_do_update(
        index_elements=["county_id", "post", "module_id", "due"],
        set_={m: getattr(TrainingTally, m) + getattr(stmt.excluded, m) for m in MEASURES})


@contextmanager
def keeping(*, trainee_ids: Iterable[int] | None = None, module_id: int | None = None):
    """Around a bulk statement that may change counted pairs of these trainees and/or this module:
    the summary follows in the same transaction. Many trainees of one module: the module is recounted."""
    ids = None if trainee_ids is None else list(trainee_ids)
    if ids is not None and module_id is not None and len(ids) > WHOLE_MODULE:
        ids = None
    modules = None if module_id is None else [module_id]
    if ids is not None and not ids:
        yield
        return
    session = db.session()
    session.flush()  # what is pending is counted by the flush hook, before this block's own change
    conn = session.connection()
    before = _pairs_of(conn, ids, modules)
    session.info[_KEEPING] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_KEEPING, None)
    _apply(conn, before, _pairs_of(conn, ids, modules))


def counties_of(trainee_ids: list[int]) -> dict[int, int]:
    """Trainee id -> county id (for new assignments, which carry their trainee's county)."""
    out: dict[int, int] = {}
    for i in range(0, len(trainee_ids), CHUNK):
        out.update(db.session.execute(sa.select(Trainee.id, Trainee.county_id)
                                      .where(Trainee.id.in_(trainee_ids[i:i + CHUNK]))).all())
    return out


# ---- changes through the ORM: found on flush --------------------------------------------------

_TRAINEE_FIELDS = ("county_id", "post", "active")
_ASSIGNMENT_FIELDS = ("active", "due", "trainee_id", "module_id", "started_at")
_FIELDS = {Assignment: _ASSIGNMENT_FIELDS, Completion: ("voided", "superseded_at", "trainee_id", "module_id"),
           Certificate: ("revoked", "expires_on")}


def _changed(obj, fields) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _scope(session) -> tuple[set[int], set[int]] | None:
    """(trainee ids, module ids) whose pairs this flush may change; None when it changes none."""
    pairs: set[tuple[int, int]] = set()
    whole: set[int] = set()  # trainees changed as a whole (county, post, active): every module
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Trainee):
            if obj in session.deleted or (obj not in session.new and _changed(obj, _TRAINEE_FIELDS)):
                whole.add(obj.id)
        elif isinstance(obj, Assignment | Completion | Certificate):  # a module certificate's term decides too
            if isinstance(obj, Certificate) and not _decides(obj):
                continue
            if obj in session.new or obj in session.deleted or _changed(obj, _FIELDS[type(obj)]):
                for tid, mid in _old_and_new(obj):
                    pairs.add((tid, mid))
    if not whole and not pairs:
        return None
    trainees = {t for t in whole | {t for t, _ in pairs} if t is not None}
    modules = None if whole else {m for _, m in pairs if m is not None}
    return trainees, modules


def _decides(cert: Certificate) -> bool:
    """Whether a certificate written in this flush may change its pair's count: a module's, with a term
    that is over (now, or before the change). Most certificates are issued valid: no recount for them."""
    if cert.module_id is None:  # a course's: no pair of its own
        return False
    on = today()
    terms = [cert.expires_on, *(sa.inspect(cert).attrs.expires_on.history.deleted or ())]
    return any(t is not None and t < on for t in terms)


def _moved(session) -> dict[int, int]:
    """Trainees whose county changes in this flush: trainee id -> the new county."""
    return {obj.id: obj.county_id for obj in session.dirty
            if isinstance(obj, Trainee) and sa.inspect(obj).attrs.county_id.history.has_changes()}


def _old_and_new(obj) -> list[tuple[int, int]]:
    """The pair an assignment or completion belongs to, before and after a change of either id."""
    state = sa.inspect(obj)
    tid = obj.trainee_id if obj.trainee_id is not None else getattr(obj.trainee, "id", None)
    mid = obj.module_id if obj.module_id is not None else getattr(obj.module, "id", None)
    tids = set(state.attrs.trainee_id.history.deleted or ()) | {tid}
    mids = set(state.attrs.module_id.history.deleted or ()) | {mid}
    return [(t, m) for t in tids for m in mids]


_PENDING = "training_tally_before"  # kept on the flush itself (its unit of work): a failed flush leaves nothing
_KEEPING = "training_tally_keeping"


@sa.event.listens_for(so.Session, "before_flush")
def _count_before(session, flush_context, instances) -> None:
    scope = _scope(session)
    if scope is None:
        return
    if session.info.get(_KEEPING):  # the block's recount would count it a second time
        raise RuntimeError("a training assignment, completion or trainee changed through the ORM inside "
                           "tally.keeping(): write it before or after the block")
    trainees, modules = scope
    conn = session.connection()
    flush_context.attributes[_PENDING] = (trainees, modules, _pairs_of(conn, trainees, modules), _moved(session))


@sa.event.listens_for(so.Session, "after_flush_postexec")
def _count_after(session, flush_context) -> None:
    pending = flush_context.attributes.pop(_PENDING, None)
    if pending is None:
        return
    trainees, modules, before, moved = pending
    conn = session.connection()
    for trainee_id, county_id in sorted(moved.items()):
        conn.execute(sa.update(Assignment).where(Assignment.trainee_id == trainee_id).values(county_id=county_id))
    _apply(conn, before, _pairs_of(conn, trainees, modules))


# ---- rebuilding and checking -------------------------------------------------------------------

def rebuild(conn=None) -> int:
    """The summary recomputed from the rows (in the caller's transaction); returns its row count."""
    conn = conn or db.session.connection()
    conn.execute(sa.delete(TrainingTally))
    rows = [{"county_id": c, "post": r, "module_id": m, "due": d, **dict(zip(MEASURES, values, strict=True))}
            for c, r, m, d, *values in conn.execute(recount_select())]
    if rows:
        conn.execute(sa.insert(TrainingTally), rows)
    return len(rows)


def drift(on: date | None = None) -> list[tuple[Key, tuple, tuple]]:
    """Keys where the summary differs from a recount: (key, (assigned, completed, started) kept, recounted).
    Dues before `on` (today) are compared as one (`fold_past` sums them so)."""
    on = on or today()
    kept: Counter = Counter()
    counted: Counter = Counter()
    for t in db.session.scalars(sa.select(TrainingTally)):
        for measure in MEASURES:
            kept[(*_fold_key((t.county_id, t.post, t.module_id, t.due), on), measure)] += getattr(t, measure)
    for c, r, m, d, *values in db.session.execute(recount_select()):
        for measure, value in zip(MEASURES, values, strict=True):
            counted[(*_fold_key((c, r, m, d), on), measure)] += value
    out = []
    for key in sorted({k[:4] for k in (kept | counted) if kept[k] or counted[k]} | {k[:4] for k in kept}, key=str):
        k, c = tuple(kept[(*key, m)] for m in MEASURES), tuple(counted[(*key, m)] for m in MEASURES)
        if k != c:
            out.append((key, k, c))
    return out


LAPSE_WINDOW = 8  # days: certificates that expired this recently are recounted (a missed run or two heals)


def recount_lapsed(on: date) -> int:
    """Recount the summary rows of every county and module where a certificate expired in the last
    `LAPSE_WINDOW` days (the summary counted its completion as done while it was valid). The rows of
    each such county and module are replaced by a recount, so running it twice changes nothing.
    Returns the number of (county, module) recounted."""
    conn = db.session.connection()
    pairs = sorted(conn.execute(sa.select(Certificate.county_id, Certificate.module_id).where(
        ~Certificate.revoked, Certificate.module_id.is_not(None), Certificate.expires_on < on,
        Certificate.expires_on >= on - timedelta(days=LAPSE_WINDOW)).distinct()).all())
    for county_id, module_id in pairs:
        conn.execute(sa.delete(TrainingTally).where(TrainingTally.county_id == county_id,
                                                    TrainingTally.module_id == module_id))
        rows = [{"county_id": c, "post": r, "module_id": m, "due": d, **dict(zip(MEASURES, values, strict=True))}
                for c, r, m, d, *values in conn.execute(recount_select(
                    sa.and_(Trainee.county_id == county_id, Assignment.module_id == module_id)))]
        if rows:
            conn.execute(sa.insert(TrainingTally), rows)
    return len(pairs)


# ---- past dues folded ---------------------------------------------------------------------------
# A key's due only matters as "past or not" (the figures split by it), and a past due stays past. Left
# alone the summary would grow with every due date the office ever set (ten years: 2,353 rows, 18
# dates, read whole by every city figure); the daily job (`flask portal remind`) sums the rows of dues
# before today into one row per (county, post, module) whose due is FOLDED. A change of a pair whose
# due is past later adds its difference to a row of its own due, which the next fold sums in again.

FOLDED = date(1900, 1, 1)


def _fold_key(key: Key, on: date) -> Key:
    county, post, module, due = key
    return (county, post, module, FOLDED) if due < on else key


def fold_past(on: date) -> int:
    """Rows of dues before `on` (the portal's day) summed into their FOLDED rows, in the caller's transaction;
    returns how many rows were folded. The rows are taken by DELETE … RETURNING, so a concurrent
    difference lands either before (and is taken) or after (in a row of its own): nothing is lost."""
    conn = db.session.connection()
    taken = conn.execute(sa.delete(TrainingTally).where(TrainingTally.due < on, TrainingTally.due != FOLDED)
                         .returning(TrainingTally.county_id, TrainingTally.post, TrainingTally.module_id,
                                    *[getattr(TrainingTally, m) for m in MEASURES])).all()
    sums: dict[Key, list[int]] = {}
    for county, post, module, *values in taken:
        row = sums.setdefault((county, post, module, FOLDED), [0] * len(MEASURES))
        for i, value in enumerate(values):
            row[i] += value
    if sums:
        conn.execute(_upsert(conn), [{"county_id": k[0], "post": k[1], "module_id": k[2], "due": k[3],
                                      **dict(zip(MEASURES, v, strict=True))} for k, v in sorted(sums.items(), key=str)])
    return len(taken)


def live_module_ids() -> sa.Select:
    return sa.select(TrainingModule.id).where(~TrainingModule.retired)
