"""A county 民政局 liaison works its transfer duty to a verified close; the supervision office
returns it once; the clause page shows the result. A 公安局 liaison cannot tick a 教育局 duty."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

FIVE_STEPS = ["安排部署", "梳理应移交人员信息", "整理移交人员档案", "办理移交手续", "移交工作总结"]


def logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_transfer_duty_to_verified_close(page, plan, tmp_path):
    make_user("yh-liaison", "liaison", unit="yanhu-mz")
    make_user("dcs", "admin")
    login(page, "yh-liaison", PASSWORD)
    page.locator("nav.main-nav").get_by_role("link", name="我的任务").click()
    page.get_by_test_id("board").get_by_role("link", name="做好儿童移交工作").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("做好儿童移交工作")

    checklist = page.get_by_test_id("checklist")
    for n, step in enumerate(FIVE_STEPS + ["档案移交", "儿童财产移交"], 1):
        checklist.get_by_label(step).check()
        # htmx swaps the work area in place: the count and the progress follow without a reload.
        expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(n)
    expect(page.get_by_test_id("progress")).to_contain_text("100%")
    expect(page.get_by_test_id("status")).to_contain_text("推进中")

    evidence = tmp_path / "移交清单.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% transfer list\n")
    page.set_input_files("input[name=file]", str(evidence))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传佐证材料")).to_be_visible()
    expect(page.get_by_role("link", name="移交清单.pdf")).to_be_visible()

    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_text("已申请销号，等待督查室核验")).to_be_visible()
    expect(page.get_by_test_id("status")).to_contain_text("申请销号")
    logout(page)

    login(page, "dcs", PASSWORD)
    page.locator("nav.main-nav").get_by_role("link", name="督查室").click()
    page.get_by_test_id("close-queue").get_by_role("link", name="核验").click()
    page.get_by_label("意见（退回时必填）").fill("缺少档案移交清单签字页")
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_text("已退回")).to_be_visible()
    logout(page)

    login(page, "yh-liaison", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    page.goto(f"/tasks/{inst.id}")
    expect(page.get_by_test_id("state-reason")).to_contain_text("缺少档案移交清单签字页")
    page.get_by_label("新增记录").fill("已补充签字页扫描件")
    page.get_by_role("button", name="添加记录").click()
    expect(page.get_by_test_id("notes")).to_contain_text("已补充签字页扫描件")
    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_test_id("status")).to_contain_text("申请销号")
    logout(page)

    login(page, "dcs", PASSWORD)
    page.goto(f"/tasks/{inst.id}")
    page.get_by_role("button", name="核验通过，销号").click()
    expect(page.get_by_test_id("status")).to_contain_text("已销号")

    page.goto("/policy/yunmin-2021-74/3.2.8")
    # one line per duty with a 13-county roll-up; it opens to the counties
    group = page.get_by_test_id("duty-group").filter(has_text="做好儿童移交工作")
    expect(group.get_by_test_id("rollup")).to_have_text("已销号 1/13")
    group.locator("summary").click()
    row = page.get_by_test_id("clause-duties").locator('tr[data-key="transfer-children@yanhu-mz"]')
    expect(row).to_contain_text("已销号")
    expect(row).to_contain_text("盐湖区民政局")
    other = page.get_by_test_id("clause-duties").locator('tr[data-key="transfer-children@yongji-mz"]')
    expect(other).to_contain_text("未启动")


def test_police_liaison_cannot_tick_an_education_duty(page, plan):
    make_user("ga-liaison", "liaison", unit="city-ga")
    login(page, "ga-liaison", PASSWORD)
    inst = instance_by_key("special-school")
    page.goto(f"/tasks/{inst.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^支持举办特殊教育学校\s*只读$"))
    expect(page.get_by_test_id("read-only-note")).to_contain_text("您可以查看，不能修改")
    checklist = page.get_by_test_id("checklist")
    expect(checklist).to_be_visible()
    expect(checklist.locator("input[type=checkbox]")).to_have_count(0)
    expect(page.get_by_role("button", name="申请销号")).to_have_count(0)
    # Forging the request from the page's own session is refused.
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    item = inst.active_items[0]
    response = page.request.post(f"/tasks/{inst.id}/items/{item.id}", form={"done": "1", "csrf_token": token})
    assert response.status == 403
    assert not instance_by_key("special-school").active_items[0].done
    expect(page).to_have_url(re.compile(rf"/tasks/{inst.id}$"))
