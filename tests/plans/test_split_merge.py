"""The review page draws each drafted duty as it reads and one duty's form at a time (htmx swaps the card
in place); a drafted duty splits in two with its checklist divided, and two merge into one — each audited."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry, Plan, PlanDraftDuty
from portal.plans import drafts, publish
from tests.plans.helpers import sample_document, sample_drafts
from tests.plans.test_review_publish import _draft, _form

HX = {"HX-Request": "true"}


def _new_plan():
    return drafts.create_plan(sample_document(), sample_drafts(), actor=None)


def _titles(plan_id: int) -> list[str]:
    db.session.expire_all()
    return [d.title for d in db.session.get(Plan, plan_id).drafts]


def test_the_review_page_draws_one_form_at_a_time(client, auth, plan):
    p = _new_plan()
    first = _draft(p, "2.1")
    auth.as_role("admin")
    page = client.get(f"/plans/{p.id}/review").get_data(as_text=True)
    assert page.count('data-testid="draft"') == 2 and 'data-testid="draft-form"' not in page
    assert "第1项 开展困境儿童摸底排查" in page and "制定排查方案" in page
    one = client.get(f"/plans/{p.id}/review?edit={first.id}").get_data(as_text=True)
    assert one.count('data-testid="draft-form"') == 1
    # htmx: the card alone, as a form or as it reads; without htmx the page with that form open
    card = client.get(f"/plans/{p.id}/drafts/{first.id}/card?edit=1", headers=HX).get_data(as_text=True)
    assert "<html" not in card and card.count('data-testid="draft-form"') == 1
    assert 'data-testid="draft-form"' not in client.get(f"/plans/{p.id}/drafts/{first.id}/card",
                                                         headers=HX).get_data(as_text=True)
    plain = client.get(f"/plans/{p.id}/drafts/{first.id}/card?edit=1")
    assert plain.status_code == 302 and f"edit={first.id}" in plain.headers["Location"]


def test_an_htmx_save_returns_the_card_and_a_refusal_keeps_what_was_typed(client, auth, plan):
    p = _new_plan()
    first = _draft(p, "2.1")
    auth.as_role("admin")
    saved = auth.post(f"/plans/{p.id}/drafts/{first.id}", _form(first, title="摸底排查困境儿童", version=str(first.version)),
                      headers=HX).get_data(as_text=True)
    assert "已保存「摸底排查困境儿童」" in saved and 'data-testid="draft-form"' not in saved and "<html" not in saved
    refused = auth.post(f"/plans/{p.id}/drafts/{first.id}", _form(first, title="新名称", clauses="9.9"),
                        headers=HX).get_data(as_text=True)
    assert "未保存：方案中没有条款 9.9。" in refused and 'value="新名称"' in refused


def test_a_drafted_duty_splits_in_two_with_its_checklist_divided(client, auth, plan):
    p = _new_plan()
    first = _draft(p, "2.1")
    auth.as_role("admin")
    page = auth.post(f"/plans/{p.id}/drafts/{first.id}/split",
                     {"title": "完成摸底排查", "moved": "1", "version": str(first.version)},
                     follow_redirects=True).get_data(as_text=True)
    assert "已将「开展困境儿童摸底排查」拆分为两项，新任务「完成摸底排查」在其后。" in page
    assert _titles(p.id) == ["开展困境儿童摸底排查", "完成摸底排查", "建立关爱服务台账"]
    kept, new = db.session.get(Plan, p.id).drafts[:2]
    assert kept.checklist == ["制定排查方案"] and new.checklist == ["完成摸底排查"]
    assert new.clause_ids == ["2.1"] and new.lead_ids == kept.lead_ids and new.quote == kept.quote
    assert new.deadline == kept.deadline and new.key != kept.key
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "split_draft")).one()
    assert entry.before == {"checklist": ["制定排查方案", "完成摸底排查"]}
    assert entry.after["new_checklist"] == ["完成摸底排查"]
    # every step moved is refused (that is an edit of the duty); so is a step no longer there
    kept = db.session.get(PlanDraftDuty, kept.id)
    response = auth.post(f"/plans/{p.id}/drafts/{kept.id}/split", {"title": "拆出的一项", "moved": "0"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 422  # beside the split form, opened, what was typed kept
    split_form = refused[refused.index(f'action="/plans/{p.id}/drafts/{kept.id}/split"'):]
    split_form = split_form[:split_form.index("</form>")]
    assert "请至少在原任务中保留一个工作步骤" in split_form and 'value="拆出的一项"' in split_form
    assert 'value="0" checked' in split_form and '<p class="flash' not in refused
    refused = auth.post(f"/plans/{p.id}/drafts/{kept.id}/split", {"title": "x", "moved": "7"},
                        follow_redirects=True).get_data(as_text=True)
    assert "所选工作步骤已不在这项任务中" in refused
    assert "请填写拆出的新任务名称。" in auth.post(f"/plans/{p.id}/drafts/{kept.id}/split", {"title": ""},
                                               follow_redirects=True).get_data(as_text=True)
    assert len(_titles(p.id)) == 3


def test_two_drafted_duties_merge_into_one(client, auth, plan):
    p = _new_plan()
    first, second = _draft(p, "2.1"), _draft(p, "2.2")
    auth.as_role("admin")
    page = auth.post(f"/plans/{p.id}/drafts/{first.id}/merge", {"other": "2", "version": str(first.version)},
                     follow_redirects=True).get_data(as_text=True)
    assert "已将第2项「建立关爱服务台账」并入「开展困境儿童摸底排查」。" in page
    assert _titles(p.id) == ["开展困境儿童摸底排查"]
    merged = db.session.get(Plan, p.id).drafts[0]
    assert merged.clause_ids == ["2.1", "2.2"]
    assert merged.checklist == ["制定排查方案", "完成摸底排查", "建立台账"]
    assert len(merged.lead) == len(merged.lead_ids) == 2 and "民政部门" in merged.lead
    assert len(merged.cooperating) == len(merged.cooperating_ids)
    assert "各县（市、区）建立关爱服务台账" in merged.quote and "开展困境儿童摸底排查" in merged.quote
    assert merged.deadline.isoformat() == "2026-06-30" and merged.deadline_text == "2026年6月底前"
    assert db.session.get(PlanDraftDuty, second.id) is None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "merge_draft")).one()
    assert entry.after["merged"] == "建立关爱服务台账" and entry.before["clauses"] == ["2.1"]
    gone = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "delete",
                                                          AuditEntry.object_id == second.key)).one()
    assert gone.after == {"merged_into": "开展困境儿童摸底排查"}
    for bad, message in (({"other": "1"}, "请选择另一项任务合并。"), ({"other": "5"}, "没有第5项任务（共 1 项）。"),
                         ({"other": "x"}, "请填写要合并进来的任务序号")):
        assert message in auth.post(f"/plans/{p.id}/drafts/{first.id}/merge", bad,
                                    follow_redirects=True).get_data(as_text=True)


def test_with_htmx_a_split_or_merge_returns_the_list_renumbered_with_the_message_on_its_duty(client, auth, plan):
    p = _new_plan()
    first = _draft(p, "2.1")
    auth.as_role("admin")
    split = auth.post(f"/plans/{p.id}/drafts/{first.id}/split",
                      {"title": "完成摸底排查", "moved": "1", "version": str(first.version)}, headers=HX)
    html = split.get_data(as_text=True)
    assert split.status_code == 200 and "<html" not in html and 'id="drafts"' in html
    assert "起草的任务（3 项）" in html and "第2项 完成摸底排查" in html and "第3项 建立关爱服务台账" in html
    new = db.session.get(Plan, p.id).drafts[1]
    card = html.split(f'id="draft-{new.id}"', 1)[1].split('data-testid="draft-source"', 1)[0]
    assert "新任务「完成摸底排查」在其后" in card and 'data-testid="draft-reshaped"' in card
    # refused: the list unchanged, the reason on the duty, still answered (htmx swaps only a 2xx)
    refused = auth.post(f"/plans/{p.id}/drafts/{first.id}/merge", {"other": "9"}, headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "起草的任务（3 项）" in html
    card = html.split(f'id="draft-{first.id}"', 1)[1].split('data-testid="draft-source"', 1)[0]
    assert 'data-testid="form-refused"' in card and "没有第9项任务（共 3 项）。" in card
    merged = auth.post(f"/plans/{p.id}/drafts/{first.id}/merge",
                       {"other": "2", "version": str(db.session.get(PlanDraftDuty, first.id).version)},
                       headers=HX).get_data(as_text=True)
    assert "起草的任务（2 项）" in merged and "第2项 建立关爱服务台账" in merged
    assert "已将第2项「完成摸底排查」并入「开展困境儿童摸底排查」。" in merged
    assert _titles(p.id) == ["开展困境儿童摸底排查", "建立关爱服务台账"]
    # the forms post without htmx too (the fallback): a plain action beside the htmx one
    page = client.get(f"/plans/{p.id}/review").get_data(as_text=True)
    assert f'action="/plans/{p.id}/drafts/{first.id}/split"' in page and 'hx-target="#drafts"' in page


def test_a_split_duty_publishes_as_two(app, plan):
    from portal.plans import reshape
    from tests.plans.helpers import ready_plan

    p = ready_plan()
    first = _draft(p, "2.1")
    reshape.split_draft(p, first, "完成摸底排查", [1], actor=None)
    assert publish.publish(p, None) == []
    from portal.models import Duty

    titles = set(db.session.scalars(sa.select(Duty.title).where(Duty.plan_id == p.id)))
    assert {"开展困境儿童摸底排查", "完成摸底排查", "建立关爱服务台账"} == titles
