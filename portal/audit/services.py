"""The one way to write to the audit log, and the queries that read it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from portal.core.time import day_start_utc
from portal.extensions import db
from portal.models import AuditEntry

SYSTEM = "system"
# Names written by programs rather than people, and how the log shows them.
SYSTEM_ACTORS = {
    SYSTEM: "系统", "sync": "系统同步", "remind": "系统提醒", "demo-data": "演示数据",
    "import": "法规导入", "?": "（未填写用户名）",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    keys += [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    actor_name: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; it commits with the change it describes."""
    if actor is None and has_request_context():
        # The person signed in, also when a shared routine names them by login (a library import):
        # the log then keeps their 姓名, not their login name.
        if current_user.is_authenticated and actor_name in (None, current_user.username):
            actor = current_user
    if ip is None:
        ip = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.username if actor is not None else actor_name) or SYSTEM,
        actor_display=((actor.display_name or actor.username) if actor is not None
                       else SYSTEM_ACTORS.get(actor_name or SYSTEM, ""))[:80],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=label[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip=ip[:64],
    )
    db.session.add(entry)
    return entry


def record_download(object_type: str, object_id: Any, label: str, after: dict) -> None:
    """Who took what out of the portal (evidence, exports with people's phones): recorded and committed
    before the file is sent, so a download the log does not know of never happens."""
    record("download_evidence" if object_type == "evidence" else "export", object_type, object_id, label=label,
           after=after)
    db.session.commit()


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None


def query_entries(f: AuditFilter):
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if f.actor:
        stmt = stmt.where(AuditEntry.actor_name == f.actor)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.object_type:
        stmt = stmt.where(AuditEntry.object_type == f.object_type)
    if f.text:
        stmt = stmt.where(
            sa.or_(AuditEntry.object_label.icontains(f.text, autoescape=True),
                   AuditEntry.object_id.icontains(f.text, autoescape=True))
        )
    # Dates are local calendar days; stored times are UTC.
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= day_start_utc(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < day_start_utc(f.date_to + timedelta(days=1)))
    return stmt
