"""Archiving a plan stops its supervision: its duties leave the board, the 任务台账, the home page and the
reports (their records stay), and `flask portal sync` does not bring plan one's back."""
from __future__ import annotations

import sqlalchemy as sa

from portal.duties.sync import seed_plan
from portal.extensions import db
from portal.models import Duty, DutyInstance, Plan
from portal.plans import publish, services
from tests.conftest import make_user
from tests.plans.helpers import ready_plan

TITLE = "建立关爱服务台账"  # the sample plan's per-county duty: 盐湖区民政局 leads it


def _pages(client, auth, role, urls):
    auth.login(f"arch-{role}")
    texts = {url: client.get(url, follow_redirects=True).get_data(as_text=True) for url in urls}
    auth.post("/logout")
    return texts


def _total(page: str) -> int:
    import re

    return int(re.search(r'data-figure="total">\s*(\d+)\s*<', page).group(1))


def _home_total(page: str) -> int:
    import re

    return int(re.search(r"共 (\d+) 项", page).group(1))


def test_archiving_a_plan_takes_its_duties_off_the_board_ledger_home_and_reports(client, auth, plan):
    p = ready_plan()
    assert publish.publish(p, None) == []
    make_user("arch-liaison", "liaison", unit="yanhu-mz")
    make_user("arch-leader", "leader")
    make_user("arch-admin", "admin")
    liaison_urls = ["/tasks/"]
    before = _pages(client, auth, "liaison", liaison_urls + ["/"])
    for url in liaison_urls:
        assert TITLE in before[url], url
    leader_before = _pages(client, auth, "leader", ["/board", "/board/report"])

    auth.login("arch-admin")
    page = auth.post(f"/plans/{p.id}/archive", follow_redirects=True).get_data(as_text=True)
    assert f"已归档「{p.title}」" in page
    auth.post("/logout")

    after = _pages(client, auth, "liaison", liaison_urls + ["/"])
    for url in liaison_urls:
        assert TITLE not in after[url], url
    assert _home_total(after["/"]) == _home_total(before["/"]) - 1  # 我的任务: 盐湖区民政局's one instance
    leader_after = _pages(client, auth, "leader", ["/board", "/board/report"])
    for url in ("/board", "/board/report"):  # the board's headline and the 通报's totals
        assert _total(leader_after[url]) == _total(leader_before[url]) - 14, url
    # the records stay, archived; the plan's page says so
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).join(Duty).where(
        Duty.plan_id == p.id, DutyInstance.archived)) == 14
    admin_page = _pages(client, auth, "admin", [f"/plans/{p.id}"])[f"/plans/{p.id}"]
    assert "本方案已归档：其任务已停止督办" in admin_page


def test_an_archived_plan_one_stays_archived_through_sync(app, plan):
    from pathlib import Path

    from portal.duties.sync import sync_duties

    one = seed_plan()
    assert services.archive_plan(one) is None
    live = sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == one.id, ~Duty.archived)
    assert db.session.scalar(live) == 0
    sync_duties(Path(app.config["CONTENT_DIR"]))
    db.session.expire_all()
    assert db.session.scalar(live) == 0
    assert db.session.get(Plan, one.id).state == "archived"


def test_the_office_restores_an_archived_plan_and_its_duties_return(client, auth, plan):
    from portal.models import AuditEntry

    p = ready_plan()
    assert publish.publish(p, None) == []
    make_user("arch-liaison", "liaison", unit="yanhu-mz")
    make_user("arch-admin", "admin")
    before = _pages(client, auth, "liaison", ["/tasks/", "/"])
    auth.login("arch-admin")
    auth.post(f"/plans/{p.id}/archive")
    page = auth.post(f"/plans/{p.id}/restore", follow_redirects=True).get_data(as_text=True)
    assert f"已恢复「{p.title}」" in page and "本方案已归档" not in page
    assert "已发布" in page
    auth.post("/logout")
    after = _pages(client, auth, "liaison", ["/tasks/", "/"])
    assert TITLE in after["/tasks/"]
    assert _home_total(after["/"]) == _home_total(before["/"])
    db.session.expire_all()
    assert db.session.get(Plan, p.id).state == "published"
    assert db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).join(Duty).where(
        Duty.plan_id == p.id, ~DutyInstance.archived)) == 14
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "plan",
                                                           AuditEntry.action == "restore")).one()
    assert entry.before == {"state": "archived"} and entry.after["instances"] == 14
    assert entry.actor_name == "arch-admin"


def test_restoring_leaves_a_duty_an_earlier_revision_retired_retired(app, plan):
    p = ready_plan()
    assert publish.publish(p, None) == []
    retired = db.session.scalars(sa.select(Duty).where(Duty.plan_id == p.id).order_by(Duty.id)).first()
    retired.archived = True
    for inst in retired.instances:
        inst.archived = True
    db.session.commit()
    assert services.archive_plan(p) is None
    assert services.restore_plan(p) is None
    db.session.expire_all()
    assert db.session.get(Duty, retired.id).archived
    assert db.session.scalar(sa.select(sa.func.count(Duty.id)).where(Duty.plan_id == p.id, ~Duty.archived)) == 1
    assert services.restore_plan(p) == "该方案未归档，无需恢复。"


def test_only_the_office_restores(client, auth, plan):
    p = ready_plan()
    assert publish.publish(p, None) == []
    assert services.archive_plan(p) is None
    make_user("arch-leader", "leader")
    auth.login("arch-leader")
    assert auth.post(f"/plans/{p.id}/restore").status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, p.id).state == "archived"
