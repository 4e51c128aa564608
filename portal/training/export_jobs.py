"""Whole-roster training files (a county's 完成矩阵, the overdue list) built in the background (issue 24).

A county's matrix .xlsx holds every person of the county (3,861 rows after ten years against the
demo's 7) and took 0.5–2.3 s to build; the city's overdue list grows with every year's assignments.
So a request for one of them, when it is large (more than `INLINE_ROWS` rows), does not build it:

- a file already built from the same figures is served at once: finished files are kept per county
  (and per scope of phones shown) under a stamp of everything the file prints (`cache_name`), in the
  staging folder (`portal.files.staging`: never in a backup, swept after a day, and the stamp holds
  the date anyway);
- otherwise the request records an `ImportJob` of kind `export` (the roster import's job table, its
  claim and heartbeat: `portal.training.import_jobs.claim`), starts it in a thread of this process and
  answers at once with the job's page, which shows the progress and then the download link;
- the file is served only to the person who asked (`visible_job`), and every download is in the audit
  log (`portal.audit.services.record_download`), as the direct downloads are.

A small file (the demo's, a township's) is still built within the request: one click, one file.
The file's content is the same either way (`portal.training.exports`).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal import refdata
from portal.core.time import today, utcnow
from portal.extensions import db
from portal.files import staging
from portal.files.storage import StorageError, write_private
from portal.models import (
    Certificate,
    ImportJob,
    Trainee,
    TrainingArrangement,
    TrainingModule,
    TrainingPlace,
    TrainingTally,
    Unit,
    User,
)
from portal.training import exports
from portal.training import figures as r
from portal.training.import_jobs import STALE, claim, in_background
from portal.training.scope import phones_shown

KIND = "export"  # ImportJob.kind of these jobs
STAGED = "exports"  # the staging folder of the finished files
INLINE_ROWS = 500  # at most this many rows: built within the request (the demo's files, a township's)
FORMAT = 1  # bump when a file's layout changes: files kept under the old layout are not served again
BEAT_SECONDS = 0.5  # progress written at most this often
FAILED = "导出意外中止（服务器内部错误，已记录），请重新导出。"
NOT_STORED = "服务器存储空间不足，导出的文件未能保存，请联系系统管理员后重新导出。"


@dataclass(frozen=True)
class ExportSpec:
    """What to export: `matrix` of a county (or one of its townships), or the `overdue` list of a
    scope (`county_id` None: the city's)."""

    what: str
    county_id: int | None
    township_id: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ExportSpec:
        return cls(**json.loads(text))


def matrix_spec(county: Unit, township: TrainingPlace | None) -> ExportSpec:
    return ExportSpec("matrix", county.id, township.id if township else None)


def overdue_spec(scope: int | None) -> ExportSpec:
    return ExportSpec("overdue", scope)


@dataclass
class Built:
    data: bytes
    filename: str  # the download's name
    object_type: str  # what the audit entry names
    label: str
    rows: int


def rows_of(spec: ExportSpec) -> int:
    """How many rows the file will have (from the index or the summary: no list is read)."""
    if spec.what == "overdue":
        return r.overdue_count(spec.county_id)
    count = sa.select(sa.func.count()).select_from(Trainee).where(Trainee.county_id == spec.county_id, Trainee.active)
    if spec.township_id is not None:
        count = count.where(Trainee.township_id == spec.township_id)
    return db.session.scalar(count) or 0


def build(spec: ExportSpec, user: User, progress: exports.Progress | None = None) -> Built:
    """The file as the direct download makes it (`progress` hears the rows written)."""
    if spec.what == "overdue":
        count = r.overdue_count(spec.county_id)
        data = exports.overdue_xlsx(today(), r.overdue_rows(spec.county_id),
                                    phones_shown(user).__contains__, progress)
        return Built(data, "培训逾期名单.xlsx", "training_overdue", f"培训逾期名单（{count} 项）", count)
    county = db.session.get(Unit, spec.county_id)
    township = db.session.get(TrainingPlace, spec.township_id) if spec.township_id is not None else None
    report = r.matrix(county, township, page=None)
    return Built(exports.matrix_xlsx(report, progress), f"{report.title}.xlsx", "training_matrix", report.title,
                 report.people)


def audit_after(built_name: str, rows: int) -> dict:
    return {"file": built_name, "rows": rows, "format": "xlsx"}


# ---- the kept files ------------------------------------------------------------------------------

def _stamp(spec: ExportSpec) -> list:
    """Everything the file prints. The city's overdue list: the day (due dates, lapsed certificates)
    and the training records' token with the reference data's (`portal.refdata.training_stamp`: any
    training write or unit rename moves it) — two rows, where reading the city's summary and every
    person's version cost ~13 ms on SQLite and more on PostgreSQL at 50,000 people. A county's file:
    `_county_stamp`."""
    training = refdata.training_stamp() if spec.county_id is None else None
    if training is not None:
        return [FORMAT, spec.to_json(), today().isoformat(), training]
    return _county_stamp(spec)


def _county_stamp(spec: ExportSpec) -> list:
    """Everything a county's file prints, in a few short statements scoped to the county (a write in
    another county keeps it): the day (due dates, lapsed certificates), the scope's summary rows
    (every assignment, completion, start and due date moves them), its people and places (any edit
    bumps a row's version; a new person adds one), the modules, and for the matrix the year's 学时
    and the office's target. Also the city's, before any training write since the token began."""
    where_county = (lambda column: column == spec.county_id) if spec.county_id is not None else (lambda column: sa.true())
    tally = (sa.select(TrainingTally.county_id, TrainingTally.post, TrainingTally.module_id, TrainingTally.due,
                       TrainingTally.assigned, TrainingTally.completed, TrainingTally.started)
             .where(where_county(TrainingTally.county_id))
             .order_by(TrainingTally.county_id, TrainingTally.post, TrainingTally.module_id, TrainingTally.due))
    people = sa.select(sa.func.count(Trainee.id), sa.func.sum(Trainee.version), sa.func.max(Trainee.id)).where(
        where_county(Trainee.county_id))
    places = sa.select(sa.func.count(TrainingPlace.id), sa.func.sum(TrainingPlace.version)).where(
        where_county(TrainingPlace.county_id))
    modules = sa.select(sa.func.count(TrainingModule.id), sa.func.max(TrainingModule.updated_at),
                        sa.func.sum(sa.case((TrainingModule.retired, TrainingModule.id), else_=0)))
    on = today()
    parts = [FORMAT, spec.to_json(), on.isoformat(), [tuple(str(v) for v in row) for row in db.session.execute(tally)],
             *(tuple(str(v) for v in db.session.execute(q).one()) for q in (people, places, modules))]
    if spec.what == "matrix":
        hours = (sa.select(sa.func.count(Certificate.id), sa.func.sum(Certificate.hours_tenths))
                 .join(Trainee, Trainee.id == Certificate.trainee_id)
                 .where(Trainee.county_id == spec.county_id, Certificate.year == on.year, ~Certificate.revoked,
                        Certificate.course_id.is_(None)))
        target = sa.select(TrainingArrangement.version, TrainingArrangement.yearly_target_tenths).where(
            TrainingArrangement.id == 1)
        parts += [tuple(str(v) for v in db.session.execute(hours).one()),
                  tuple(str(v) for v in db.session.execute(target).one_or_none() or ())]
    return parts


def cache_name(spec: ExportSpec, user: User) -> str:
    """The kept file's name: a hash of the stamp and of whose phones the viewer sees in full (the
    overdue list masks the others), so a file is served again only while nothing it prints changed."""
    phones = sorted(phones_shown(user)) if spec.what == "overdue" else []
    key = json.dumps([_stamp(spec), phones], ensure_ascii=False, default=str)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".xlsx"


def kept_file(name: str) -> Path | None:
    return staging.staged_path(STAGED, name)


# ---- jobs ----------------------------------------------------------------------------------------

def start(spec: ExportSpec, user: User, rows: int) -> ImportJob:
    """Record the job (committed) and start it in a thread of this process."""
    job = ImportJob(kind=KIND, created_by_id=user.id, filename="", state="queued", total=rows, message="", owner="",
                    payload=spec.to_json())
    db.session.add(job)
    db.session.commit()
    in_background(run, job.id, f"export-job-{job.id}")
    return job


def run(job_id: int) -> None:
    """Claim the job, build its file (unless one with the same stamp is kept already) and keep it."""
    if not claim(job_id):
        return
    job = db.session.get(ImportJob, job_id)
    spec, user = ExportSpec.from_json(job.payload), job.created_by
    try:
        name = cache_name(spec, user)
        built = build(spec, user, _beat(job_id)) if kept_file(name) is None else None
        if built is not None:
            write_private(staging.staging_dir(STAGED) / name, built.data)
            result = {"name": name, "file": built.filename, "object_type": built.object_type, "label": built.label,
                      "rows": built.rows}
        else:
            result = dict(described(spec), name=name)
    except StorageError as exc:
        db.session.rollback()
        current_app.logger.error("export job %s not stored: %s", job_id, exc.detail)
        _finish(job_id, "failed", NOT_STORED, None)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("export job %s failed", job_id)
        _finish(job_id, "failed", FAILED, None)
    else:
        _finish(job_id, "done", "", result)


def described(spec: ExportSpec, rows: int | None = None) -> dict:
    """The file's name and audit words without building it (a file kept by an earlier job); `rows`:
    `rows_of(spec)` when the caller has it already."""
    rows = rows_of(spec) if rows is None else rows
    if spec.what == "overdue":
        return {"file": "培训逾期名单.xlsx", "object_type": "training_overdue", "label": f"培训逾期名单（{rows} 项）",
                "rows": rows}
    county = db.session.get(Unit, spec.county_id)
    township = db.session.get(TrainingPlace, spec.township_id) if spec.township_id is not None else None
    title = r.matrix_title(county, township)
    return {"file": f"{title}.xlsx", "object_type": "training_matrix", "label": title, "rows": rows}


def _beat(job_id: int):
    """Progress and heartbeat, written on a connection of their own (the build's reads stay open)."""
    last = [0.0]

    def told(rows: int) -> None:
        now = time.monotonic()
        if now - last[0] < BEAT_SECONDS:
            return
        last[0] = now
        with db.engine.begin() as conn:
            conn.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(done=rows, heartbeat_at=utcnow()))

    return told


def _finish(job_id: int, state: str, message: str, result: dict | None) -> None:
    job = db.session.get(ImportJob, job_id)
    job.state, job.message, job.finished_at, job.heartbeat_at = state, message, utcnow(), utcnow()
    if result is not None:
        job.done = job.total = result["rows"]
        job.filename = result["file"][:200]
        job.result = json.dumps(result, ensure_ascii=False)
    db.session.commit()


# ---- what the pages show -------------------------------------------------------------------------

def visible_job(job_id: int, user: User) -> ImportJob | None:
    """The export, only for the person who asked for it (the file holds names and phones)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.kind != KIND or job.created_by_id != user.id:
        return None
    return job


def spec_of(job: ImportJob) -> ExportSpec:
    return ExportSpec.from_json(job.payload)


def result_of(job: ImportJob) -> dict:
    return json.loads(job.result or "{}")


def file_of(job: ImportJob) -> Path | None:
    """The finished job's file, if it is still kept."""
    if job.state != "done":
        return None
    return kept_file(result_of(job).get("name", ""))


def interrupted(job: ImportJob) -> bool:
    if job.state not in ("queued", "running"):
        return False
    return (job.heartbeat_at or job.created_at) < utcnow() - STALE
