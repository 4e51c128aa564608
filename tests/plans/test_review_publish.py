"""Reviewing a drafted plan and publishing it: source sentences beside each duty, unknown names mapped
(and remembered), edits audited with before and after, coverage, publishing by stable key, and a next
version that updates and archives without losing an instance's history."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.duties import services as duty_services
from portal.extensions import db
from portal.models import AuditEntry, ChecklistItem, Duty, DutyInstance, Plan, PlanDraftDuty, UnitAlias
from portal.plans import drafts, publish
from portal.web.zhcontrols import DATE_HINT, date_problem
from tests.conftest import make_user
from tests.plans.helpers import form_posting_to, ready_plan, refused_message, sample_document, sample_drafts, unit_id


def _new_plan():
    return drafts.create_plan(sample_document(), sample_drafts(), actor=None)


def _draft(plan, clause):
    return next(d for d in plan.drafts if clause in d.clause_ids)


def _form(d, **changes):
    said, arranged = drafts.steps(d)
    data = {"title": d.title, "clauses": " ".join(d.clause_ids), "lead": [str(i) for i in d.lead_ids if i],
            "cooperating": [str(i) for i in d.cooperating_ids if i], "scope": d.scope,
            "deadline_text": d.deadline_text, "deadline": d.deadline.isoformat() if d.deadline else "",
            "checklist": "\n".join(said), "arranged": "\n".join(arranged), "arrangement": d.arrangement}
    data.update(changes)
    return data


def test_the_review_page_shows_each_duty_beside_its_source_and_flags_unknown_names(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    page = client.get(f"/plans/{p.id}/review").get_data(as_text=True)
    assert page.count('data-testid="draft"') == 2
    assert "开展困境儿童摸底排查，2026年6月底前完成。" in page  # the quote beside the duty
    assert "（市民政局牵头，市教育局配合）" in page and "牵头单位出自" in page
    assert "未对应的配合单位：市儿童之家" in page and 'data-testid="unknown-names"' in page
    assert 'data-testid="coverage-gaps"' in page  # 一、总体要求 has no duty yet


def test_mapping_a_name_fills_every_duty_and_is_remembered_as_an_alias(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    sfly = unit_id("inst-sfly")
    page = auth.post(f"/plans/{p.id}/names", {"name": "市儿童之家", "unit": str(sfly)}, follow_redirects=True)
    assert "已将「市儿童之家」对应为运城市社会福利院（1项任务）" in page.get_data(as_text=True)
    db.session.expire_all()
    assert _draft(p, "2.1").cooperating_ids[1] == sfly
    assert db.session.scalar(sa.select(UnitAlias.unit_id).where(UnitAlias.name == "市儿童之家")) == sfly
    # The drafter is told about it next time.
    assert any("市儿童之家" in u.aliases for u in drafts.unit_names() if u.id == sfly)
    # Refused: the review page again (422), the reason beside that name's form.
    bad = auth.post(f"/plans/{p.id}/names", {"name": "市儿童之家", "unit": "abc"})
    assert bad.status_code == 422 and refused_message(bad.get_data(as_text=True)) == "所选单位无效，请重新选择。"


def test_editing_a_draft_keeps_the_office_s_steps_apart_and_logs_before_and_after(client, auth, plan):
    p = _new_plan()
    d = _draft(p, "2.1")
    auth.as_role("admin")
    response = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(
        d, title="摸底排查困境儿童", arranged="每月报送排查进度", cooperating=[str(unit_id("city-ga"))],
        deadline="2026-06-30"), follow_redirects=True)
    assert "已保存「摸底排查困境儿童」" in response.get_data(as_text=True)
    db.session.expire_all()
    d = db.session.get(PlanDraftDuty, d.id)
    assert d.checklist == ["制定排查方案", "完成摸底排查", "安排：每月报送排查进度"]
    assert d.cooperating == ["运城市公安局"] and d.title == "摸底排查困境儿童"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "plan_draft")).one()
    assert entry.before["title"] == "开展困境儿童摸底排查" and entry.after["title"] == "摸底排查困境儿童"
    assert entry.before["cooperating"] == ["市教育局", "市儿童之家"]
    # Bad input: a message, nothing changed.
    for bad, message in (({"clauses": "9.9"}, "方案中没有条款 9.9"), ({"lead": []}, "请选择牵头单位"),
                         ({"deadline": "2026-13-01"}, date_problem("2026-13-01")),
                         ({"deadline": "6月底"}, DATE_HINT), ({"title": ""}, "请填写任务名称"),
                         ({"lead": ["999999"]}, "所选牵头单位无效")):
        page = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(d, **bad), follow_redirects=True).get_data(as_text=True)
        assert message in page, bad
    db.session.expire_all()
    assert db.session.get(PlanDraftDuty, d.id).title == "摸底排查困境儿童"
    # the date box is the shared Chinese control (no native date picker), showing the date in Chinese
    form = client.get(f"/plans/{p.id}/review?edit={d.id}").get_data(as_text=True).split('data-testid="draft-form"')[1]
    assert 'class="zh-date"' in form and 'value="2026年6月30日"' in form and 'type="date"' not in form


def test_adding_and_dropping_duties_and_the_coverage_check(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    auth.post(f"/plans/{p.id}/drafts/add")
    db.session.expire_all()
    assert len(p.drafts) == 3 and p.drafts[-1].title == "新增任务"
    auth.post(f"/plans/{p.id}/drafts/{p.drafts[-1].id}/drop")
    db.session.expire_all()
    assert len(p.drafts) == 2
    assert drafts.clauses_without_duty(p) == ["1"]
    page = auth.post(f"/plans/{p.id}/no-duty", {"clause": "1", "reason": "总体要求"}, follow_redirects=True)
    assert 'data-testid="coverage-ok"' in page.get_data(as_text=True)
    refused = auth.post(f"/plans/{p.id}/no-duty", {"clause": "7.7", "reason": "x"})  # no such form: on top
    assert refused.status_code == 422 and refused_message(refused.get_data(as_text=True)) == "方案中没有这一条款。"
    auth.post(f"/plans/{p.id}/drafts/{_draft(p, '2.2').id}/drop")
    db.session.expire_all()
    assert drafts.clauses_without_duty(p) == ["2", "2.2"]  # the heading above an uncovered clause too


def test_publish_is_refused_until_names_are_mapped_and_warns_of_uncovered_clauses(client, auth, plan):
    p = _new_plan()
    auth.as_role("admin")
    refused = auth.post(f"/plans/{p.id}/publish")
    assert refused.status_code == 422  # the review page again, the reason beside the 发布 button
    form = form_posting_to(refused.get_data(as_text=True), f"/plans/{p.id}/publish")
    assert 'data-testid="form-refused"' in form and "尚有单位名称未对应到单位：市儿童之家" in form
    db.session.expire_all()
    assert db.session.get(Plan, p.id).state == "draft"
    assert db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == p.id)) == 0
    auth.post(f"/plans/{p.id}/names", {"name": "市儿童之家", "unit": str(unit_id("inst-sfly"))})
    page = auth.post(f"/plans/{p.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "第1版任务分工" in page and "尚有1条条款既无任务也未说明理由" in page
    assert 'data-testid="plan-gaps"' in page  # the plan's page keeps showing it


def test_publishing_creates_duties_and_instances_for_the_county_scope(client, auth, plan):
    p = ready_plan()
    auth.as_role("admin")
    page = auth.post(f"/plans/{p.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "已发布「运城市困境儿童关爱保护工作要点」第1版任务分工" in page
    db.session.expire_all()
    p = db.session.get(Plan, p.id)
    assert (p.state, p.version, p.drafting, p.drafts) == ("published", 1, False, [])
    instances = db.session.scalars(sa.select(DutyInstance).join(Duty).where(Duty.plan_id == p.id)).all()
    city = [i for i in instances if i.county == ""]
    assert len(city) == 1 and city[0].unit.code == "city-mz" and city[0].deadline == date(2026, 6, 30)
    assert sorted(c.unit.code for c in city[0].cooperators) == ["city-jy", "inst-sfly"]
    counties = sorted(i.unit.code for i in instances if i.county)
    assert len(counties) == 13 and "yanhu-mz" in counties and all(c.endswith("-mz") for c in counties)
    assert city[0].duty.note == "开展困境儿童摸底排查，2026年6月底前完成。"
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_name == "admin")))
    assert {"publish", "create"} <= actions


def test_a_next_version_updates_by_key_archives_what_was_dropped_and_keeps_history(client, auth, plan):
    p = ready_plan()
    assert publish.publish(p, actor=None) == []
    liaison = make_user("yh-liaison", "liaison", unit="yanhu-mz")
    inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key.like(f"p{p.id}-%@yanhu-mz")))
    item = inst.active_items[0]
    duty_services.set_item(liaison, inst, item.id, True)
    duty_services.add_note(liaison, inst, "已建立台账初稿。")
    db.session.commit()
    auth.as_role("admin")
    auth.post(f"/plans/{p.id}/revise")
    db.session.expire_all()
    p = db.session.get(Plan, p.id)
    assert p.drafting and [d.key for d in p.drafts] == [f"p{p.id}-1", f"p{p.id}-2"]
    county = _draft(p, "2.2")
    assert county.scope == "per-county" and county.checklist == ["建立台账"]
    auth.post(f"/plans/{p.id}/drafts/{county.id}", _form(county, title="建立并更新关爱服务台账",
                                                          arranged="每季度更新一次"))
    auth.post(f"/plans/{p.id}/drafts/{_draft(p, '2.1').id}/drop")
    auth.post(f"/plans/{p.id}/no-duty", {"clause": "2.1", "reason": "已并入年度考核"})
    page = auth.post(f"/plans/{p.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "第2版任务分工" in page
    db.session.expire_all()
    kept = db.session.get(DutyInstance, inst.id)
    assert kept.duty.title == "建立并更新关爱服务台账" and not kept.archived
    assert [n.body for n in kept.notes] == ["已建立台账初稿。"]
    ticks = {i.title: (i.done, i.arranged) for i in kept.active_items}
    assert ticks == {"建立台账": (True, False), "每季度更新一次": (False, True)}
    dropped = db.session.scalar(sa.select(Duty).where(Duty.key == f"p{p.id}-1"))
    assert dropped.archived and all(i.archived for i in dropped.instances)
    assert db.session.scalar(sa.select(sa.func.count(ChecklistItem.id)).where(ChecklistItem.instance_id == inst.id)) == 2
    update = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "duty", AuditEntry.action == "update",
                                                           AuditEntry.object_id == f"p{p.id}-2")).one()
    assert update.before["title"] == "建立关爱服务台账" and update.after["title"] == "建立并更新关爱服务台账"
    # 74号 is untouched by another plan's versions.
    assert db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.archived, Duty.plan_id != p.id)) == 0


def test_plan_one_is_revised_in_its_seed_file_not_in_the_portal(client, auth, plan):
    from portal.duties.sync import seed_plan

    one = seed_plan()
    auth.as_role("admin")
    assert "修订任务分工" not in client.get(f"/plans/{one.id}").get_data(as_text=True)
    refused = auth.post(f"/plans/{one.id}/revise")  # the plan's page again, the reason beside its buttons
    assert refused.status_code == 422
    assert refused_message(refused.get_data(as_text=True)) == "本方案的任务分工由随门户发布的任务分工表维护，不在此修订。"
    db.session.expire_all()
    assert not db.session.get(Plan, one.id).drafting


def test_a_revision_keeps_what_the_review_does_not_edit(app, plan):
    p = ready_plan()
    assert publish.publish(p, actor=None) == []
    duty = db.session.scalar(sa.select(Duty).where(Duty.key == f"p{p.id}-2"))
    duty.theme, duty.indicators = "关爱服务", [["建立台账数", "个"]]
    duty.deadline_kind, duty.period = "periodic", "quarterly"
    db.session.commit()
    assert publish.open_next_version(p, actor=None) is None
    assert publish.publish(p, actor=None) == []
    db.session.expire_all()
    duty = db.session.scalar(sa.select(Duty).where(Duty.key == f"p{p.id}-2"))
    assert (duty.theme, duty.indicators, duty.deadline_kind, duty.period) == (
        "关爱服务", [["建立台账数", "个"]], "periodic", "quarterly")


def test_two_reviewers_editing_one_duty_lose_nothing(client, auth, plan):
    p = _new_plan()
    d = _draft(p, "2.1")
    opened = d.version
    auth.as_role("admin")
    first = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(d, title="甲改的名称", version=str(opened)))
    assert first.status_code == 302
    second = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(d, title="乙改的名称", version=str(opened)))
    page = second.get_data(as_text=True)
    assert second.status_code == 422 and "已被他人修改（现为「甲改的名称」）" in page
    assert 'value="乙改的名称"' in page  # what the second reviewer typed is still in the form
    db.session.expire_all()
    assert db.session.get(PlanDraftDuty, d.id).title == "甲改的名称"
    current = db.session.get(PlanDraftDuty, d.id).version
    assert f'name="version" type="hidden" value="{current}"' in page or f'value="{current}"' in page
    again = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(d, title="乙改的名称", version=str(current)))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanDraftDuty, d.id).title == "乙改的名称"


def test_a_refused_edit_keeps_what_was_typed(client, auth, plan):
    p = _new_plan()
    d = _draft(p, "2.1")
    auth.as_role("admin")
    response = auth.post(f"/plans/{p.id}/drafts/{d.id}", _form(d, title="新名称", clauses="9.9", arranged="每周调度"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "未保存：方案中没有条款 9.9" in page
    assert 'value="新名称"' in page and "每周调度" in page


def test_the_office_creates_a_unit_the_register_lacks_and_the_units_sync_keeps_it(app, client, auth, plan):
    from pathlib import Path

    from portal.models import Unit
    from portal.units.services import sync_units

    p = _new_plan()
    auth.as_role("admin")
    page = auth.post(f"/plans/{p.id}/names/new-unit", {"name": "市儿童之家", "level": "机构", "parent": ""},
                     follow_redirects=True).get_data(as_text=True)
    assert "已新建单位「市儿童之家」" in page and 'data-testid="names-ok"' in page
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "市儿童之家"))
    assert unit.created_in_portal and unit.active and unit.level == "机构"
    db.session.expire_all()
    assert _draft(p, "2.1").cooperating_ids[1] == unit.id
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "unit",
                                                         AuditEntry.object_label == "市儿童之家")).actor_name == "admin"
    assert sync_units(Path(app.config["CONTENT_DIR"])).ok
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).active  # units.csv does not list it, and the sync leaves it be
    refused = auth.post(f"/plans/{p.id}/names/new-unit", {"name": "不在草稿里", "level": "机构"})
    assert refused.status_code == 422  # no such name's form on the page: the reason on top
    assert refused_message(refused.get_data(as_text=True)) == "草稿中没有未对应的名称「不在草稿里」。"


def test_a_second_publish_of_the_same_draft_is_refused_not_a_crash(app, plan):
    """Two people press 发布 on one draft: the one who read the plan before the other's publish is told."""
    from portal.plans.services import CHANGED

    p = ready_plan()
    plan_id = p.id
    # Another session publishes first (the plan's version moves on under this one).
    db.session.execute(sa.update(Plan).where(Plan.id == plan_id).values(lock_version=Plan.lock_version + 1)
                       .execution_options(synchronize_session=False))
    assert publish.publish(p, actor=None) == [CHANGED]
    db.session.expire_all()
    assert db.session.get(Plan, plan_id).state == "draft"
    assert db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == plan_id)) == 0


