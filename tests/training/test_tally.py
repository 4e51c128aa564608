"""The training figures' summary (training_tally) stays equal to a recount of the rows through every
kind of change the services make, and the figures read from it say what the rows say."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import Assignment, Trainee, TrainingModule, TrainingTally
from portal.training import figures as reports
from portal.training import services, tally
from portal.training.demo import load_training_demo, remove_training_demo
from portal.training.roster_edit import TraineeEdit, edit_trainee
from tests.conftest import make_user
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules, trainee


def recounted_city() -> tuple[int, int, int]:
    """(assigned, completed, overdue) by the rule itself, pair by pair (`counted`, a standing
    completion looked up for each): what the figures showed before there was a summary."""
    done = reports._completed_exists()
    stmt = reports.counted(sa.select(
        sa.func.count(), sa.func.sum(sa.case((done, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(Assignment.due < today(), ~done), 1), else_=0))).select_from(Assignment))
    assigned, completed, overdue = db.session.execute(stmt).one()
    return int(assigned), int(completed or 0), int(overdue or 0)


def agrees(step: str) -> None:
    assert tally.drift() == [], step
    apart = db.session.scalar(sa.select(sa.func.count(Assignment.id)).join(Trainee, Trainee.id == Assignment.trainee_id)
                              .where(Assignment.county_id != Trainee.county_id))
    assert apart == 0, f"{step}: an assignment's county is not its trainee's"
    t = reports.city_totals()
    assert (t.assigned, t.completed, t.overdue) == recounted_city(), step
    f = reports.figures(None)
    assert (f.total.assigned, f.total.completed, f.total.overdue) == recounted_city(), step


def test_the_summary_equals_a_recount_after_every_kind_of_change(app, plan):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    yanhu = county("yanhu")
    first, second, third = services.live_modules()[:3]
    soon, past = today() + timedelta(days=10), today() - timedelta(days=2)
    agrees("nothing assigned")
    services.assign_cohort(admin, first, services.Cohort("", yanhu.id, None), soon)
    agrees("a county's group assigned")
    people = [trainee(p) for p in ("13800000001", "13800000002", "13800000004", "13800000005")]
    services.assign_people(admin, second, [p for p in people if p.post in second.audience], past, backdated=True)
    agrees("people assigned, past due")
    sheet = services.create_sheet(admin, first, yanhu, db_area("北城街道"), today(), "会议室", "王老师")
    services.set_attendance(admin, sheet, trainee("13800000002"), True)
    agrees("ticked on a sheet")
    done = services.mark_completed(admin, trainee("13800000005"), third, today())  # not assigned: assigns
    agrees("a mark that records its assignment")
    services.void_completion(admin, done, "登记错人")
    agrees("the mark corrected: its assignment ends")
    services.set_attendance(admin, sheet, trainee("13800000002"), False)
    agrees("the tick taken back")
    services.mark_started(trainee("13800000003"), first)
    agrees("a trainee opened a module")
    a = db.session.scalar(sa.select(Assignment).where(Assignment.trainee_id == trainee("13800000004").id,
                                                      Assignment.module_id == second.id))
    services.unassign(admin, a, "调离")
    agrees("an assignment withdrawn")
    services.assign_people(admin, second, [trainee("13800000004")], soon)
    agrees("the same assignment reopened")
    services.assign_cohort(admin, first, services.Cohort("", yanhu.id, None), soon + timedelta(days=5))
    agrees("the group assigned again: open due dates move")
    person = trainee("13800000003")
    person.active = False  # as the trainee page's 停用 does
    db.session.commit()
    agrees("a trainee deactivated")
    person = trainee("13800000003")
    person.active = True
    db.session.commit()
    services.assign_late_joiners([person.id])
    agrees("reactivated")
    moved = trainee("13800000005")
    result = edit_trainee(admin, moved, TraineeEdit("主任戊", "儿童督导员", "盐湖区", "东城街道", "", "13800000005", "",
                                                   "", True, moved.version))
    assert not result.problems and not result.stale
    agrees("a trainee moved to another county and role")
    import_rows("主任丁,儿童督导员,盐湖区,东城街道,,13800000004,,")
    agrees("a roster import changes a role")
    services.mark_completed(admin, trainee("13800000001"), first, today() - timedelta(days=1))
    agrees("a manual mark")
    db.session.execute(sa.update(TrainingModule).where(TrainingModule.id == third.id).values(retired=True))
    db.session.commit()
    agrees("a module retired")


def test_the_demo_roster_loaded_and_removed_keeps_the_summary(app, plan):
    sync_modules()
    make_user("adm", "admin")
    assert load_training_demo()
    agrees("the demo roster loaded")
    assert reports.city_totals().assigned > 0
    remove_training_demo()
    agrees("the demo roster removed")
    assert reports.city_totals().assigned == 0


def test_a_rebuild_gives_back_what_was_kept_and_a_difference_is_found(app, plan):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    services.assign_cohort(admin, services.live_modules()[0], services.Cohort("director", None, None),
                           today() + timedelta(days=3))
    kept = sorted((t.county_id, t.post, t.module_id, t.due, t.assigned, t.completed, t.started)
                  for t in db.session.scalars(sa.select(TrainingTally)))
    assert kept and tally.rebuild() == len(kept)
    assert sorted((t.county_id, t.post, t.module_id, t.due, t.assigned, t.completed, t.started)
                  for t in db.session.scalars(sa.select(TrainingTally))) == kept
    db.session.execute(sa.update(TrainingTally).values(assigned=TrainingTally.assigned + 1))
    assert len(tally.drift()) == len(kept)


def test_an_orm_change_inside_a_bulk_block_is_refused_not_counted_twice(app, plan):
    sync_modules()
    import_rows(*ROWS)
    person = db.session.scalar(sa.select(Trainee).where(Trainee.phone == "13800000002"))
    with pytest.raises(RuntimeError, match="inside"):
        with tally.keeping(trainee_ids=[person.id]):
            person.active = False
            db.session.flush()
    db.session.rollback()


def test_a_failed_flush_leaves_nothing_to_count_later(app, plan):
    from portal.models import Completion

    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.live_modules()[0]
    person = trainee("13800000002")
    services.assign_people(admin, module, [person], today() + timedelta(days=5))
    savepoint = db.session.begin_nested()
    db.session.add(Completion(trainee_id=person.id, module_id=module.id, how="manual", completed_on=today()))
    db.session.add(Assignment(trainee_id=person.id, module_id=module.id, county_id=person.county_id, due=today()))
    with pytest.raises(sa.exc.IntegrityError):  # the pair is assigned already: the whole flush fails
        db.session.flush()
    savepoint.rollback()
    services.mark_completed(admin, trainee("13800000002"), module, today())
    agrees("a change after a refused one")


def test_past_dues_folded_leave_every_figure_and_the_summary_stops_growing_with_due_dates(app, plan):
    """The daily fold sums the rows of past dues into one row per county, role and module: the figures
    and the recount agree before and after it, and after a later change of a past-due pair."""
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    first, second = services.live_modules()[:2]
    people = [trainee(p) for p in ("13800000001", "13800000002", "13800000004", "13800000005")]
    for days in (400, 200, 30, 3):  # four years' due dates, all past
        services.assign_people(admin, first, [p for p in people if p.post in first.audience],
                               today() - timedelta(days=days), backdated=True)
    services.assign_people(admin, second, [p for p in people if p.post in second.audience],
                           today() + timedelta(days=10))
    before = (reports.city_totals(), reports.figures(None).total)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(TrainingTally))
    assert tally.fold_past(today()) > 0
    db.session.commit()
    agrees("past dues folded")
    assert (reports.city_totals(), reports.figures(None).total) == before
    folded = db.session.scalar(sa.select(sa.func.count()).select_from(TrainingTally))
    assert folded < rows
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingTally)
                             .where(TrainingTally.due < today(), TrainingTally.due != tally.FOLDED)) == 0
    services.mark_completed(admin, people[0], first, today())  # a past-due pair completed after the fold
    agrees("a past-due pair completed after the fold")
    assert tally.fold_past(today()) >= 0
    db.session.commit()
    agrees("folded again")
