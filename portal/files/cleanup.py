"""Files and job data left behind, found and removed (`flask portal cleanup`, `setup`, each web worker's
start, and a daily cron line — README, Operations).

What is left behind, and why it is safe to remove after its grace period:

- `.part` files: a write (evidence, a staged upload, a restore) that a crash or kill -9 cut short.
  Every write renames its `.part` within seconds; one older than `PART_GRACE` is dead.
- evidence files no database row names: the file is stored before its row commits, so a kill -9 or a
  failed commit in between leaves a complete file nobody can reach. Older than `ORPHAN_GRACE`
  (a row is committed a moment after its file) it is an orphan.
- staged uploads (roster previews with names and phone numbers, statute batches) nobody confirmed
  within `staging.STALE_HOURS`, including previews kept by earlier versions in `uploads/roster/` and
  `instance/policy_staging/`.
- roster import jobs: first passwords never collected within `SECRETS_DAYS` are erased (the trainer
  can issue new ones per person); a job interrupted and not resumed within `ABANDONED` is closed and
  its rows (personal data kept only to resume it) dropped.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.core.time import utcnow
from portal.extensions import db
from portal.files import staging
from portal.files.storage import PART_SUFFIX
from portal.models import Evidence, ImportJob

PART_GRACE = timedelta(hours=1)
ORPHAN_GRACE = timedelta(hours=1)
SECRETS_DAYS = 7
ABANDONED = timedelta(days=1)
ABANDONED_MESSAGE = ("导入中断后超过一天未继续，已停止；已导入的行保留。如需导入其余人员，请重新上传同一文件预览后再导入"
                     "（已导入的人员按手机号核对，不会重复登记）。")
LEGACY_STAGING = ("roster",)  # folders under the upload folder where earlier versions kept previews


@dataclass
class Swept:
    parts: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    staged: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{len(self.parts)} unfinished .part file(s) removed",
                f"{len(self.orphans)} evidence file(s) no record names removed",
                f"{len(self.staged)} stale staged upload(s) removed",
                *self.jobs]


def sweep(dry_run: bool = False) -> Swept:
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    swept = Swept()
    now = time.time()
    remove = _noop if dry_run else _remove
    for path in _older(upload_dir.rglob(f"*{PART_SUFFIX}"), now - PART_GRACE.total_seconds()):
        remove(path)
        swept.parts.append(str(path))
    for path in _orphans(upload_dir / "evidence", now - ORPHAN_GRACE.total_seconds()):
        remove(path)
        swept.orphans.append(str(path))
    stale = now - staging.STALE_HOURS * 3600
    roots = [staging.staging_root(upload_dir) / kind for kind in ("roster", "policy", "exports")]
    roots += [upload_dir / name for name in LEGACY_STAGING] + [Path(current_app.instance_path) / "policy_staging"]
    for root in roots:
        if root.is_dir():
            for path in _older(root.iterdir(), stale):
                remove(path)
                swept.staged.append(str(path))
    swept.jobs = _close_jobs(dry_run)
    return swept


def sweep_at_start(app, log) -> None:
    """A web worker's start sweeps too (after a crash, the restart is when it matters), at most once
    an hour per host: the first of the workers starting together takes a lock, the others skip."""
    marker = Path(app.instance_path) / "cleanup.stamp"
    try:
        if marker.exists() and time.time() - marker.stat().st_mtime < 3600:
            return
        with open(marker, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with app.app_context():
                swept = sweep()
                db.session.remove()
            os.utime(marker)
            log.info("cleanup: %s", "; ".join(swept.lines()))
    except BlockingIOError:
        return  # another worker of this host is sweeping
    except Exception as exc:  # noqa: BLE001 - a cleanup problem must never keep a worker from serving
        log.warning("cleanup at start skipped: %s", exc)


def _older(paths, before: float) -> list[Path]:
    out = []
    for path in paths:
        try:
            if path.lstat().st_mtime < before:
                out.append(path)
        except FileNotFoundError:
            continue
    return sorted(out)


def _orphans(folder: Path, before: float) -> list[Path]:
    if not folder.is_dir():
        return []
    candidates = [p for p in _older(folder.iterdir(), before) if p.is_file() and not p.name.endswith(PART_SUFFIX)]
    if not candidates:
        return []
    named = set(db.session.scalars(sa.select(Evidence.stored_name).where(
        Evidence.stored_name.in_([p.name for p in candidates]))))
    return [p for p in candidates if p.name not in named]


def _close_jobs(dry_run: bool) -> list[str]:
    now = utcnow()
    lines = []
    expired = list(db.session.scalars(sa.select(ImportJob).where(
        ImportJob.secrets.is_not(None), ImportJob.finished_at < now - timedelta(days=SECRETS_DAYS))))
    abandoned = list(db.session.scalars(sa.select(ImportJob).where(
        ImportJob.state.in_(("queued", "running")), ImportJob.kind == "roster",
        sa.func.coalesce(ImportJob.heartbeat_at, ImportJob.created_at) < now - ABANDONED)))
    for job in expired:
        lines.append(f"import job {job.id}: first passwords not collected in {SECRETS_DAYS} days, erased")
        job.secrets = None
    for job in abandoned:
        lines.append(f"import job {job.id}: interrupted at row {job.done} of {job.total} and not resumed, closed")
        job.state, job.message, job.payload, job.finished_at = "failed", ABANDONED_MESSAGE, None, now
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return lines


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _noop(path: Path) -> None:
    return None
