"""How audit entries read to people: names, not ids.

The log stores what happened with stable ids (unit codes, instance ids, usernames) so it can be
queried; this module turns a page of entries into what a 科员 reads — people's 姓名 (the snapshot
taken when they acted), 系统同步 for content runs, a duty's 任务名称 and unit name, unit full names
instead of codes and Chinese words instead of state codes. One place for all screens that show
the log (审计日志, 首页最近操作, a duty's 全程留痕).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import SYSTEM_ACTORS
from portal.content.policy_doc import label_for
from portal.core.duty_rules import STATE_LABELS
from portal.core.labels import ACTION_LABELS, OBJECT_TYPE_LABELS, field_label, size_text, zh_date
from portal.core.roles import ROLE_LABELS
from portal.duties.crossref import titled
from portal.extensions import db
from portal.models import AuditEntry, Duty, DutyInstance, PolicyDocument, Unit, User

VALUE_LABELS = {
    "draft": "草稿", "submitted": "已提交", "superseded": "已更正（旧版）",
    "pending": "待审批", "approved": "已批准", "rejected": "未批准",
    "city": "全市一项", "per-county": "13个县（市、区）各一项", "per-unit": "所列单位各一项",
    "date": "定期限", "periodic": "周期性", "none": "长期",
}
UNIT_FIELDS = {"unit", "parent", "cooperators", "arranged_cooperators"}
CLAUSE_FIELDS = {"clauses", "clauses_changed", "clauses_retired", "clause_ids"}
# Codes whose words depend on the field they are in.
FIELD_VALUE_LABELS = {
    "layout": {"statute": "按条文（法律法规）", "scheme": "按章节（方案、通知）"},
    "format": {"xlsx": "Excel 表格", "csv": "CSV 文本", "docx": "Word 文档"},
    "action": ACTION_LABELS,
    "object_type": OBJECT_TYPE_LABELS,
}
# ... and on the action as well: a throttle's reason, the reach of a clearance.
ACTION_VALUE_LABELS = {
    ("login_throttled", "reason"): {"pair": "该账号在此地址连续失败", "address": "此地址连续失败",
                                    "account": "该账号在陌生地址连续失败"},
    ("clear_login_failures", "scope"): {"pair": "该账号在此地址", "account": "该账号（所有地址）",
                                        "address": "此地址（所有账号）"},
}
# Attempts to sign in name what was typed, not necessarily the account's holder: shown as typed.
LOGIN_ATTEMPTS = frozenset({"login_failed", "login_throttled"})


@dataclass
class EntryView:
    at: datetime
    actor: str
    action: str
    object_type: str
    object: str
    before: list[tuple[str, str]] = field(default_factory=list)
    after: list[tuple[str, str]] = field(default_factory=list)
    entry: AuditEntry | None = None


class _Names:
    """Lookups for one page of entries: a few queries, not one per entry."""

    def __init__(self, entries: list[AuditEntry], users: dict[int, str] | None = None,
                 instances: dict[int, str] | None = None):
        """`users` (id -> 姓名) and `instances` (id -> name) when the caller read them already."""
        # Plain columns, not objects: a name is all a page of entries needs.
        self.units = {u.code: u.name for u in refdata.units()}
        user_ids = {e.actor_id for e in entries if e.actor_id}
        user_ids |= {int(e.object_id) for e in entries if e.object_type == "user" and e.object_id.isdigit()}
        named = sa.select(User.id, User.display_name).where(User.id.in_(user_ids))
        self.users = users if users is not None else dict(db.session.execute(named).all()) if user_ids else {}
        inst_ids = {int(e.object_id) for e in entries if e.object_type == "duty_instance" and e.object_id.isdigit()}
        self.instances: dict[int, str] = dict(instances or {})
        inst_ids -= set(self.instances)
        if inst_ids:
            rows = db.session.execute(sa.select(DutyInstance.id, Duty.title, Unit.name)
                                      .join(Duty, DutyInstance.duty_id == Duty.id)
                                      .join(Unit, DutyInstance.unit_id == Unit.id)
                                      .where(DutyInstance.id.in_(inst_ids)))
            self.instances.update({iid: f"{title} · {name}" for iid, title, name in rows})
        self.people = self._people(entries)
        self.documents = self._documents(entries)

    @staticmethod
    def _people(entries: list[AuditEntry]) -> dict[str, str]:
        """Login name -> 姓名, for entries that name a person only by login: those written before the
        姓名 was kept, a library import by a person, the 操作人 filter of an export."""
        names = {e.actor_name for e in entries
                 if e.actor_id is None and not e.actor_display and e.action not in LOGIN_ATTEMPTS}
        names |= {e.after["actor"] for e in entries if isinstance(e.after, dict) and e.after.get("actor")}
        names |= {e.object_id for e in entries if e.object_type == "user" and not e.object_id.isdigit()}
        names -= SYSTEM_ACTORS.keys()
        if not names:
            return {}
        return dict(db.session.execute(sa.select(User.username, User.display_name).where(User.username.in_(names))).all())

    @staticmethod
    def _documents(entries: list[AuditEntry]) -> dict[str, str]:
        """A register entry's full text: its title, not its id."""
        ids = {v for e in entries for values in (e.before, e.after) if isinstance(values, dict)
               for k, v in values.items() if k == "document" and isinstance(v, str) and v}
        if not ids:
            return {}
        return dict(db.session.execute(sa.select(PolicyDocument.doc_id, PolicyDocument.title)
                                       .where(PolicyDocument.doc_id.in_(ids))).all())

    def unit(self, code: Any) -> str:
        return self.units.get(code, code) if isinstance(code, str) else str(code)


