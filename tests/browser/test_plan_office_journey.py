"""Issue 19's done-when journey: the office uploads a real plan the portal does not ship (东府〔2021〕54号,
held out of the plans benchmark's tuning), maps the one unit name the register lacks, corrects two drafted
duties, publishes; a county liaison finds the duty on the 任务台账, the leader on the board beside 74号's;
the office exports the plan's 任务分工表 and imports it back unchanged."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Duty, DutyInstance, Plan
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.plans.helpers import corpus_plan

pytestmark = pytest.mark.browser

TITLE = "东莞市人民政府关于贯彻落实《广东省进一步稳定和扩大就业若干政策措施》的实施意见"
NUMBER = "东府〔2021〕54号"
FIRST = "平稳实施企业社会保险缴费政策"
SECOND = "继续按不高于2017年征收标准征收残疾人就业保障金"


def _published(plan_id: int) -> dict:
    db.session.expire_all()
    duties = db.session.scalars(sa.select(Duty).where(Duty.plan_id == plan_id, ~Duty.archived)).all()
    return {d.key: (d.title, tuple(d.clause_ids), d.scope, d.deadline,
                    tuple(sorted((i.unit.code, tuple(sorted(i.cooperating_unit_ids))) for i in d.instances
                                 if not i.archived))) for d in duties}


def _upload_plan(page):
    page.goto("/plans/new")
    form = page.get_by_test_id("plan-upload")
    form.locator("input[type=file]").set_input_files(
        {"name": f"{NUMBER}.txt", "mimeType": "text/plain", "buffer": corpus_plan("dongguan-2021-jiuye").encode()})
    form.get_by_role("button", name="上传并起草").click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/review$"))
    expect(page.get_by_test_id("draft")).to_have_count(2)
    return int(re.search(r"/plans/(\d+)/review", page.url).group(1))


def _correct_two_duties(page):
    page.get_by_test_id("draft").nth(0).get_by_test_id("draft-edit").click()  # its form, in place
    first = page.get_by_test_id("draft").nth(0).get_by_test_id("draft-form")
    first.locator("input[name=title]").fill(FIRST)
    first.locator("input[name=deadline]").fill("2021-12-31")  # 「实施期限至2021年12月31日」
    first.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("draft-saved")).to_contain_text(f"已保存「{FIRST}」")
    # the second: every county's 财政局 collects it, with the city's 残联 and 税务局
    page.get_by_test_id("draft").nth(1).get_by_test_id("draft-edit").click()
    second = page.get_by_test_id("draft").nth(1).get_by_test_id("draft-form")
    expect(second.locator("input[name=title]")).to_have_value(re.compile("残疾人就业保障金"))
    second.locator("input[name=title]").fill(SECOND)
    second.locator("select[name=lead]").select_option(label="盐湖区财政局")
    second.locator("select[name=cooperating]").select_option(label=["运城市残疾人联合会", "市税务局"])
    second.locator("select[name=scope]").select_option("per-county")
    second.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("draft").nth(1).get_by_test_id("draft-saved")).to_contain_text(f"已保存「{SECOND}」")
    expect(page.get_by_test_id("draft").nth(1)).to_contain_text("各县（市、区）分别落实")


def test_office_uploads_a_real_plan_publishes_and_round_trips_the_division_table(page, app, plan, tmp_path):
    office = make_user("j-office", "admin")
    login(page, office.username, PASSWORD)
    plan_id = _upload_plan(page)
    expect(page.locator(".flash-success")).to_contain_text(f"已导入「{TITLE}」")

    # the one name the register lacks (市人力资源社会保障局 is found as 运城市人力资源和社会保障局)
    names = page.get_by_test_id("unknown-names")
    expect(names.get_by_test_id("map-name")).to_have_count(1)
    expect(names).to_contain_text("市税务局")
    names.get_by_test_id("new-unit").get_by_role("button", name="新建单位「市税务局」").click()
    expect(page.get_by_test_id("names-ok")).to_be_visible()

    _correct_two_duties(page)
    page.get_by_test_id("publish").get_by_role("button", name="发布任务分工").click()
    expect(page).to_have_url(re.compile(rf"/plans/{plan_id}$"))
    expect(page.get_by_test_id("plan-state")).to_contain_text("已发布（第1版任务分工）")
    duties = page.get_by_test_id("plan-duties")
    expect(duties).to_contain_text(FIRST)
    expect(duties).to_contain_text(SECOND)
    expect(duties).to_contain_text("2021年12月31日")

    # the 任务分工表, exported as published
    with page.expect_download() as download:
        page.get_by_test_id("division-xlsx").click()
    table = tmp_path / "任务分工表.xlsx"
    download.value.save_as(table)
    published = _published(plan_id)
    assert len(published) == 2

    # imported back into a revision: no change, and publishing it keeps the duties as they were
    page.get_by_role("button", name="修订任务分工").click()
    expect(page).to_have_url(re.compile(rf"/plans/{plan_id}/review$"))
    expect(page.get_by_test_id("draft")).to_have_count(2)
    upload = page.get_by_test_id("division-import")
    upload.locator("input[type=file]").set_input_files(str(table))
    upload.get_by_role("button", name="上传并导入").click()
    expect(page.locator(".flash-success")).to_contain_text("与草稿一致，没有改动（2 项）")
    expect(page.get_by_test_id("draft-title").nth(0)).to_contain_text(FIRST)
    page.get_by_test_id("publish").get_by_role("button", name="发布任务分工").click()
    expect(page.get_by_test_id("plan-state")).to_contain_text("已发布（第2版任务分工）")
    assert _published(plan_id) == published

    # a county liaison (盐湖区财政局) finds the duty on the 任务台账, this plan chosen beside 74号
    page.context.clear_cookies()
    liaison = make_user("j-liaison", "liaison", unit="yanhu-cz")
    login(page, liaison.username, PASSWORD)
    page.goto("/tasks/")
    chooser = page.get_by_test_id("plan-chooser")
    expect(chooser.locator("option")).to_have_count(3)  # 全部方案, 74号, this plan
    chooser.select_option(label=NUMBER)
    expect(page).to_have_url(re.compile(rf"plan={plan_id}"))
    rows = page.locator("#board-rows")
    expect(rows).to_contain_text(SECOND)
    expect(rows).to_contain_text("盐湖区财政局")

    # the leader's board: all plans, then this one
    page.context.clear_cookies()
    leader = make_user("j-leader", "leader")
    login(page, leader.username, PASSWORD)
    page.goto("/board")
    chooser = page.get_by_test_id("plan-chooser")
    expect(chooser.locator("option")).to_have_count(3)
    total = page.get_by_test_id("headline").locator("[data-figure=total]")
    expect(total).to_have_text(re.compile(r"^\d+$"))
    everything = int(total.inner_text())
    ours = db.session.scalar(sa.select(sa.func.count(DutyInstance.id)).join(Duty).where(
        Duty.plan_id == plan_id, ~Duty.archived, ~DutyInstance.archived))
    chooser.select_option(label=NUMBER)
    chooser.evaluate("c => c.form.requestSubmit()")
    expect(page).to_have_url(re.compile(rf"plan={plan_id}"))
    expect(total).to_have_text(str(ours))
    assert everything > ours > 2
    assert db.session.get(Plan, plan_id).version == 2
