"""The 考核 ranking, the trend charts and the 督办 lists count every plan or the one chosen (`?plan=`, read by
portal.web.query_args.plan_arg): one plan shows only its duties and figures, every plan sums them."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.board import assessment, services, snapshots
from portal.core import duty_rules
from portal.core.time import local_today
from portal.extensions import db
from portal.models import DutyInstance, DutyNote, Plan
from portal.plans import publish
from portal.supervision.services import add_urge, pending_count, urges
from tests.conftest import instance_by_key, signed_in
from tests.plans.helpers import ready_plan, unit_id

OTHER_DUTY = "建立关爱服务台账"  # the other plan's per-county duty: 盐湖区民政局 leads it
SEED_DUTY = "做好儿童移交工作"


def _published() -> Plan:
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    return other


def _yanhu_instance(plan_id: int) -> DutyInstance:
    return db.session.scalar(sa.select(DutyInstance).where(DutyInstance.duty.has(plan_id=plan_id),
                                                           DutyInstance.unit_id == unit_id("yanhu-mz")))


def _ranked_units(page: str) -> set[str]:
    table = page.split('data-testid="ranking"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'<tr data-unit="([^"]+)"', table))


def test_the_ranking_scores_one_plan_s_duties_and_returns_or_every_plan_s(app, plan):
    other = _published()
    seed = instance_by_key("transfer-children@yanhu-mz")
    mine = _yanhu_instance(other.id)
    for kind in (duty_rules.NOTE_REQUEST_CLOSE, duty_rules.NOTE_RETURNED):
        db.session.add(DutyNote(instance_id=mine.id, kind=kind, body="样例"))
    db.session.add(DutyNote(instance_id=seed.id, kind=duty_rules.NOTE_REQUEST_CLOSE, body="样例"))
    mine.deadline = seed.deadline = local_today() - timedelta(days=3)  # both dated and overdue
    db.session.commit()
    on, due = local_today(), current_app.config["REPORT_DUE_DAY"]
    yanhu = unit_id("yanhu-mz")

    def facts(plan_id: int):
        rows = services.load_rows(on, plan_id)
        ranked = assessment.ranking(rows, on, due, plan_id)
        return {r.name: r.facts for r in ranked}["盐湖区民政局"], {r.name for r in ranked}

    (one, one_units), (seed_only, _), (every, every_units) = facts(other.id), facts(seed.duty.plan_id), facts(0)
    assert (one.close_requests, one.returns, one.overdue) == (1, 1, 1)
    assert seed_only.close_requests == 1 and seed_only.returns == 0
    assert every.close_requests == one.close_requests + seed_only.close_requests == 2
    assert every.overdue == one.overdue + seed_only.overdue and every.dated == one.dated + seed_only.dated
    assert assessment.stored_facts(on, due, other.id).asked[yanhu] == 1
    assert one_units < every_units and "万荣县财政局" in every_units - one_units

    leader = signed_in(app, "rank-leader", "leader")
    page = leader.client.get(f"/board/assessment?plan={other.id}").get_data(as_text=True)
    assert f'<option value="{other.id}" selected>' in page and "只计所选方案的任务" in page
    assert _ranked_units(page) == one_units
    assert _ranked_units(leader.client.get("/board/assessment").get_data(as_text=True)) == every_units
    bad = leader.client.get("/board/assessment?plan=abc").get_data(as_text=True)
    assert "方案“abc”不在可选范围内，已忽略。" in bad and _ranked_units(bad) == every_units
    board = leader.client.get(f"/board?plan={other.id}").get_data(as_text=True)
    assert _ranked_units(board) == one_units  # the board's own ranking follows its plan chooser


def test_trend_charts_draw_one_plan_s_duties_or_every_plan_s(app, plan):
    other = _published()
    mine = _yanhu_instance(other.id)
    mine.state = duty_rules.CLOSED
    db.session.commit()
    today = local_today()
    snapshots.take(today)
    yanhu = unit_id("yanhu-mz")
    (one,), (every,) = snapshots.trend([yanhu], [today], other.id), snapshots.trend([yanhu], [today])
    (seed,) = snapshots.trend([yanhu], [today], instance_by_key("transfer-children@yanhu-mz").duty.plan_id)
    assert one.total == 1 and one.closed == 1
    assert every.total == one.total + seed.total and every.closed == one.closed + seed.closed

    def closed_share(html: str) -> str:
        trend = html.split('data-testid="trend"', 1)[1].split("</section>", 1)[0]
        return re.search(r"已销号占比（最近 (\d+)%）", trend).group(1)

    leader = signed_in(app, "trend-leader", "leader")
    unit_page = leader.client.get(f"/units/yanhu-mz?plan={other.id}").get_data(as_text=True)
    assert 'data-testid="plan-chooser"' in unit_page and f'<option value="{other.id}" selected>' in unit_page
    assert closed_share(unit_page) == "100"  # its one duty of the other plan, closed
    assert closed_share(leader.client.get("/units/yanhu-mz").get_data(as_text=True)) == str(round(100 / every.total))
    county = leader.client.get(f"/board/counties/yanhu?plan={other.id}").get_data(as_text=True)
    assert closed_share(county) == "100"
    assert closed_share(leader.client.get("/board/counties/yanhu").get_data(as_text=True)) != "100"


def test_the_duban_lists_show_one_plan_s_signoffs_and_urges_or_every_plan_s(app, plan):
    other = _published()
    seed, mine = instance_by_key("transfer-children@yanhu-mz"), _yanhu_instance(other.id)
    for inst, subject in ((seed, "催办：移交儿童"), (mine, "催办：关爱台账")):
        add_urge(level="urge", topic="duty", unit_id=inst.unit_id, instance_id=inst.id, subject=subject, body="请办理")
    add_urge(level="urge", topic="unit", unit_id=seed.unit_id, subject="催办：本单位任务台账", body="请办理")
    db.session.commit()
    seed_plan = seed.duty.plan_id
    assert pending_count(plan_id=0) == pending_count(plan_id=other.id) + pending_count(plan_id=seed_plan) + 1
    assert [u.subject for u, _ in urges(plan_id=other.id)] == ["催办：关爱台账"]

    office = signed_in(app, "duban-office", "admin")
    one = office.client.get(f"/duban/?plan={other.id}").get_data(as_text=True)
    assert f'<option value="{other.id}" selected>' in one
    assert OTHER_DUTY in one and SEED_DUTY not in one
    assert "催办：关爱台账" in one and "催办：移交儿童" not in one and "催办：本单位任务台账" not in one
    total = int(re.search(r"未签收（(\d+)）", one).group(1))
    assert total == pending_count(plan_id=other.id)
    every = office.client.get("/duban/").get_data(as_text=True)
    assert int(re.search(r"未签收（(\d+)）", every).group(1)) == pending_count(plan_id=0)
    assert all(s in every for s in ("催办：关爱台账", "催办：移交儿童", "催办：本单位任务台账"))
    assert f"plan={other.id}" in office.client.get(f"/duban/?plan={other.id}&kind=urge").get_data(as_text=True)
    assert "方案“x”不在可选范围内" in office.client.get("/duban/?plan=x").get_data(as_text=True)

    liaison = signed_in(app, "duban-liaison", "liaison", unit="yanhu-mz")
    inbox = liaison.client.get(f"/duban/inbox?plan={other.id}").get_data(as_text=True)
    assert OTHER_DUTY in inbox and "催办：关爱台账" in inbox
    assert SEED_DUTY not in inbox and "催办：移交儿童" not in inbox
    everything = liaison.client.get("/duban/inbox").get_data(as_text=True)
    assert all(s in everything for s in (OTHER_DUTY, SEED_DUTY, "催办：移交儿童", "催办：本单位任务台账"))
