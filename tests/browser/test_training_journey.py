"""Training journeys (issue #8): a trainer imports a roster, assigns a township's 儿童主任, records an
attendance sheet and sees the matrix and the county's 三（二）10 duty agree; a trainee fails then passes
a quiz; a county-bound trainer cannot see another county's roster."""
from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user
from tests.training.helpers import import_rows, sync_modules

pytestmark = pytest.mark.browser

ROWS = [
    ["督导甲", "儿童督导员", "盐湖区", "北城街道", "", "13800000001"],
    ["主任乙", "儿童主任", "盐湖区", "北城街道", "红旗社区", "13800000002"],
    ["主任丙", "儿童主任", "盐湖区", "北城街道", "槐东社区", "13800000003"],
    ["主任丁", "儿童主任", "盐湖区", "北城街道", "学苑社区", "13800000004"],
    ["主任戊", "儿童主任", "盐湖区", "东城街道", "东郭村", "13800000005"],
]


def logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_trainer_imports_assigns_records_and_sees_coverage(page, plan, tmp_path):
    page.set_default_timeout(30_000)  # uploads and imports on a loaded, shared CI machine
    sync_modules()
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    page.locator("nav.main-nav").get_by_role("link", name="培训").click()
    page.get_by_role("link", name="导入花名册").first.click()

    with page.expect_download() as info:
        page.get_by_test_id("template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    bad = [list(r) for r in ROWS]
    bad[1][5] = "1380000"  # row 3: phone malformed
    bad[3][2] = "火星县"  # row 5: unknown county
    for r in bad:
        sheet.append(r)
    roster = tmp_path / "花名册.xlsx"
    book.save(roster)

    page.set_input_files("input[name=file]", str(roster))
    page.get_by_role("button", name="上传并预览").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("第3行，手机号")
    expect(problems).to_contain_text("第5行，县（市、区）")
    expect(problems).to_contain_text("本次未导入任何数据")

    book = load_workbook(template)
    for r in ROWS:
        book.worksheets[0].append(r)
    book.save(roster)
    page.set_input_files("input[name=file]", str(roster))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("新增 5 人")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("花名册已导入")).to_be_visible()
    expect(page.get_by_test_id("roster").locator("tbody tr")).to_have_count(5)

    page.get_by_role("link", name="安排培训").click()
    form = page.get_by_test_id("assign-form")
    form.get_by_label("培训模块").select_option(label="儿童信息摸底排查与登记建档")
    form.get_by_label("对象").select_option(label="儿童主任")
    form.get_by_label("县（市、区）").select_option(label="盐湖区")
    form.get_by_label("乡镇（街道）").select_option(label="北城街道")
    form.get_by_label("完成时限").fill((today() + timedelta(days=30)).isoformat())
    form.get_by_role("button", name="安排").click()
    expect(page.get_by_text("新安排 3 人")).to_be_visible()

    page.get_by_role("link", name="签到表").click()
    form = page.get_by_test_id("session-form")
    form.get_by_label("培训模块").select_option(label="儿童信息摸底排查与登记建档")
    form.get_by_label("县（市、区）").select_option(label="盐湖区")
    form.get_by_label("乡镇（街道）").select_option(label="北城街道")
    form.get_by_label("培训日期").fill(today().isoformat())
    form.get_by_label("地点").fill("北城街道便民服务中心")
    form.get_by_label("授课人").fill("王老师")
    form.get_by_role("button", name="创建签到表").click()
    sheet = page.get_by_test_id("sheet")
    # keyboard: focus the first box, Space ticks it; Tab to the next person, Space again
    sheet.get_by_label("主任乙到场").focus()
    with page.expect_response(lambda r: "/people/" in r.url):  # saved in place, no page load
        page.keyboard.press("Space")
    expect(page.locator("tr", has_text="主任乙").get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("Tab")  # the swapped row keeps the sheet keyboard-navigable
    with page.expect_response(lambda r: "/people/" in r.url):
        page.keyboard.press("Space")
    expect(page.locator("tr", has_text="主任丙").get_by_role("checkbox")).to_be_checked()
    page.reload()
    expect(page.get_by_test_id("sheet-count")).to_contain_text("到场 2")

    page.get_by_role("link", name="完成矩阵").click()
    page.get_by_label("县（市、区）").select_option(label="盐湖区")
    page.get_by_role("button", name="查看").click()
    page.get_by_label("乡镇（街道）").select_option(label="北城街道")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("matrix-percent")).to_have_text("67%")  # 2 of the 3 assigned, rounded half up

    inst = instance_by_key("grassroots-training@yanhu-mz")
    page.goto(f"/tasks/{inst.id}")
    expect(page.get_by_test_id("coverage-xinxi-modi-paicha-director")).to_have_text("2/4")  # 4 儿童主任 in 盐湖区


def test_trainee_reads_fails_then_passes_the_quiz(page, plan):
    sync_modules()
    make_user("liuhong", "trainee")
    import_rows("刘红,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,")
    from portal.training import services
    from tests.training.helpers import trainee

    module = services.get_module("xinxi-modi-paicha")
    services.assign_people(make_user("adm", "admin"), module, [trainee("13800000009")], today() + timedelta(days=7))
    login(page, "liuhong", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的培训")
    expect(page.get_by_test_id("my-state")).to_contain_text("未开始")
    page.get_by_role("link", name=module.title).click()
    expect(page.get_by_test_id("module-body")).to_be_visible()
    expect(page.get_by_test_id("module-clause").first).to_be_visible()

    quiz = page.get_by_test_id("quiz")
    for q in module.quiz["questions"]:  # all wrong: the first wrong option of each question
        wrong = next(o for o in q["options"] if not o["correct"])
        quiz.get_by_label(wrong["text"], exact=True).first.check()
    quiz.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("测验未通过")).to_be_visible()

    quiz = page.get_by_test_id("quiz")
    for q in module.quiz["questions"]:
        for o in q["options"]:
            box = quiz.get_by_label(o["text"], exact=True).first
            if o["correct"]:
                box.check()
            elif q["multiple"]:
                box.uncheck()
    quiz.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("测验通过")).to_be_visible()
    expect(page.get_by_test_id("my-state")).to_contain_text("已完成")


def test_county_trainer_cannot_see_another_countys_roster(page, plan):
    sync_modules()
    import_rows("盐湖人,儿童主任,盐湖区,北城街道,红旗社区,13800000011,,",
                "永济人,儿童主任,永济市,城西街道,西厢村,13800000012,,")
    make_user("yj-trainer", "trainer", unit="yongji-mz")
    login(page, "yj-trainer", PASSWORD)
    page.goto("/training/roster")
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("永济人")
    expect(roster).not_to_contain_text("盐湖人")
    expect(page.get_by_label("县（市、区）").locator("option")).to_have_count(1)
    page.goto("/training/roster?county=yanhu")
    expect(page.get_by_test_id("roster")).not_to_contain_text("盐湖人")
    from tests.training.helpers import trainee

    response = page.goto(f"/training/trainees/{trainee('13800000011').id}")
    assert response.status == 404
