"""Issue 23: a refused form of a plan's review page (a name's mapping, a new unit, a clause's reason,
发布, 新增 / 删除) and of a plan's own buttons (归档, 恢复, 修订) is the page drawn again at 422, its reason
beside that form and what was typed kept: never a flash after a redirect."""
from __future__ import annotations

from portal.extensions import db
from portal.models import Plan
from portal.plans import drafts, publish
from tests.plans.helpers import form_posting_to, ready_plan, refused_message, sample_document, sample_drafts


def _new_plan():
    return drafts.create_plan(sample_document(), sample_drafts(), actor=None)


def test_a_new_unit_refused_keeps_its_level_beside_that_name(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    refused = auth.post(f"/plans/{p.id}/names/new-unit", {"name": "市儿童之家", "level": "市级", "parent": "999999"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and refused_message(html) == "所选上级单位无效，请重新选择。"
    form = form_posting_to(html, f"/plans/{p.id}/names/new-unit", 'value="市儿童之家"')
    assert 'data-testid="form-refused"' in form and '<option value="市级" selected>' in form
    # the name's other form (对应) is drawn as usual
    assert 'data-testid="form-refused"' not in form_posting_to(html, f"/plans/{p.id}/names")
    assert drafts.unknown_names(p) == ["市儿童之家"]


def test_a_clause_s_reason_refused_is_kept_beside_that_clause(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    reason = "总体要求不单列任务" * 300  # beyond the 2,000 characters a reason may have
    refused = auth.post(f"/plans/{p.id}/no-duty", {"clause": "1", "reason": reason})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    form = form_posting_to(html, f"/plans/{p.id}/no-duty", 'name="clause" value="1"')
    assert 'data-testid="form-refused"' in form and "理由" in refused_message(html)
    assert f'value="{reason}"' in form and "autofocus" in form
    db.session.expire_all()
    assert not db.session.get(Plan, p.id).no_duty


def test_publish_with_several_problems_lists_them_beside_the_button(client, auth, plan):
    p = _new_plan()
    for d in p.drafts:
        d.lead_ids, d.lead = [], []
    db.session.commit()
    auth.as_role("admin")
    refused = auth.post(f"/plans/{p.id}/publish")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and refused_message(html) == "未发布：有 3 处问题，请先处理。"
    form = form_posting_to(html, f"/plans/{p.id}/publish")
    assert 'data-testid="publish-problems"' in form and "尚有单位名称未对应到单位：市儿童之家" in form
    assert "没有牵头单位" in form
    assert db.session.get(Plan, p.id).state == "draft"


def test_adding_to_a_plan_without_a_draft_and_the_plan_s_buttons_are_refused_on_their_page(client, auth, plan):
    done = ready_plan()
    assert publish.publish(done, actor=None) == []
    auth.as_role("admin")
    added = auth.post(f"/plans/{done.id}/drafts/add")  # no draft any more: no such form, the reason on top
    assert added.status_code == 422 and refused_message(added.get_data(as_text=True)) == "该方案没有待发布的草稿。"
    restored = auth.post(f"/plans/{done.id}/restore")
    html = restored.get_data(as_text=True)
    assert restored.status_code == 422 and refused_message(html) == "该方案未归档，无需恢复。"
    assert 'data-testid="plan-title"' in html
    assert html.index('data-testid="form-refused"') < html.index("修订任务分工")  # beside the plan's buttons
