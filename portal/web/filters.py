"""Template filters: Chinese dates (2022年9月1日) in the city's time zone."""
from __future__ import annotations

import re

from flask import request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from portal import limits, refdata
from portal.capabilities import can
from portal.content.duties_file import deadline_text_arranged
from portal.content.policy_doc import label_for
from portal.core import duty_rules
from portal.core.labels import (
    ACTION_LABELS,
    FIELD_LABELS,
    deadline_label,
    display_value,
    open_deadline_label,
    size_text,
    zh_date,
    zh_dates_in,
    zh_datetime,
)
from portal.core.plan import PLAN_ID, PLAN_NUMBER
from portal.core.refusals import FormKey
from portal.core.roles import ROLE_LABELS
from portal.web.forms import text_limit
from portal.web.navigation import nav_items
from portal.web.query_args import url_with_args

__all__ = ["register"]


def page_url(page: int) -> str:
    """The current URL with its filters kept and another page number."""
    return url_with_args(request.endpoint, request.view_args, page=page)


def paths_for(endpoint: str, key: str):
    """`url_for(endpoint, key=value)` for the many rows of one list: the address is built once with a
    marker and each row's is formatted from it (url_for per row was a large part of a 50-row list)."""
    marker = "2147483647"
    head, _, tail = url_for(endpoint, **{key: int(marker)}).partition(marker)
    return lambda value: f"{head}{value}{tail}"


def current_user_can(*capabilities: str) -> bool:
    """`can('see_figures')` in templates: whether the signed-in person holds any of these capabilities."""
    return can(current_user, *capabilities)


_DETAIL_LINE = re.compile(r"^查看详情：(?P<url>(?:https?://|/)\S+)$", re.M)


def message_text(text: str) -> Markup:
    """A message's text as the outbox sent it, escaped; its 「查看详情：<address>」 line (the link a mail or
    robot message carries) becomes a 查看详情 link instead of a raw address (which may carry codes)."""
    escaped = str(escape(text or ""))

    def link(m: re.Match) -> str:
        return f'<a href="{m.group("url")}">查看详情</a>'  # already escaped with the text

    return Markup(_DETAIL_LINE.sub(link, escaped))


def register(app) -> None:
    app.add_template_global(page_url, "page_url")

    app.add_template_global(url_with_args, "url_with_args")
    app.add_template_global(paths_for, "paths_for")
    app.add_template_filter(zh_date, "zh_date")
    app.add_template_filter(message_text, "message_text")
    app.add_template_filter(zh_datetime, "zh_datetime")
    app.add_template_filter(zh_dates_in, "zh_dates_in")  # a free text's 2024-04-26 → 2024年4月26日

    app.add_template_filter(size_text, "zh_size")
    app.add_template_filter(deadline_label, "deadline_label")
    app.add_template_global(open_deadline_label, "open_deadline_label")

    app.add_template_global(deadline_text_arranged, "deadline_text_arranged")
    app.add_template_global(ROLE_LABELS, "ROLE_LABELS")
    app.add_template_global(current_user_can, "can")
    app.add_template_global(PLAN_ID, "PLAN_ID")
    app.add_template_global(PLAN_NUMBER, "PLAN_NUMBER")

    # The plans with duties (cached with the reference data): the plan choosers' list.
    app.add_template_global(refdata.plans, "all_plans")

    app.add_template_global(limits, "LIMITS")
    app.add_template_global(FormKey, "KEY")  # the names of the forms a refusal is drawn beside
    app.add_template_global(text_limit, "text_limit")

    app.add_template_filter(label_for, "clause_label")

    app.add_template_global(duty_rules, "duty_rules")
    app.add_template_filter(lambda a: ACTION_LABELS.get(a, a), "action_label")
    app.add_template_filter(lambda k: FIELD_LABELS.get(k, k), "field_label")
    app.add_template_filter(display_value, "display_value")

    @app.context_processor
    def navigation():
        return {"nav_items": nav_items}