@pytest.mark.parametrize(("words", "period", "shown"), [("每年", "yearly", "定期（每年）"),
                                                      ("每半年", "halfyearly", "定期（每半年）")])
def test_a_dateless_time_naming_a_period_publishes_a_periodic_duty(app, plan, words, period, shown):
    # 「每年选拔资助…」 drafts as 「每年」 without a date (portal.plan_text.deadlines): published it is 定期（每年）;
    # 「每半年通报一次」 is 定期（每半年）, its periods 上半年 and 下半年 (not 长期)
    from portal.duties.division import draft_division_rows

    drafted = sample_drafts()
    drafted[0].deadline_text, drafted[0].deadline = words, None
    p = drafts.create_plan(sample_document(), drafted, actor=None)
    drafts.map_name(p, "市儿童之家", unit_id("inst-sfly"), actor=None)
    drafts.set_no_duty(p, "1", "总体要求，由各项任务承接。", actor=None)
    assert [row[4] for row in draft_division_rows(p.drafts)] == [shown, "2026年12月31日"]
    assert publish.publish(p, actor=None) == []
    db.session.expire_all()
    duty = db.session.scalar(sa.select(Duty).where(Duty.key == f"p{p.id}-1"))
    assert (duty.deadline_kind, duty.period, duty.deadline_text) == ("periodic", period, words)
    other = db.session.scalar(sa.select(Duty).where(Duty.key == f"p{p.id}-2"))
    assert (other.deadline_kind, other.period or "") == ("date", "")
