"""Issue 11: users never see machinery. Every GET page, for every role, with the demo state loaded,
is rendered and its visible text scanned for internal ids: slugs with @, duty keys, unit codes,
English state words and file paths. An admin's secondary system code (class sys-code) is allowed."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Duty, Unit
from tests.conftest import AuthActions, instance_by_key, make_user

ROLES = {"admin": None, "leader": None, "liaison": "yanhu-mz", "trainer": None, "staff": None}
# Pages that are not HTML pages people read, or that need a query to say anything.
SKIP_ENDPOINTS = {"static", "auth.logout", "duties.download", "duties.export_ledger", "duties.export_plan",
                  "duties.api_duties", "policy_api.document_json", "policy_api.clause_json"}
STATE_WORDS = ("not_started", "in_progress", "blocked", "requested", "closed", "submitted", "draft", "pending",
               "approved", "rejected", "superseded", "per-county", "per-unit", "periodic", "sync", "system")
PATH_RE = re.compile(r"(?:content|portal|templates|static)/[\w./-]*|\b[\w-]+\.(?:csv|txt|md|tsv|py)\b|/work/")
SLUG_AT_RE = re.compile(r"\b[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9-]*\b")


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r'(?s)<small class="sys-code"[^>]*>.*?</small>', " ", html)  # an admin's secondary code
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", text)


@pytest.fixture
def demo(app, plan):
    from portal.duties import evidence, services
    from portal.duties.demo import load_demo_state
    from portal.reports.services import ReportInput, current_month, save

    load_demo_state()
    owner = make_user("scan-owner", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    evidence.add_evidence(owner, inst, FileStorage(BytesIO(b"%PDF-1.4 sample"), "移交清单.pdf"))
    services.request_extension(owner, instance_by_key("transfer-plan@yanhu-mz"), "场所改造", date(2099, 1, 1))
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "yongji-mz"))
    save(make_user("scan-yongji", "liaison", unit="yongji-mz"), unit, current_month(),
         ReportInput("本月完成安排部署", "", ""), True, 0)
    return inst


def forbidden(app) -> list[re.Pattern]:
    codes = sorted(db.session.scalars(sa.select(Unit.code)), key=len, reverse=True)
    keys = sorted(db.session.scalars(sa.select(Duty.key)), key=len, reverse=True)
    token = r"(?<![\w-])(?:{})(?![\w-])"
    return [
        SLUG_AT_RE,
        re.compile(token.format("|".join(map(re.escape, codes)))),
        re.compile(token.format("|".join(map(re.escape, keys)))),
        re.compile(r"(?<![\w-])(?:{})(?![\w-])".format("|".join(STATE_WORDS))),
        PATH_RE,
    ]


def get_urls(app, inst) -> list[str]:
    from portal.models import PolicyDocument

    values = {
        "instance_id": inst.id, "code": "yanhu-mz", "unit_code": "yanhu-mz", "doc_id": "yunmin-2021-74",
        "clause_id": "3.1.1.1", "month": None,
    }
    from portal.reports.services import current_month

    values["month"] = current_month()
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
                continue
            args = {a: values.get(a) for a in rule.arguments}
            if any(v is None for v in args.values()):
                continue  # e.g. a regulation key or an evidence id: covered by their own tests
            urls.append(url_for(rule.endpoint, **args))
        doc = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id != "yunmin-2021-74"))
        if doc is not None:
            urls.append(url_for("policy.document", doc_id=doc.doc_id))
    for extra in ("/tasks/?unit=", "/supervision/", "/search/?q=移交", "/admin/audit/", "/tasks/?unit=city-mz"):
        urls.append(extra)
    return sorted(set(urls))


@pytest.mark.parametrize("role", list(ROLES))
def test_no_internal_ids_on_any_page(app, demo, role):
    user = make_user(f"scan-{role}", role, unit=ROLES[role])
    auth = AuthActions(app.test_client())
    assert auth.login(user.username).status_code == 302
    patterns = forbidden(app)
    leaks: list[str] = []
    checked = 0
    for url in get_urls(app, demo):
        response = auth.client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        checked += 1
        text = visible_text(response.get_data(as_text=True))
        for pattern in patterns:
            for m in pattern.finditer(text):
                around = text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
                leaks.append(f"{url}: {m.group(0)!r} in …{' '.join(around.split())}…")
    assert checked >= 8, checked
    assert not leaks, "\n".join(leaks)
