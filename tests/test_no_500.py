"""Bad form and query input never produces a 500: every route, nasty values, as an admin with a
valid CSRF token (so the request reaches the view) and as a liaison."""
from __future__ import annotations

import pytest
from flask import url_for

from portal.core.time import today
from tests.conftest import AuthActions, instance_by_key, make_user

NASTY = [
    {},
    {"version": "-1", "done": "2", "action": "explode", "decision": "maybe"},
    {"version": "9" * 30, "proposed": "2022-02-30", "month": "0000-00", "page": "-5"},
    {"body": "x" * 60000, "reason": "😀" * 500, "comment": "\u202e\u200b"},
    {"username": "'; DROP TABLE user_account; --", "display_name": "<script>alert(1)</script>",
     "roles": ["admin", "wizard"], "unit": "../../etc", "password": "short", "new_password": ""},
    {"progress": "=cmd|' /C calc'!A0", "problems": "\r\n" * 100, "next_steps": "\t", "submit": "1"},
    {"q": "AND OR NOT * ? ~ ^ body:x \"unbalanced", "active": "yes", "version": "abc"},
    {"name": "移交儿童人数", "value": "9" * 40, "start": "2022-02-30", "end": "-1", "county": "火星", "level": "省级",
     "u": "../../x", "a": "9.9.9", "expand": "county:<b>", "kind": "\x7f", "plan": "火星"},
    # the library's filters and 收藏 (portal.policy.library_filter, portal.policy.favourites)
    {"level": "宪法", "issuer": "火星政府", "place": "moon", "issued_from": "2022-02-30", "issued_to": "9999",
     "effective_from": "1800-01-01", "effective_to": "二〇二二年", "folder": "-1", "doc": "../x", "clause": "a9999",
     "action": "explode", "name": " " * 50},
]
# Numbers no column holds (SQLite: beyond 2**63; PostgreSQL int4: beyond 2**31 - 1) and digits int()
# refuses ("²"), in every field and query argument that carries an id, a page, a version or a figure.
NUMERIC = ("township", "target", "page", "limit", "version", "value", "number", "selected", "all", "done", "module",
           "object_id", "unit_id", "account", "instance", "training", "remind_days", "folder", "other", "moved", "plan")
NASTY += [{name: big for name in NUMERIC} for big in ("9" * 25, str(2**63), str(2**31), "²")]


def _drafted_plan():
    """A plan with an open draft (its review, edit, map-name and publish routes), made once per test."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Plan
    from portal.plans import drafts
    from tests.plans.helpers import sample_document, sample_drafts

    found = db.session.scalar(sa.select(Plan).where(Plan.title == sample_document().title))
    return found or drafts.create_plan(sample_document(), sample_drafts(), actor=None)


def sample_url(app, rule):
    inst = instance_by_key("transfer-children@yanhu-mz")
    drafted = _drafted_plan()
    values = {"user_id": 1, "code": "yanhu-mz", "filename": "css/portal.css", "doc_id": "yunmin-2021-74",
              "clause_id": "3.2.8", "key": "jiating-jiyang-guanli-banfa", "instance_id": inst.id,
              "item_id": inst.active_items[0].id, "evidence_id": 1, "extension_id": 1, "fmt": "csv",
              "unit_code": "yanhu-mz", "month": "2026-11", "kind": "close", "edition": "2020-10-17",
              "batch": "0123456789abcdef", "county_code": "yanhu", "file_format": "xlsx",
              # training: unknown ids answer 404, which is what this test wants to see (never a 500)
              "trainee_id": 1, "completion_id": 1, "assignment_id": 1, "session_id": 1, "rule_id": 1, "area_id": 1,
              "certificate_id": 1, "token": "2026-000001-ABCDEF", "photo_id": 1, "course_id": 1,
              "job_id": 1, "urge_id": 1, "notice_id": 1, "message_id": 1, "delivery_id": 1, "import_id": 1, "matter_id": 1,
              "folder_id": 1, "favourite_id": 1,
              "plan_id": drafted.id, "draft_id": drafted.drafts[0].id if drafted.drafts else 1}
    with app.test_request_context():
        return url_for(rule.endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


@pytest.mark.parametrize("role, unit", [("admin", "city-mz"), ("liaison", "yanhu-mz")])
def test_no_route_answers_500_to_bad_input(app, plan, role, unit):
    make_user(f"fz-{role}", role, unit=unit)
    auth = AuthActions(app.test_client())
    assert auth.login(f"fz-{role}").status_code == 302
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        url = sample_url(app, rule)
        for payload in NASTY:
            if "POST" in rule.methods:
                response = auth.post(url, payload)
            else:
                response = auth.client.get(url, query_string={k: v for k, v in payload.items() if isinstance(v, str)})
            if response.status_code >= 500:
                failures.append(f"{rule.endpoint} {list(payload)[:3]} -> {response.status_code}")
            response.close()
    assert not failures, "\n".join(failures)


HUGE = ["9" * 25, str(2**63), str(2**31), "²"]


@pytest.mark.parametrize("big", HUGE)
def test_huge_numbers_are_refused_with_a_message_on_every_endpoint_that_took_them(app, plan, big):
    """The five endpoints that sent such numbers to the database (a 500 on SQLite or PostgreSQL)."""
    from datetime import timedelta

    from tests.training.helpers import ROWS, db_area, import_rows, sync_modules

    sync_modules()
    import_rows(*ROWS)
    make_user("fz-trainer", "trainer")
    auth = AuthActions(app.test_client())
    assert auth.login("fz-trainer").status_code == 302
    soon = (today() + timedelta(days=9)).isoformat()
    for url in ("/training/roster", "/training/reports/matrix"):
        response = auth.client.get(url, query_string={"county": "yanhu", "township": big})
        assert response.status_code == 400 and "编号或数字无效" in response.get_data(as_text=True), url
    response = auth.post("/training/assign", {"module": "xinxi-modi-paicha", "role": "", "county": "yanhu",
                                              "township": big, "due": soon})
    assert response.status_code == 422 and "所选乡镇（街道）无效" in response.get_data(as_text=True)
    response = auth.post("/training/sessions", {"module": "xinxi-modi-paicha", "county": "yanhu", "township": big,
                                                "held_on": soon, "place": "会议室", "trainer_name": "王老师"})
    assert response.status_code == 422 and "所选乡镇（街道）无效" in response.get_data(as_text=True)
    area = db_area("北城街道")
    response = auth.post(f"/training/areas/{area.id}/merge", {"target": big})  # beside the merge form
    assert response.status_code == 422 and "所选并入无效" in response.get_data(as_text=True)
