"""How long audit records are kept, and the one way to remove old ones.

Nothing younger than RETENTION_DAYS can be removed (网络安全法 第二十一条 and 等保 2.0 8.1.4.3 c: at least six
months). The rule holds in three places: here (`purge` refuses a later cutoff before touching anything),
in the database (migration 0018_roles_audit: a trigger refuses DELETE of a younger row on SQLite and
PostgreSQL, for every role), and in the ORM (portal/models/audit.py refuses any change to a loaded entry).
Removing older records is an operator's decision, never the portal's: `flask portal audit-purge`, run
as the schema owner (the app's own PostgreSQL role has no DELETE on audit_entry), first writes every
record it removes to an archive file, and the removal itself is recorded in the log.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from portal.audit import exports
from portal.audit.services import AuditFilter, record
from portal.core.labels import zh_date
from portal.core.refusals import Refusal
from portal.core.time import day_start_utc
from portal.extensions import db
from portal.models import AuditEntry

RETENTION_DAYS = 180  # keep in step with RETENTION in migrations/versions/0018_roles_audit.py


class RetentionError(Refusal, ValueError):
    """A purge that would remove records still inside the retention period, or nothing safely archived."""


def latest_purgeable_day(today: date) -> date:
    """Records from before this day may be removed; from this day on they must be kept."""
    return today - timedelta(days=RETENTION_DAYS)


def cutoff_problem(before: date, today: date) -> str | None:
    latest = latest_purgeable_day(today)
    if before > latest:
        return (f"审计记录至少保留 {RETENTION_DAYS} 天：只能清理{zh_date(latest)}之前的记录，"
                f"不能清理{zh_date(before)}之前的全部记录。")
    return None


def purge(before: date, archive: Path, today: date, actor_name: str = "system") -> int:
    """Remove the records from before `before` (a local calendar day), after writing each of them to
    `archive` (.xlsx or .csv). Refused, with nothing written or removed, inside the retention period."""
    problem = cutoff_problem(before, today)
    if problem:
        raise RetentionError(problem)
    if archive.suffix.lower() not in (".xlsx", ".csv"):
        raise RetentionError("归档文件须为 .xlsx 或 .csv。")
    if archive.exists():
        raise RetentionError(f"归档文件已存在，不会覆盖：{archive.name}")
    old = AuditFilter(date_to=before - timedelta(days=1))
    total = exports.count(old)
    if total == 0:
        return 0
    title = f"审计日志归档（{zh_date(before)}之前，共 {total} 条）"
    writer = exports.to_xlsx if archive.suffix.lower() == ".xlsx" else exports.to_csv
    archive.write_bytes(writer(exports.entries(old), title))
    archive.chmod(0o600)  # it holds what the log holds: names, addresses, who did what
    removed = db.session.execute(sa.delete(AuditEntry).where(AuditEntry.at < day_start_utc(before))).rowcount
    record("purge_audit", "audit_entry", "", label=f"{zh_date(before)}之前的审计记录",
           after={"purge_before": before, "removed": removed, "archive_file": archive.name}, actor_name=actor_name)
    db.session.commit()
    return removed
