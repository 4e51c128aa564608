"""The plans list, a plan's page, archiving, and the APIs that list plans and filter duties by plan."""
from __future__ import annotations

import sqlalchemy as sa

from portal.core.plan import PLAN_NUMBER
from portal.extensions import db
from portal.models import AuditEntry, Duty, Plan
from portal.plans import publish
from tests.plans.helpers import form_posting_to, ready_plan, refused_message


def _seed():
    return db.session.scalar(sa.select(Plan).where(Plan.number == PLAN_NUMBER))


def test_the_list_shows_each_plan_with_its_number_state_and_counts(client, auth, plan):
    other = ready_plan()
    auth.as_role("leader")
    page = client.get("/plans").get_data(as_text=True)
    assert PLAN_NUMBER in page and "运城市困境儿童关爱保护工作要点" in page
    assert "已发布" in page and "草稿" in page
    assert "导入新方案" not in page and "归档</button>" not in page  # the leader reads, the office manages
    drafts_only = client.get("/plans?state=draft").get_data(as_text=True)
    assert f'data-plan="{other.id}"' in drafts_only and f'data-plan="{_seed().id}"' not in drafts_only
    assert client.get("/plans?state=nonsense").status_code == 200


def test_a_plan_s_page_lists_its_duties_and_links_its_text(client, auth, plan):
    auth.as_role("staff")
    one = _seed()
    page = client.get(f"/plans/{one.id}").get_data(as_text=True)
    duties = db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == one.id, ~Duty.archived))
    assert f"{duties} 项任务" in page and "/policy/yunmin-2021-74" in page
    assert "做好儿童移交工作" in page or "移交" in page
    assert client.get("/plans/999999").status_code == 404


def test_the_office_archives_a_plan_and_the_log_keeps_before_and_after(client, auth, plan):
    other = ready_plan()
    auth.as_role("admin")
    response = auth.post(f"/plans/{other.id}/archive", follow_redirects=True)
    assert "已归档" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, other.id).state == "archived"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "plan", AuditEntry.action == "archive")
                               ).one()
    assert entry.before == {"state": "draft"} and entry.actor_name == "admin"
    assert entry.after == {"state": "archived", "duties": 0, "instances": 0}
    # Refused (a second click): the page the button was on again (422), the reason on that plan's row
    # of the list (with its state filter kept), or beside the buttons on the plan's page.
    again = auth.post(f"/plans/{other.id}/archive", {"listed": "1", "state": "archived"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and refused_message(html) == "该方案已归档。"
    row = html.split(f'<tr data-plan="{other.id}">')[1].split("</tr>")[0]
    assert 'data-testid="form-refused">该方案已归档。' in row
    assert form_posting_to(html, f"/plans/{other.id}/restore").count('name="state" value="archived"') == 1
    on_page = auth.post(f"/plans/{other.id}/archive")
    assert on_page.status_code == 422 and 'data-testid="plan-title"' in on_page.get_data(as_text=True)
    assert refused_message(on_page.get_data(as_text=True)) == "该方案已归档。"


def test_api_plans_lists_id_title_number_state_and_counts(client, auth, plan):
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    auth.as_role("liaison")
    rows = {r["id"]: r for r in client.get("/api/plans").get_json()}
    one = _seed()
    assert rows[one.id]["number"] == PLAN_NUMBER and rows[one.id]["state"] == "published"
    assert rows[one.id]["duties"] > 50 and rows[one.id]["instances"] > rows[one.id]["duties"]
    assert rows[other.id] | {"url": ""} == rows[other.id] | {
        "title": "运城市困境儿童关爱保护工作要点", "number": "运民字〔2026〕9号", "state": "published", "duties": 2,
        "instances": 14, "closed": 0, "drafts": 0, "url": ""}


def test_api_duties_filters_by_plan(client, auth, plan):
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    auth.as_role("admin")
    everything = client.get("/api/duties").get_json()
    mine = client.get(f"/api/duties?plan={other.id}").get_json()
    assert len(mine) == 14 and {r["title"] for r in mine} == {"开展困境儿童摸底排查", "建立关爱服务台账"}
    assert {r["plan"] for r in mine} == {other.id}
    seed = client.get(f"/api/duties?plan={_seed().id}").get_json()
    assert len(seed) + len(mine) == len(everything)
    assert client.get("/api/duties?plan=abc").get_json() == everything  # a malformed id: no filter, no 500
