"""The main navigation: each entry shows only to users its view admits."""
from __future__ import annotations

from flask import g, request, url_for
from flask_login import current_user

from portal.capabilities import can
from portal.web.access import access_of, allowed

# (endpoint, label). Later domains append their entries here.
NAV = [
    ("home.index", "首页"),
    ("board.index", "工作总览"),
    ("duties.index", "任务台账"),
    ("plans.index", "方案"),
    ("policy.index", "政策库"),
    ("units.index", "组织机构"),
    ("reports.index", "进展报告"),
    ("training.index", "培训"),
    ("training.mine", "我的培训"),
    ("duties.queue", "督查室"),
    ("supervision.index", "督办"),
    ("supervision.inbox", "待签收"),
    ("admin.users", "用户管理"),
    ("security.throttles", "登录保护"),
    ("library_admin.index", "法规管理"),
    ("audit.index", "审计日志"),
]


# A liaison's board is their own unit's: they know it as 我的任务.
LIAISON_LABELS = {"duties.index": "我的任务"}

# Pages that are not nav entries belong to exactly one tab; otherwise to the first tab of their blueprint.
SECTIONS = {
    "duties.coverage": "duties.queue", "duties.decide": "duties.queue", "duties.decide_ext": "duties.queue",
    "duties.decide_many": "duties.queue",
    "outbox.index": "duties.queue", "outbox.message": "duties.queue", "outbox.retry": "duties.queue",
    "outbox.units": "duties.queue", "outbox.unit_settings": "duties.queue",
}


def section_of(endpoint: str | None) -> str | None:
    """The one nav entry a page highlights."""
    if not endpoint:
        return None
    if any(endpoint == e for e, _ in NAV):
        return endpoint
    if endpoint in SECTIONS:
        return SECTIONS[endpoint]
    blueprint = endpoint.split(".")[0]
    return next((e for e, _ in NAV if e.split(".")[0] == blueprint), None)


def ledger_heading(user, viewed) -> tuple[str, bool]:
    """The board page's title, and whether it is read-only to this user: a liaison's own unit is
    我的任务; another unit's board (which liaisons may read) is that unit's 任务台账, read-only."""
    own = viewed is not None and viewed.id == user.unit_id
    if can(user, "act_for_own_unit") and own:
        return LIAISON_LABELS["duties.index"], False
    read_only = can(user, "act_for_own_unit") and not can(user, "act_on_any_duty") and viewed is not None
    return dict(NAV)["duties.index"], read_only


def nav_items() -> list[dict]:
    """Computed once per request (the layout asks twice)."""
    if "nav_items" not in g:
        g.nav_items = _build_nav()
    return g.nav_items


def _build_nav() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    current = section_of(request.endpoint)
    # A 学员's home is their own training (portal/home/views.py redirects): one entry, 我的培训, not two.
    home_is_training = not can(current_user, "work_pages") and can(current_user, "learn")
    for endpoint, label in NAV:
        if endpoint == "home.index" and home_is_training:
            continue
        if allowed(current_user, access_of(endpoint)):
            items.append(
                {
                    "endpoint": endpoint,
                    "label": LIAISON_LABELS.get(endpoint, label) if can(current_user, "act_for_own_unit") else label,
                    "url": url_for(endpoint),
                    "active": endpoint == current,
                }
            )
    return items
