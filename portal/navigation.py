"""The main navigation: each entry shows only to users its view admits."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from portal.access import access_of, allowed

# (endpoint, label). Later domains append their entries here.
NAV = [
    ("home.index", "首页"),
    ("duties.index", "任务台账"),
    ("policy.index", "政策库"),
    ("units.index", "组织机构"),
    ("reports.index", "进展报告"),
    ("duties.queue", "督查室"),
    ("admin.users", "用户管理"),
    ("library_admin.index", "法规管理"),
    ("audit.index", "审计日志"),
]


# A liaison's board is their own unit's: they know it as 我的任务.
LIAISON_LABELS = {"duties.index": "我的任务"}


def nav_items() -> list[dict]:
    """Computed once per request (the layout asks twice)."""
    from flask import g

    if "nav_items" not in g:
        g.nav_items = _build_nav()
    return g.nav_items


def _build_nav() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    current_bp = (request.endpoint or "").split(".")[0]
    exact = any(endpoint == request.endpoint for endpoint, _ in NAV)
    for endpoint, label in NAV:
        if allowed(current_user, access_of(endpoint)):
            items.append(
                {
                    "endpoint": endpoint,
                    "label": LIAISON_LABELS.get(endpoint, label) if current_user.has_role("liaison") else label,
                    "url": url_for(endpoint),
                    "active": endpoint == request.endpoint if exact else endpoint.split(".")[0] == current_bp,
                }
            )
    return items
