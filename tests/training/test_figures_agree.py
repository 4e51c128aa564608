"""Every training figure counts by one rule: a person ticked on a sign-in sheet of a module that was
assigned only to the other role is assigned by that tick, so the matrix, the city roll-up, the
training home page, the board's headline and the duty's coverage all say the same."""
import re
from datetime import timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, AuditEntry
from portal.training import services
from portal.training.figures import city_rollup, city_totals, coverage, matrix, overdue_count
from tests.conftest import instance_by_key, make_user
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules, trainee


def figures(client) -> dict:
    """(completed, assigned) as each page and roll-up states it."""
    yanhu = county("yanhu")
    out = {}
    t = city_totals()
    out["city totals"] = (t.completed, t.assigned)
    counties, _, total = city_rollup()
    out["city roll-up"] = (total.completed, total.assigned)
    row = next(c for c in counties if c.key.id == yanhu.id)
    out["county row"] = (row.total.completed, row.total.assigned)
    m = matrix(yanhu).matrix.total
    out["matrix"] = (m.completed, m.assigned)
    rows, _ = coverage(yanhu)
    out["duty coverage trained"] = (sum(r.trained for r in rows), out["matrix"][1])
    home = client.get("/training/").get_data(as_text=True)
    found = re.search(r"已安排 (\d+) 项，已完成 (\d+) 项", home)
    out["/training/"] = (int(found.group(2)), int(found.group(1)))
    board = client.get("/board").get_data(as_text=True).split('data-figure="training"')[1].split("</dd>")[0]
    found = re.search(r"已完成 (\d+) 人次，共安排 (\d+) 人次", board)
    out["board"] = (int(found.group(1)), int(found.group(2)))
    page = client.get("/training/reports/matrix?county=yanhu").get_data(as_text=True)
    out["matrix page %"] = (page.split('data-testid="matrix-percent">')[1].split("<")[0], "")
    inst = instance_by_key("grassroots-training@yanhu-mz")
    duty = client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    trained = sum(int(a) for a, _ in re.findall(r'data-testid="coverage-[^"]+">(\d+)/(\d+)<', duty))
    out["duty page trained"] = (trained, out["matrix"][1])
    return out


def test_a_tick_outside_the_assigned_role_is_counted_alike_everywhere(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    yanhu, town = county("yanhu"), db_area("北城街道")
    # assigned to 北城街道's 儿童主任 only (主任乙, 主任丙); the sheet lists its 儿童督导员 too
    services.assign_cohort(admin, module, services.Cohort("director", yanhu.id, town.id),
                           today() + timedelta(days=10))
    sheet = services.create_sheet(admin, module, yanhu, town, today(), "会议室", "王老师")
    assert trainee("13800000001").id in {p.id for p in services.sheet_people(sheet)}
    services.set_attendance(admin, sheet, trainee("13800000002"), True)
    services.set_attendance(admin, sheet, trainee("13800000001"), True)  # 督导甲: not assigned

    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee("13800000001").id))
    assert a.active and a.due == today() and a.module_id == module.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "assign", AuditEntry.object_type == "trainee"))
    assert entry.after["reason"] == training_rules.ASSIGNED_BY_COMPLETION

    make_user("ld", "leader", unit="yanhu-mz")
    auth.login("ld")
    seen = figures(client)
    assert {k: v for k, v in seen.items() if k != "matrix page %"} == {k: (2, 3) for k in seen if k != "matrix page %"}
    assert seen["matrix page %"][0] == "67%"
    assert overdue_count() == 0

    # the wrong tick taken back: the assignment it recorded ends with it, and every figure follows
    services.set_attendance(admin, sheet, trainee("13800000001"), False)
    seen = figures(client)
    assert {k: v for k, v in seen.items() if k != "matrix page %"} == {k: (1, 2) for k in seen if k != "matrix page %"}
    assert seen["matrix page %"][0] == "50%" and overdue_count() == 0


def test_a_manual_mark_or_a_passed_quiz_also_records_the_assignment(app, plan):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("fangan-yu-zhize")
    person = trainee("13800000004")
    done = services.mark_completed(admin, person, module, today() - timedelta(days=3))
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == person.id))
    assert a.active and a.due == today() - timedelta(days=3)
    # a completion stands: its assignment cannot be withdrawn on its own (trained implies assigned)
    try:
        services.unassign(admin, a, "调离")
        raise AssertionError("unassign of a completed module was accepted")
    except services.TrainingError as e:
        assert "请先更正" in str(e)
    services.void_completion(admin, done, "登记错人")
    db.session.refresh(a)
    assert not a.active and overdue_count() == 0  # not left behind as an overdue assignment


def test_the_migration_assigns_earlier_completions_that_had_no_assignment(app_config, tmp_path):
    """Records made before the rule (a completion alone) are brought in line by 0013_training_due, and
    the later 0018_scale gives the new assignment its county and counts it in the figures' summary:
    the upgrade path itself, on a database taken back to before both."""
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.models import Completion, Trainee, TrainingModule
    from portal.training import tally
    from portal.units.services import sync_units
    from tests.test_migrations import _fresh_database_url

    url, cleanup = _fresh_database_url(app_config, tmp_path)
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with other.app_context():
            upgrade()
            from pathlib import Path

            assert sync_units(Path(other.config["CONTENT_DIR"])).ok
            module = TrainingModule(key="old-module", position=1, title="早先的模块", audience=["supervisor", "director"])
            db.session.add(module)  # as the curriculum stood (no 方案 needed for it here)
            db.session.commit()  # the roster import commits in batches of its own
            import_rows(*ROWS)
            person = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13800000001"))
            db.session.add(Completion(trainee_id=person.id, module_id=module.id, how="manual",
                                      completed_on=today() - timedelta(days=5)))
            db.session.commit()
            person_id, title = person.id, module.title
            db.session.remove()
            downgrade(revision="0012_ended_sessions")  # the schema the old code wrote this under
            upgrade()
            a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == person_id))
            assert a.active and a.due == today() - timedelta(days=5) and a.county_id == county("yanhu").id
            t = city_totals()
            assert (t.completed, t.assigned) == (1, 1) and matrix(county("yanhu")).matrix.total.completed == 1
            assert tally.drift() == []
            entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "assign")
                                       .order_by(AuditEntry.id.desc())).first()
            assert entry.object_label == f"督导甲：{title}" and entry.after["reason"] == training_rules.ASSIGNED_BY_COMPLETION
            db.session.remove()
            downgrade(revision="0013_training_due")
            upgrade()  # a second run changes nothing
            assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def test_a_county_trainer_s_overview_is_the_county_s_not_the_city_s(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    due = today() + timedelta(days=10)
    services.assign_cohort(admin, module, services.Cohort("director", county("yanhu").id, None), due)  # 3 people
    services.assign_cohort(admin, module, services.Cohort("director", county("yongji").id, None), due)  # 1 person
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    page = client.get("/training/").get_data(as_text=True)
    overall = page.split('data-testid="overall">')[1].split("</p>")[0]
    assert "已安排 3 项" in overall and "盐湖区总体" in page  # 盐湖区's three, not the city's four
    assert 'data-testid="county-table"' not in page  # shown once: no one-row table repeating the card
