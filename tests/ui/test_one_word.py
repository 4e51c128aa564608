"""One word for one thing: a closed duty is 已销号 on the home page as on the board; a liaison's own
duties are 我的任务 in the nav and the breadcrumb; a liaison's home says which of its count it only
cooperates on; a 学员's nav has no second entry for the same page."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import DutyCooperator, DutyInstance, Unit
from tests.conftest import AuthActions, instance_by_key, make_user
from tests.duties.test_workflow import liaison


def test_a_liaisons_home_counts_what_it_cooperates_on_and_uses_the_navs_word(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "yanhu-mz"))
    cooperating = db.session.scalar(sa.select(sa.func.count(sa.distinct(DutyCooperator.instance_id)))
                                    .join(DutyInstance, DutyInstance.id == DutyCooperator.instance_id)
                                    .where(DutyCooperator.unit_id == unit_id, DutyInstance.unit_id != unit_id))
    home = mz.client.get("/").get_data(as_text=True)
    card = home.split('data-testid="home-duties"')[1].split("</section>")[0]
    assert cooperating and f"（含配合 {cooperating} 项）" in card
    assert "打开我的任务" in card and "已办结" not in home
    inst = instance_by_key("transfer-children@yanhu-mz")
    page = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    crumb = page.split('class="breadcrumb"')[1].split("</p>")[0]
    assert "我的任务" in crumb and "任务台账" not in crumb


def test_a_trainees_nav_has_one_entry_for_its_training(app, plan):
    make_user("learner", "trainee")
    trainee = AuthActions(app.test_client())
    trainee.login("learner")
    page = trainee.client.get("/training/my").get_data(as_text=True)
    nav = page.split('class="main-nav"')[1].split("</nav>")[0]
    assert nav.count('href="/training/my"') == 1 and ">首页<" not in nav
