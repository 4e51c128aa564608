"""An admin imports a statute by mistake on the library page, then retires it with a reason: it
leaves the library's list and the search page's document filter, and the page says why."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import PASSWORD, ROOT, make_user

pytestmark = pytest.mark.browser

LAW = ROOT / "content" / "policy" / "sources" / "反家庭暴力法(2015-12-27).md"


def test_admin_retires_a_mistaken_import(page, app, policy_library, tmp_path):
    mistaken = tmp_path / "反家庭冷暴力法(2015-12-27).md"
    mistaken.write_bytes(LAW.read_bytes().replace("反家庭暴力法".encode(), "反家庭冷暴力法".encode(), 1))
    admin = make_user("b-librarian", "admin")
    login(page, admin.username, PASSWORD)

    page.goto("/admin/library/")
    page.locator("input[type=file][name=files]").set_input_files(str(mistaken))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("preview-summary")).to_contain_text("可导入 1 份")
    page.get_by_test_id("do-import").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("已导入 1 份")

    page.goto("/search?q=家庭暴力")
    options = page.locator("select[name=doc] option")
    expect(options.filter(has_text="反家庭冷暴力法")).to_have_count(1)

    page.goto("/admin/library/")
    row = page.get_by_test_id("import-row").filter(has_text="反家庭冷暴力法")
    expect(row).to_have_count(1)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the library admin page is {width}px wide at 390px"
    row.get_by_label("撤下理由").fill("误传：这是改过名字的测试文件")
    row.get_by_test_id("retire-import").click()
    expect(page.locator(".flash-success")).to_contain_text("已撤下《中华人民共和国反家庭冷暴力法》")
    row = page.get_by_test_id("import-row").filter(has_text="反家庭冷暴力法")
    expect(row).to_contain_text("误传：这是改过名字的测试文件")
    expect(row.get_by_test_id("restore-import")).to_have_count(1)

    page.goto("/search?q=家庭暴力")
    expect(page.locator("select[name=doc] option").first).to_be_attached()
    expect(page.locator("select[name=doc] option").filter(has_text="反家庭冷暴力法")).to_have_count(0)
    expect(page.locator("select[name=doc] option").filter(has_text="反家庭暴力法")).not_to_have_count(0)
    page.goto("/policy/")
    expect(page.locator("main")).not_to_contain_text("反家庭冷暴力法")

    # retired, it can also be deleted for good: a second reason, and the row is gone
    page.goto("/admin/library/")
    row = page.get_by_test_id("import-row").filter(has_text="反家庭冷暴力法")
    row.locator("summary", has_text="彻底删除").click()
    row.get_by_label("删除理由").fill("确认是测试文件，不再需要")
    row.get_by_test_id("delete-import").click()
    expect(page.locator(".flash-success")).to_contain_text("已删除撤下的《中华人民共和国反家庭冷暴力法》导入记录及其文本")
    expect(page.get_by_test_id("import-row").filter(has_text="反家庭冷暴力法")).to_have_count(0)
