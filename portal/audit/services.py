"""The one way to write to the audit log, and the queries that read it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from portal.extensions import db
from portal.models import AuditEntry
from portal.timeutil import day_start_utc

SYSTEM = "system"

ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "change_password": "修改密码",
    "reset_password": "重置密码",
    "create": "新建",
    "update": "修改",
    "deactivate": "停用",
    "reactivate": "启用",
    "retire": "撤销",
    "sync": "同步",
    "archive": "归档",
    "tick": "完成清单事项",
    "untick": "取消清单事项",
    "note": "添加工作记录",
    "upload": "上传佐证材料",
    "request_close": "申请销号",
    "close": "销号",
    "return": "退回",
    "block": "标记受阻",
    "unblock": "恢复推进",
    "request_extension": "申请延期",
    "approve_extension": "批准延期",
    "reject_extension": "驳回延期",
    "save_report": "保存进展报告",
    "submit_report": "提交进展报告",
    "remind": "发送提醒",
    "remove_demo": "清除演示数据",
    # training
    "assign": "安排培训",
    "unassign": "取消培训安排",
    "complete": "登记培训完成",
    "void_completion": "更正培训记录",
    "quiz": "参加培训测验",
    "import": "导入花名册",
    "merge": "合并地名",
}


# Chinese names for what the log shows; unknown keys show as they are.
OBJECT_TYPE_LABELS = {"user": "账号", "unit": "单位", "duty": "任务", "duty_instance": "单位任务", "report": "进展报告",
                      "policy_document": "政策文件", "regulation": "法规登记",
                      "trainee": "学员", "training_module": "培训模块", "training_session": "培训签到表",
                      "training_area": "地名"}
FIELD_LABELS = {
    "username": "用户名", "display_name": "姓名", "roles": "角色", "unit": "单位", "active": "在用",
    "name": "名称", "short_name": "简称", "level": "层级", "parent": "上级", "aliases": "别称",
    "sort_order": "排序",
    "state": "状态", "deadline": "完成时限", "reason": "理由", "item": "清单事项", "done": "已完成",
    "note": "记录", "file": "文件", "size": "大小（字节）", "sha256": "校验值", "proposed_deadline": "拟延至",
    "archived": "已归档", "title": "标题", "clauses": "来源条款", "scope": "范围", "area": "领域",
    "start": "启动时间", "deadline_kind": "时限类型", "deadline_text": "方案表述",
    "original_deadline": "原定时限", "cooperators": "配合单位", "checklist": "工作清单",
    "comment": "意见", "progress": "进展情况", "problems": "存在问题", "next_steps": "下步打算", "status": "状态",
    "overdue": "逾期", "due_soon": "即将到期",
    "how": "方式", "date": "日期", "score": "得分", "passed": "通过", "cohort": "对象", "due": "完成时限",
    "assigned": "安排人数", "trainees": "学员", "moved": "涉及人数", "module": "培训模块", "place": "地点",
    "trainer": "授课人", "created": "新增", "updated": "更新", "retired": "已停用", "clause_ids": "依据条款",
    "phone": "手机号", "role": "角色",
}


def display_value(value: Any) -> str:
    from portal.roles import ROLE_LABELS

    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "（空）"
    from portal.duties.rules import STATE_LABELS

    if isinstance(value, str) and value in STATE_LABELS:
        return STATE_LABELS[value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        from portal.filters import zh_date

        return zh_date(date.fromisoformat(value))
    if isinstance(value, list):
        return "、".join(ROLE_LABELS.get(v, str(v)) for v in value) or "（空）"
    return str(value)


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
    if actor is None and actor_name is None and has_request_context():
        from flask_login import current_user

        if current_user.is_authenticated:
            actor = current_user
    if ip is None:
        ip = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.username if actor is not None else actor_name) or SYSTEM,
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


def distinct_values(column) -> list[str]:
    return list(db.session.scalars(sa.select(column).distinct().order_by(column)))
