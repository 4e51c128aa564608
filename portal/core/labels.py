"""Words the UI shows for stored values — dates in 年月日, audit actions, fields, object types.

Pure (no Flask, no database): the audit log, template filters, exports and services all import from
here, so none of them needs another (no import circles).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from portal.core.duty_rules import PERIOD_LABELS, STATE_LABELS  # one home for the period words
from portal.core.roles import ROLE_LABELS
from portal.core.time import to_local


def zh_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.year}年{value.month}月{value.day}日"


ISO_DATE = re.compile(r"(?<![\d/])(\d{4})-(\d{2})-(\d{2})(?![\d/])")


def zh_dates_in(text: str) -> str:
    """A text (or HTML) with each 2024-04-26 written 2024年4月26日; inside HTML tags (an href's
    /v/2020-10-17) nothing changes. Keeps a markupsafe.Markup a Markup."""
    def one(m: re.Match) -> str:
        try:
            return zh_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            return m.group(0)
    parts = re.split(r"(<[^>]*>)", str(text or ""))
    out = "".join(p if p.startswith("<") else ISO_DATE.sub(one, p) for p in parts)
    return text.__class__(out) if hasattr(text, "__html__") else out


# What the office added (the cited clauses do not say it) carries this mark in every export and list, as
# the pages' 督查室安排 badge does: a cooperating unit, a checklist step; a deadline text the 方案 does not state.
ARRANGED_MARK = "（督查室安排）"
ARRANGED_DEADLINE_MARK = "【督查室工作安排】"

# A periodic duty has no one date: it says how often (duties.txt's ``period:``; the words are
# `portal.core.duty_rules.PERIOD_LABELS`).


def open_deadline_label(kind: str, period: str = "") -> str:
    """What a duty without a date shows as its 完成时限: 定期（每季度） for a periodic one, else 长期."""
    if kind == "periodic":
        return f"定期（{PERIOD_LABELS[period]}）" if period in PERIOD_LABELS else "定期"
    return "长期"


def deadline_label(row: Any) -> str:
    """A row's 完成时限 as the UI shows it: the date, 定期（每季度）本期至… for a periodic one, or 长期. ``row`` has ``deadline``,
    ``deadline_kind`` and ``period`` (a board row, a duty)."""
    kind = getattr(row, "deadline_kind", "none")
    if row.deadline and kind == "periodic":  # a periodic duty's date is its current period's end
        return f"{open_deadline_label(kind, getattr(row, 'period', '') or '')}本期至{zh_date(row.deadline)}"
    if row.deadline:
        return zh_date(row.deadline)
    return open_deadline_label(getattr(row, "deadline_kind", "none"), getattr(row, "period", "") or "")


def zh_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_throttled": "登录受限（尝试过频）",
    "clear_login_failures": "解除登录限制",
    "login_password_ok": "登录：密码正确，待输入动态验证码",
    "login_code_failed": "登录失败（动态验证码）",
    "login_code_throttled": "登录受限（验证码尝试过频）",
    "logout": "退出",
    "logout_idle": "超时自动退出",
    "enable_second_factor": "启用动态验证码",
    "disable_second_factor": "关闭动态验证码",
    "new_recovery_codes": "生成新的恢复码",
    "reset_second_factor": "重置动态验证码",
    "change_password": "修改密码",
    "reset_password": "重置密码",
    "create": "新建",
    "update": "修改",
    "deactivate": "停用",
    "reactivate": "启用",
    "retire": "撤销",
    "restore": "恢复",
    "sync": "同步",
    "archive": "归档",
    "split_draft": "拆分任务",
    "merge_draft": "合并任务",
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
    "correct_report": "更正进展报告",
    "read_report": "阅读进展报告",
    "set_responsible": "设置具体责任人",
    "remind": "发送提醒",
    # the outbox (portal/outbox): robots, channel choices, contact details, a delivery sent again
    "set_robot": "设置群机器人",
    "remove_robot": "删除群机器人",
    "set_channels": "设置消息渠道",
    "set_contact": "修改联系方式",
    "retry_delivery": "重新发送消息",
    "remove_demo": "清除演示数据",
    "report_indicator": "填报指标",
    "instruction": "领导批示",
    # 督办
    "acknowledge": "签收",
    "urge": "催办",
    "urge_reply": "回复催办",
    "urge_close": "办结催办",
    "assign_matter": "交办事项",
    "escalate": "督办升级",
    "read_notice": "阅读通知",
    # plans
    "publish": "发布任务分工",
    "revise": "开始修订任务分工",
    "delete": "删除",
    "roll_period": "进入下一周期",
    # training
    "assign": "安排培训",
    "unassign": "取消培训安排",
    "end_cohort": "撤销人群培训安排",
    "retrain": "按新文本重新安排学习",
    "complete": "登记培训完成",
    "void_completion": "更正培训记录",
    "quiz": "参加培训测验",
    "import": "导入花名册",
    "import_statute": "导入法规文本",
    # 收藏 (portal.policy.favourites)
    "star": "收藏",
    "unstar": "取消收藏",
    "move_favourite": "移动收藏",
    "merge": "合并地名",
    "issue_certificate": "颁发结业证书",
    "revoke_certificate": "撤销结业证书",
    "download_certificate": "下载结业证书",
    "tick_numbers": "按签到表编号登记到场",
    "feedback": "提交培训反馈",
    # downloads of personal data and evidence (who took what out of the portal)
    "download_evidence": "下载佐证材料",
    "export": "导出",
    # the audit log itself
    "export_audit": "导出审计日志",
    "purge_audit": "清理过期审计记录",
}


# Chinese names for what the log shows; unknown keys show as they are.
OBJECT_TYPE_LABELS = {"user": "账号", "unit": "单位", "duty": "任务", "duty_instance": "单位任务", "report": "进展报告",
                      "policy_document": "政策文件", "regulation": "法规登记", "library_import": "导入的法规文本",
                      "favourite": "收藏", "favourite_folder": "收藏夹",
                      "trainee": "学员", "training_module": "培训模块", "training_session": "培训签到表", "training_sheet_photo": "签到表照片",
                      "training_area": "地名", "certificate": "结业证书", "training_arrangement": "培训工作安排",
                      "training_course": "课程",
                      "audit_entry": "审计日志", "export": "导出文件", "evidence": "佐证材料",
                      "supervision_settings": "督办设置", "urge": "督办通知单", "assigned_matter": "交办事项",
                      "plan": "方案", "plan_draft": "起草的任务", "unit_alias": "单位名称对应",
                      "outbox_delivery": "消息发送",
                      "assessment_settings": "考核设置"}
FIELD_LABELS = {
    "username": "用户名", "display_name": "姓名", "roles": "角色", "unit": "单位", "active": "在用",
    "name": "名称", "short_name": "简称", "level": "层级", "parent": "上级", "aliases": "别称",
    "sort_order": "排序",
    "state": "状态", "deadline": "完成时限", "reason": "理由", "item": "清单事项", "done": "已完成",
    "note": "记录", "file": "文件", "size": "大小", "sha256": "校验值", "proposed_deadline": "拟延至",
    "archived": "已归档", "title": "标题", "clauses": "来源条款", "scope": "范围", "area": "领域", "theme": "领域",
    "start": "启动时间", "deadline_kind": "时限类型", "deadline_text": "时限说明", "arrangement": "督查室工作安排",
    "original_deadline": "原定时限", "indicator": "指标", "value": "数值", "instruction": "批示",
    "cooperators": "配合单位", "arranged_cooperators": "督查室安排的配合单位", "checklist": "工作清单",
    "comment": "意见", "progress": "进展情况", "problems": "存在问题", "next_steps": "下步打算", "status": "状态",
    "overdue": "逾期", "due_soon": "即将到期", "revision": "版本",
    "responsible_name": "具体责任人", "responsible_phone": "联系电话",
    "how": "方式", "date": "日期", "score": "得分", "passed": "通过", "cohort": "对象", "due": "完成时限",
    "assigned": "安排人数", "redated": "调整完成时限", "trainees": "学员", "moved": "涉及人数", "module": "培训模块", "place": "地点",
    "trainer": "授课人", "created": "新增", "updated": "更新", "retired": "已停用", "clause_ids": "依据条款",
    "phone": "手机号", "role": "角色", "post": "角色",
    "bulletin_day": "通报发送日（每月）", "bulletin_to": "通报接收人", "matter_number": "交办编号", "source": "交办来源", "importance": "重要程度", "steps": "工作步骤",
    "second_factor": "第二种鉴别方式", "replaced": "替换原有设置",
    "unchanged": "未变", "new_accounts": "新建账号", "must_change_password": "首次登录须修改密码",
    "account": "账号", "county": "县（市、区）", "township": "乡镇（街道）", "village": "村（社区）",
    "number": "证书编号", "hours": "学时", "expires": "有效期至", "issuer": "发证机关", "number_prefix": "证书编号字头",
    "minutes_per_hour": "每学时分钟数", "quiz_hours": "通过测验加计学时", "attendance_hours": "到场签到加计学时",
    "numbers": "签到表编号", "new": "新登记人数", "useful": "是否有用", "clear": "是否清楚", "missing": "还缺什么",
    "yearly_target": "年度学时目标", "validity": "证书有效期（月）",
    "tier": "课程等级", "course": "课程", "description": "课程说明",
    "indicators": "指标", "period": "周期",
    # plans and their drafted duties
    "lead": "牵头单位", "cooperating": "配合单位", "lead_ids": "牵头单位（对应）", "cooperating_ids": "配合单位（对应）",
    "no_duty": "无具体任务的条款", "drafts": "起草的任务数", "mapped": "对应的名称", "duties": "涉及任务数",
    "archived_count": "归档任务数", "instances": "涉及单位任务数", "with_plan": "随方案归档（或恢复）", "arranged_cooperating": "督查室安排的配合单位",
    "new_title": "拆出的新任务", "new_checklist": "新任务的工作步骤", "merged": "并入的任务", "merged_into": "并入", "division_import": "导入任务分工表",
    # the outbox
    "channel": "渠道", "url": "机器人地址", "secret": "加签密钥", "email": "电子邮箱", "mobile": "手机号码",
    "on": "开启", "off": "关闭", "message": "消息", "recipient": "接收方",
    # the office's 考核 settings (portal/board/assessment.py)
    "w_on_time": "按时完成率权重", "w_overdue": "逾期天数权重", "w_returns": "销号退回权重", "w_reports": "月度报告权重",
    "w_training": "培训覆盖率权重", "w_signoff": "签收及时性权重", "overdue_cap_days": "逾期封顶天数",
    "green_min": "绿色最低分", "yellow_min": "黄色最低分", "instruction_days": "批示落实期限（天）",
    "checkin_period": "长期任务报告进展周期",
    # login protection
    "wait_seconds": "须等待（秒）", "ip": "来源地址", "removed": "清除记录数",
    # the policy library (a document's metadata and what an import changed; a register entry)
    "short_title": "简称", "issuers": "发文机关", "addressees": "主送机关",
    "issued": "发布日期", "effective": "施行日期", "kind": "文种", "notes": "备注", "layout": "结构",
    "document": "对应全文", "version": "版本", "clauses_added": "新增条款", "clauses_changed": "修改的条款",
    "clauses_retired": "撤销的条款", "edition": "版本日期", "files": "上传的文件",
    "promulgated": "文号所属公布日期", "promulgated_by": "公布机关", "promulgated_as": "公布方式",
    "revised_by": "现行文本的修改情况",
    "folder": "收藏夹", "moved_to_unfiled": "移到未分类的收藏数",
    # exports and the audit log's own entries
    "format": "文件格式", "rows": "记录数", "draft": "草稿版本", "date_from": "开始日期", "date_to": "结束日期", "actor": "操作人",
    "action": "操作", "object_type": "对象类型", "text": "对象名称含", "filter": "筛选条件",
    "purge_before": "清理此日期之前的记录", "archive_file": "归档文件",
    # 督办
    "what": "签收事项", "reply": "回复", "reply_by": "限期办结", "copy_to": "抄送",
    "remind_days": "到期前提醒（工作日）", "order_days": "督办通知单限期（工作日）", "red_days": "升级红色督办单（工作日）",
}
# A field whose word depends on what it belongs to: a certificate's number is its 证书编号, a document's
# or a register entry's number its 文号; who issues a certificate is a 发证机关, a regulation a 发布机关.
FIELD_LABELS_BY_OBJECT = {
    "policy_document": {"number": "文号"},
    "regulation": {"number": "文号", "issuer": "发布机关"},
    "supervision_settings": {"issuer": "发文机关", "number_prefix": "文号机关代字"},
}


def field_label(key: str, object_type: str = "") -> str:
    """The Chinese name of an audit detail's field (the key itself when it has none)."""
    return FIELD_LABELS_BY_OBJECT.get(object_type, {}).get(key) or FIELD_LABELS.get(key, key)


def display_value(value: Any) -> str:
    """An audit before/after value as the log shows it: 是/否, state names, 2022年9月1日, role names."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, str) and value in STATE_LABELS:
        return STATE_LABELS[value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return zh_date(date.fromisoformat(value))
    if isinstance(value, list):
        return "、".join(ROLE_LABELS.get(v, str(v)) for v in value) or "（空）"
    return str(value)


def size_text(n: int) -> str:
    """A file size as users read it: 45 字节, 12.3 KB, 1.5 MB."""
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
