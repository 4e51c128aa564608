"""Several plans on one ledger and one board: all plans by default, one plan when chosen; a duty's page
names its plan."""
from __future__ import annotations

import sqlalchemy as sa

from portal.core.plan import PLAN_NUMBER
from portal.core.time import today
from portal.extensions import db
from portal.models import DutyInstance, Plan
from portal.plans import publish
from tests.plans.helpers import ready_plan


def _published():
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    return other


def test_the_ledger_shows_every_plan_and_one_when_chosen(client, auth, plan):
    other = _published()
    auth.as_role("admin")
    everything = client.get("/tasks/?q=台账").get_data(as_text=True)
    assert 'data-testid="plan-chooser"' in everything and "建立关爱服务台账" in everything
    assert "全部方案" in everything and PLAN_NUMBER in everything
    seed = db.session.scalar(sa.select(Plan.id).where(Plan.number == PLAN_NUMBER))
    only_seed = client.get(f"/tasks/?plan={seed}&q=台账").get_data(as_text=True)
    assert "建立关爱服务台账" not in only_seed
    only_other = client.get(f"/tasks/?plan={other.id}").get_data(as_text=True)
    assert "建立关爱服务台账" in only_other and "开展困境儿童摸底排查" in only_other
    assert "做好儿童移交工作" not in only_other
    assert client.get("/tasks/?plan=x").status_code == 200


def test_the_board_filters_by_plan(client, auth, plan):
    other = _published()
    auth.as_role("admin")
    page = client.get("/board").get_data(as_text=True)
    assert 'data-testid="plan-chooser"' in page
    chosen = client.get(f"/board?plan={other.id}").get_data(as_text=True)
    assert f'<option value="{other.id}" selected>' in chosen
    unknown = client.get("/board?plan=99999").get_data(as_text=True)
    assert "方案“99999”不在可选范围内，已忽略。" in unknown


def test_the_board_counts_one_plan_s_instances(app, plan):
    from portal.board import pages
    from portal.board.services import load_rows
    from portal.models import User
    from tests.conftest import make_user

    other = _published()
    admin = make_user("office", "admin")
    data = pages.load(db.session.get(User, admin.id), _Args(plan=str(other.id)), today())
    assert len(data.rows) == 14 and {r.plan_id for r in data.rows} == {other.id}
    assert len(load_rows()) > 14


class _Args(dict):
    def getlist(self, name):
        return []


def test_the_duty_page_names_its_plan(client, auth, plan):
    other = _published()
    auth.as_role("admin")
    inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == f"p{other.id}-1"))
    page = client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "所属方案：" in page and "运城市困境儿童关爱保护工作要点" in page and f"/plans/{other.id}" in page
    seed_inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == "transfer-children@yanhu-mz"))
    assert "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案" in client.get(
        f"/tasks/{seed_inst.id}").get_data(as_text=True)
