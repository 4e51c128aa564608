"""Large roster imports as background jobs the trainer watches (issue 18).

Hashing a first password costs ~0.1 s of CPU (scrypt); a file creating 220 accounts used to pass
gunicorn's 30 s timeout inside one request and one write transaction, and on SQLite everyone else's
saves failed meanwhile. Now a confirmed import that creates more than `INLINE_ACCOUNTS` accounts (or
has more than `INLINE_ROWS` rows) becomes an `ImportJob`:

- the checked rows are kept in the job row (not in a file: any worker on any host can resume it);
- a daemon thread of the process that accepted it claims the job and writes it batch by batch
  (`roster.apply_rows`): first passwords are hashed before each batch's transaction, each batch
  commits its rows together with the job's progress, so the write lock is held for one short batch;
- the first passwords are kept sealed (`portal.security.sealing`) until the trainer who started the
  import opens the finished job, shown once, then erased;
- the claiming process keeps a heartbeat; a job whose process died (a restart, kill -9) is reported
  as interrupted on its page, and the trainer (or an admin) resumes it from the rows committed. Two
  processes never run one job: a claim is one conditional UPDATE.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import asdict
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.capabilities import can
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import ImportJob, User
from portal.security.sealing import seal, unseal
from portal.training.roster import BatchRefused, ImportResult, apply_rows
from portal.training.roster_file import RosterRow

INLINE_ACCOUNTS = 20  # at most this many new accounts: imported within the request (a few seconds)
INLINE_ROWS = 1000
STALE = timedelta(seconds=120)  # no heartbeat for this long: the process running the job is gone
SECRETS_PURPOSE = "roster-first-passwords"
FAILED_UNEXPECTEDLY = "导入意外中止（服务器内部错误，已记录），已导入的行保留；请重新上传同一文件预览后再导入，已导入的人员不会重复登记。"
OWNER = f"{socket.gethostname()[:60]}:{os.getpid()}"


def runs_in_background(rows: list[RosterRow], preview: ImportResult) -> bool:
    return len(preview.new_accounts) > INLINE_ACCOUNTS or len(rows) > INLINE_ROWS


def start(rows: list[RosterRow], preview: ImportResult, filename: str, user: User) -> ImportJob:
    """Record the job (committed) and start it in a thread of this process."""
    job = ImportJob(kind="roster", created_by_id=user.id, filename=filename[:200], state="queued",
                    total=len(rows), accounts_total=len(preview.new_accounts), message="", owner="",
                    payload=json.dumps([asdict(r) for r in rows], ensure_ascii=False))
    db.session.add(job)
    db.session.commit()
    launch(job.id)
    return job


def launch(job_id: int) -> None:
    in_background(run, job_id, f"import-job-{job_id}")


def in_background(run_job, job_id: int, name: str) -> None:
    """`run_job(job_id)` in a daemon thread of this worker, inside the app (the roster import's and the
    exports' jobs; a stopped worker's job is taken over through `claim`)."""
    app = current_app._get_current_object()
    threading.Thread(target=_run_in_app, args=(app, run_job, job_id), name=name, daemon=True).start()


def _run_in_app(app, run_job, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def claim(job_id: int) -> bool:
    """Take the job if it waits, or if the process that ran it stopped beating. One UPDATE: of two
    processes trying at once, one wins."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id,
               sa.or_(ImportJob.state == "queued",
                      sa.and_(ImportJob.state == "running", ImportJob.heartbeat_at < now - STALE)))
        .values(state="running", owner=OWNER, heartbeat_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


def run(job_id: int) -> None:
    """Claim the job and write its remaining rows; the outcome is recorded on the job."""
    if not claim(job_id):
        return
    job = db.session.get(ImportJob, job_id)
    rows = [RosterRow(**r) for r in json.loads(job.payload or "[]")]
    result = _carried(job)

    def on_batch(done: int, created: list) -> None:  # inside the batch's transaction
        job.done, job.heartbeat_at = done, utcnow()
        job.accounts_done += len(created)
        if created:
            job.secrets = (job.secrets or "") + seal(json.dumps(created, ensure_ascii=False), SECRETS_PURPOSE) + "\n"
        job.result = json.dumps(_counts(result))

    try:
        apply_rows(rows, job.created_by, result, start=job.done, on_batch=on_batch)
    except BatchRefused as refused:
        _finish(job, "failed", refused.message, result)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("roster import job %s failed", job_id)
        _finish(job, "failed", FAILED_UNEXPECTEDLY, result)
    else:
        _finish(job, "done", "", result)


def _counts(result: ImportResult) -> dict:
    created, updated, unchanged, places, accounts = result.counts()
    return {"created": created, "updated": updated, "unchanged": unchanged, "places": places,
            "accounts": accounts, "assigned": result.assigned, "expired_rules": result.expired_rules}


def _carried(job: ImportJob) -> ImportResult:
    """What earlier runs of a resumed job already counted."""
    counts = json.loads(job.result or "{}")
    return ImportResult(created=counts.get("created", 0), updated=counts.get("updated", 0),
                        unchanged=counts.get("unchanged", 0), assigned=counts.get("assigned", 0),
                        expired_rules=counts.get("expired_rules", 0), prior_places=counts.get("places", 0),
                        prior_accounts=counts.get("accounts", 0))


def _finish(job: ImportJob, state: str, message: str, result: ImportResult) -> None:
    db.session.rollback()
    job = db.session.get(ImportJob, job.id)
    job.state, job.message, job.finished_at = state, message, utcnow()
    job.payload = None  # the rows are in the roster now (or to be uploaded again): not kept twice
    if state == "done":
        job.result = json.dumps(dict(_counts(result), summary=result.summary()), ensure_ascii=False)
    db.session.commit()


# ---- what the pages show -------------------------------------------------------------------

def visible_job(job_id: int, user: User) -> ImportJob | None:
    """The job, for the person who started it or the office (who manages training for every unit);
    None for anyone else."""
    job = db.session.get(ImportJob, job_id)
    # The pages admit only who manages training; of them the office sees every unit's jobs.
    if job is None or job.kind != "roster" or (job.created_by_id != user.id and not can(user, "see_all_units")):
        return None
    return job


def interrupted(job: ImportJob) -> bool:
    if job.state not in ("queued", "running"):
        return False
    beat = job.heartbeat_at or job.created_at
    return beat < utcnow() - STALE


def resume(job: ImportJob) -> bool:
    """Start an interrupted job again in this process (from the rows already committed)."""
    if not interrupted(job):
        return False
    launch(job.id)
    return True


def summary(job: ImportJob) -> str:
    return json.loads(job.result or "{}").get("summary", "")


def take_passwords(job: ImportJob, user: User) -> list[tuple[str, str, str]] | None:
    """The finished (or stopped) job's first passwords for the person who started it, erased as they
    are handed out (shown once). None when there are none left to show (already shown, or expired)."""
    if job.state not in ("done", "failed") or job.created_by_id != user.id or not job.secrets:
        return None
    sealed, job.secrets = job.secrets, None
    db.session.commit()
    out: list[tuple[str, str, str]] = []
    for token in sealed.split():
        opened = unseal(token, SECRETS_PURPOSE)
        if opened is None:  # sealed under another session key
            return []
        out += [tuple(item) for item in json.loads(opened)]
    return out


def status_text(job: ImportJob) -> str:
    if interrupted(job):
        return f"已中断（已导入 {job.done} / {job.total} 行），可继续导入"
    if job.state in ("queued", "running"):
        return f"正在导入（{job.done} / {job.total} 行）"
    ending = "已完成" if job.state == "done" else f"未完成（已导入 {job.done} / {job.total} 行）"
    return f"{ending}，新账号的初始密码待查看" if job.secrets else ending


def waiting_for(user: User) -> list[ImportJob]:
    """The person's imports still running, interrupted, or finished with passwords not yet seen."""
    return list(db.session.scalars(
        sa.select(ImportJob).where(ImportJob.created_by_id == user.id, ImportJob.kind == "roster",
                                   sa.or_(ImportJob.state.in_(("queued", "running")), ImportJob.secrets.is_not(None)))
        .order_by(ImportJob.id.desc()).limit(5)))
