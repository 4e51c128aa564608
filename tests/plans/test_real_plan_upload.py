"""The real reader and drafter behind the upload page: a plan not shipped with the portal (东府〔2021〕54号,
held out of the plans benchmark's tuning) uploaded, its unknown unit name flagged and mapped, published;
and county-wide names of a prose plan (民发〔2019〕62号's 县级民政部门) drafted as every county's bureau."""
from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Duty, DutyInstance, Plan
from portal.plan_text.model import UnitName
from portal.plan_text.units import match_unit
from portal.plans import drafts, publish
from tests.plans.helpers import corpus_plan, unit_id

DONGGUAN = "dongguan-2021-jiuye"


def _upload(auth, name: str, text: str):
    return auth.post("/plans/new", {"file": (BytesIO(text.encode()), name)}, content_type="multipart/form-data",
                     follow_redirects=True)


def test_a_real_plan_uploads_drafts_maps_and_publishes(client, auth, plan):
    auth.as_role("admin")
    page = _upload(auth, "东府〔2021〕54号.txt", corpus_plan(DONGGUAN)).get_data(as_text=True)
    assert "已导入「东莞市人民政府关于贯彻落实《广东省进一步稳定和扩大就业若干政策措施》的实施意见」" in page
    created = db.session.scalars(sa.select(Plan).where(Plan.number == "东府〔2021〕54号")).one()
    assert [d.clause_ids for d in created.drafts] == [["1.1.1"], ["1.1.2"]]
    # 市人力资源社会保障局 is the register's 运城市人力资源和社会保障局; 市税务局 is not in it: flagged.
    assert created.drafts[0].lead_ids == [unit_id("city-rs")]
    assert drafts.unknown_names(created) == ["市税务局"]
    assert "未对应的配合单位：市税务局" in page
    refused = auth.post(f"/plans/{created.id}/publish", {}, follow_redirects=True).get_data(as_text=True)
    assert "尚有单位名称未对应到单位：市税务局" in refused
    made = auth.post(f"/plans/{created.id}/names/new-unit", {"name": "市税务局", "level": "市级", "parent": ""},
                     follow_redirects=True).get_data(as_text=True)
    assert "已新建单位「市税务局」" in made
    done = auth.post(f"/plans/{created.id}/publish", {}, follow_redirects=True).get_data(as_text=True)
    assert "已发布「东莞市人民政府关于贯彻落实" in done
    duties = db.session.scalars(sa.select(Duty).where(Duty.plan_id == created.id)).all()
    assert len(duties) == 2
    units = {i.unit.short_name for d in duties for i in d.instances}
    assert units == {"市人社局", "市残联"}


def test_a_county_wide_name_is_drafted_as_each_countys_bureau(client, auth, plan):
    auth.as_role("admin")
    _upload(auth, "62号.txt", corpus_plan("minzheng-2019-shishiwuren"))
    created = db.session.scalars(sa.select(Plan).where(Plan.title == "关于进一步加强事实无人抚养儿童保障工作的意见")).one()
    confirm = next(d for d in created.drafts if d.clause_ids == ["2.3"])  # 三（三） 确认: 县级民政部门
    assert confirm.scope == "per-county" and confirm.lead_ids == [unit_id("yanhu-mz")]
    assert "县级民政部门" not in drafts.unknown_names(created)
    # Published alone, it becomes one duty of every county's 民政局.
    for d in [d for d in created.drafts if d is not confirm]:
        drafts.drop_draft(d, None)
    assert publish.publish(db.session.get(Plan, created.id), None) == []
    units = db.session.scalars(sa.select(DutyInstance.unit_id).join(Duty).where(Duty.plan_id == created.id)).all()
    assert unit_id("yanhu-mz") in units and unit_id("yongji-mz") in units and len(units) == len(set(units)) > 5


def test_a_city_bureau_named_without_the_citys_name_matches_only_when_unambiguous():
    units = [UnitName(1, "运城市人力资源和社会保障局", "市人社局", (), "city"),
             UnitName(2, "运城市民政局", "市民政局", (), "city"), UnitName(3, "盐湖区民政局", "盐湖区民政局", (), "county")]
    assert match_unit("市人力资源社会保障局", units) == 1
    assert match_unit("市人力资源和社会保障局", units) == 1
    assert match_unit("省人力资源社会保障局", units) is None  # another level's bureau
    assert match_unit("市税务局", units) is None
    assert match_unit("区民政局", units) is None
