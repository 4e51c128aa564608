"""Loading the 任务分工表: coverage, idempotent re-sync, archive instead of delete, refusal of bad files."""
from __future__ import annotations

import shutil

import sqlalchemy as sa

from portal.duties.sync import sync_duties
from portal.extensions import db
from portal.models import Duty, DutyInstance
from tests.conftest import ROOT, instance_by_key, make_user


def copy_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def test_full_plan_loads_with_per_county_instances(plan):
    assert len(plan.created) == db.session.scalar(sa.select(sa.func.count(Duty.id)))
    transfers = db.session.scalars(sa.select(DutyInstance).join(Duty).where(Duty.key == "transfer-children")).all()
    assert len(transfers) == 13
    yanhu = instance_by_key("transfer-children@yanhu-mz")
    assert [i.title for i in yanhu.active_items] == [
        "安排部署", "梳理应移交人员信息", "整理移交人员档案", "办理移交手续", "档案移交", "儿童财产移交", "移交工作总结"]
    assert not any(i.arranged for i in yanhu.active_items)
    coordination = instance_by_key("city-transfer-coordination")
    assert [i.title for i in coordination.active_items if i.arranged] == ["督促指导各县（市、区）按期移交"]
    assert "季度" in instance_by_key("sfly-drills").duty.arrangement
    assert yanhu.deadline.isoformat() == "2022-09-30"
    # The text gives both 9月1日 and 9月底: both are tracked.
    assert instance_by_key("handover-by-0901@yanhu-mz").deadline.isoformat() == "2022-09-01"


def test_coverage_command_reports_nothing_missing(app, runner):
    result = runner.invoke(args=["portal", "coverage"])
    assert result.exit_code == 0, result.output
    assert "every clause" in result.output


def test_coverage_lists_a_clause_left_without_duty(app, runner, tmp_path):
    content = copy_content(tmp_path)
    text = (content / "duties.txt").read_text(encoding="utf-8")
    # Drop the no-duty entry for 4.2.1: the clause is then uncovered.
    start = text.index("[no-duty 4.2.1]")
    end = text.index("\n[", start + 1)
    (content / "duties.txt").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    app.config["CONTENT_DIR"] = str(content)
    result = runner.invoke(args=["portal", "coverage"])
    assert result.exit_code == 1
    assert "4.2.1 四（二）1" in result.output


def test_resync_is_idempotent_and_keeps_progress(app, plan):
    owner = make_user("yh", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    from portal.duties.services import set_item

    set_item(owner, inst, inst.active_items[0].id, True)
    again = sync_duties(ROOT / "content")
    assert again.ok and again.created == [] and again.updated == []
    inst = instance_by_key("transfer-children@yanhu-mz")
    assert inst.active_items[0].done and inst.state == "in_progress"


def test_removed_duty_is_archived_with_history_and_title_change_updates(app, plan, tmp_path):
    content = copy_content(tmp_path)
    text = (content / "duties.txt").read_text(encoding="utf-8")
    text = text.replace("title: 做好儿童移交工作", "title: 做好儿童移交工作（修订）", 1)
    start = text.index("[transfer-care]")
    end = text.index("\n[", start + 1)
    (content / "duties.txt").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    before = instance_by_key("transfer-care@yanhu-mz").id
    report = sync_duties(content)
    assert report.ok
    assert "transfer-care" in report.retired and "transfer-children" in report.updated
    archived = db.session.get(DutyInstance, before)
    assert archived is not None and archived.archived and archived.duty.archived
    assert instance_by_key("transfer-children@yanhu-mz").duty.title == "做好儿童移交工作（修订）"


def test_malformed_duties_file_changes_nothing(app, plan, runner, tmp_path):
    content = copy_content(tmp_path)
    text = (content / "duties.txt").read_text(encoding="utf-8")
    text = text.replace("title: 做好儿童移交工作", "title: 改了也不生效", 1).replace("scope: per-county", "scope: galaxy", 1)
    (content / "duties.txt").write_text(text, encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l == "scope: galaxy")
    app.config["CONTENT_DIR"] = str(content)
    result = runner.invoke(args=["portal", "sync"])
    assert result.exit_code == 1
    assert f"duties.txt:{line}:" in result.output
    assert "previous 任务分工表 stays" in result.output
    assert instance_by_key("transfer-children@yanhu-mz").duty.title == "做好儿童移交工作"


def test_an_upgrade_to_the_faithful_wording_keeps_ticks_and_marks_the_arrangements(app, plan):
    """A database loaded from the earlier duties.txt (steps without their 鼓励 or condition, no
    arranged cooperators) syncs to the faithful wording without losing a tick."""
    from portal.duties.services import set_item

    medical = instance_by_key("sfly-medical")
    old_titles = ["设立医疗科室", "加强专业医护队伍建设", "为院内儿童提供基本医疗服务"]
    for item, old in zip(medical.active_items, old_titles, strict=True):
        item.title = old
    adult = instance_by_key("adult-placement")
    adult.active_items[1].title = "经评估实行社会安置"
    for c in adult.cooperators:
        c.arranged = False
    db.session.commit()
    owner = make_user("fly", "liaison", unit="inst-sfly")
    medical = instance_by_key("sfly-medical")
    set_item(owner, medical, medical.active_items[0].id, True)
    mz = make_user("mz", "liaison", unit="city-mz")
    adult = instance_by_key("adult-placement")
    set_item(mz, adult, adult.active_items[1].id, True)

    report = sync_duties(ROOT / "content")
    assert report.ok
    medical = instance_by_key("sfly-medical")
    first = medical.active_items[0]
    assert first.title == "鼓励支持设立医疗科室" and first.done and first.done_by_id == owner.id
    assert [i.title for i in medical.active_items][1:] == ["鼓励支持加强专业医护队伍建设", "鼓励支持为院内儿童提供基本医疗服务"]
    assert not any(i.archived for i in medical.items)  # reworded, not replaced
    adult = instance_by_key("adult-placement")
    assert adult.active_items[1].title == "对经评估具备一定独立生活能力和劳动就业能力的实行社会安置"
    assert adult.active_items[1].done
    assert {c.unit.code: c.arranged for c in adult.cooperators} == {"inst-sfly": False, "city-ga": True}