def actor_label(entry: AuditEntry, users: dict[int, str] | None = None, people: dict[str, str] | None = None) -> str:
    if entry.actor_display:
        return entry.actor_display
    if entry.actor_name in SYSTEM_ACTORS and entry.actor_id is None:
        return SYSTEM_ACTORS[entry.actor_name]
    if entry.actor_id and users and entry.actor_id in users:
        return users[entry.actor_id]
    if people and entry.action not in LOGIN_ATTEMPTS and entry.actor_name in people:
        return people[entry.actor_name]
    return entry.actor_name


def value_text(key: str, value: Any, names: _Names | None = None) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(value_text(key, v, names) for v in value)
    shown = _field_value(key, value, names)
    return shown if shown is not None else _plain_value(value)


def _field_value(key: str, value: Any, names: _Names | None) -> str | None:
    """Values whose words depend on their field: units, documents, people, clauses, sizes, codes."""
    if key in UNIT_FIELDS and names is not None:
        return names.unit(value)
    if key == "size" and isinstance(value, int):
        return size_text(value)
    if not isinstance(value, str):
        return None
    if key in FIELD_VALUE_LABELS:
        return FIELD_VALUE_LABELS[key].get(value, value)
    if key == "actor":
        return (names.people.get(value) if names is not None else None) or SYSTEM_ACTORS.get(value, value)
    if key == "document" and names is not None:
        return names.documents.get(value, value)
    if key == "sha256":
        return value[:8] + "…"  # enough to compare two uploads by eye; the full value stays in the log
    if key in CLAUSE_FIELDS:
        return label_for(value)
    if key == "arrangement":  # the office's remarks name other duties by key: by title here
        return titled(value)
    return None


def _plain_value(value: Any) -> str:
    if isinstance(value, str):
        if value in STATE_LABELS:
            return STATE_LABELS[value]
        if value in ROLE_LABELS:
            return ROLE_LABELS[value]
        if value in VALUE_LABELS:
            return VALUE_LABELS[value]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return zh_date(date.fromisoformat(value))
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return f"{int(value[:4])}年{int(value[5:])}月"
    return str(value)


def _object_label(entry: AuditEntry, names: _Names) -> str:
    kind = OBJECT_TYPE_LABELS.get(entry.object_type, "")
    label = entry.object_label or entry.object_id
    if entry.object_type == "duty_instance" and entry.object_id.isdigit():
        name = names.instances.get(int(entry.object_id))
        if name:
            # a tick's label carries the checklist item after "："
            item = entry.object_label.split("：", 1)[1] if "：" in entry.object_label else ""
            label = f"{name}：{item}" if item else name
    elif entry.object_type == "user" and entry.object_id.isdigit():
        label = names.users.get(int(entry.object_id), label)
    elif entry.object_type == "user":  # a login attempt or a clearance names the account by its login
        label = names.people.get(entry.object_id, label)
    elif entry.object_type == "unit":
        label = names.units.get(entry.object_id, label)
    elif entry.object_type == "report":
        label = re.sub(r"(\d{4})-(\d{2})$", lambda m: f"{int(m.group(1))}年{int(m.group(2))}月", label)
    # dates inside labels (a training session's "… 2026-11-28 …") read like the rest of the portal
    label = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b",
                   lambda m: f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日", str(label))
    return f"{kind} · {label}" if kind else label



# Kept in the audit log (the office checks a file against it) but not on a working page's timeline.
TECHNICAL_FIELDS = frozenset({"sha256"})


def _pairs(values: dict | None, names: _Names, hide: frozenset[str] = frozenset(),
           skip_unset: bool = False, action: str = "", object_type: str = "") -> list[tuple[str, str]]:
    """`skip_unset`: leave out fields that are off or empty (a brief view of a creation: 已归档：否 is noise)."""
    return [(field_label(k, object_type), _value(action, k, v, names)) for k, v in (values or {}).items()
            if k not in hide and not (skip_unset and v in (False, None, "", []))]


def _value(action: str, key: str, value: Any, names: _Names) -> str:
    words = ACTION_VALUE_LABELS.get((action, key))
    if words is not None and isinstance(value, str) and value in words:
        return words[value]
    return value_text(key, value, names)


def present(entries: list[AuditEntry], brief: bool = False, users: dict[int, str] | None = None,
            instances: dict[int, str] | None = None) -> list[EntryView]:
    """Entries as people read them; ``brief`` (a duty's timeline) leaves out technical fields.
    `users` and `instances`: names the caller read with the entries (see `_Names`)."""
    names = _Names(entries, users, instances)
    hide = TECHNICAL_FIELDS if brief else frozenset()
    return [EntryView(at=e.at, actor=actor_label(e, names.users, names.people),
                      action=ACTION_LABELS.get(e.action, e.action),
                      object_type=e.object_type, object=_object_label(e, names),
                      before=_pairs(e.before, names, hide, action=e.action, object_type=e.object_type),
                      after=_pairs(e.after, names, hide, skip_unset=brief and not e.before, action=e.action,
                                   object_type=e.object_type), entry=e)
            for e in entries]


def filter_choices() -> tuple[list[tuple[str, str]], list[str]]:
    """The log page's two filter lists: (stored actor name, what the 操作人 filter shows) — every
    account and the system's own actors — and the kinds of object the log names. From the accounts and
    the labels, not from the log: a DISTINCT over every entry read the whole log on each visit."""
    shown = dict(SYSTEM_ACTORS)
    for username, display in db.session.execute(sa.select(User.username, User.display_name)):
        shown[username] = display or username
    return sorted(shown.items(), key=lambda kv: kv[1]), sorted(OBJECT_TYPE_LABELS)
