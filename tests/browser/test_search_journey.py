"""Staff types 户口迁移 into the header box: results appear while typing (no page load), the top
result is 三（一）1 with 户口 and 迁移 highlighted, clicking opens the clause, back returns to the results."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.search import services
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_search_from_the_header_box(page, app, policy_library):
    services.sync_index()  # what `flask portal sync` does; the live server shares SEARCH_INDEX_DIR
    user = make_user("b-staff", "staff")
    login(page, user.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))

    page.evaluate("window.__samePage = true")  # survives htmx swaps, not page loads
    box = page.get_by_test_id("header-search")
    box.press_sequentially("户口迁移", delay=60)

    expect(page).to_have_url(re.compile(r"/search\?q=%E6%88%B7%E5%8F%A3%E8%BF%81%E7%A7%BB$"))
    first = page.get_by_test_id("search-hit").first
    expect(first).to_have_attribute("data-clause", re.compile(r"^3\.1\.1(\.1)?$"))
    assert page.evaluate("window.__samePage === true"), "results should come by htmx, not a page load"
    expect(box).to_be_focused()
    marks = "".join(first.locator(".search-snippet mark").all_inner_texts())
    assert "户口" in marks and "迁移" in marks, marks
    expect(page.get_by_test_id("search-summary")).to_contain_text("毫秒")

    link = first.locator("a.search-hit-title")
    expect(link).to_contain_text("三（一）1")
    # Under load the as-you-type requests of single characters may still be answering (each pushes its
    # address): let them finish so the history holds the final query before the page changes.
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"/search\?q=%E6%88%B7%E5%8F%A3%E8%BF%81%E7%A7%BB$"))
    link.click()
    expect(page).to_have_url(re.compile(r"/policy/yunmin-2021-74/3\.1\.1(#3\.1\.1\.1)?$"))
    expect(page.get_by_test_id("clause-title")).to_have_text("三（一）1 做好收留和抚养工作")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/search\?q=%E6%88%B7%E5%8F%A3%E8%BF%81%E7%A7%BB$"))
    expect(page.get_by_test_id("search-hit").first).to_have_attribute("data-clause", re.compile(r"^3\.1\.1(\.1)?$"))


def test_search_page_works_without_javascript(browser, live_server, app, policy_library):
    services.sync_index()
    user = make_user("b-nojs", "staff")
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        login(page, user.username, PASSWORD)
        page.get_by_test_id("header-search").fill("家庭寄养")
        page.get_by_test_id("header-search").press("Enter")
        expect(page).to_have_url(re.compile(r"/search\?q="))
        expect(page.get_by_test_id("search-hit").first).to_be_visible()
        page.locator("select[name=dept]").select_option("民政")
        page.locator("form.search-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"dept=%E6%B0%91%E6%94%BF"))
        expect(page.get_by_test_id("search-summary")).to_contain_text("已筛选")
    finally:
        context.close()


def test_a_misremembered_sentence_and_a_regulation_title_find_what_was_meant(page, app, policy_library):
    """A sentence of 未成年人保护法 typed with two words swapped lands its article in the top three;
    a regulation's title brings up that regulation first, above the paragraphs that cite it."""
    services.sync_index()
    user = make_user("b-staff2", "staff")
    login(page, user.username, PASSWORD)
    box = page.get_by_test_id("header-search")
    box.fill("具有下列情形之一的，应当民政部门依法对未成年人进行临时监护")
    box.press("Enter")
    top3 = page.get_by_test_id("search-hit").locator("a.search-hit-title")
    expect(top3.first).to_be_visible()
    labels = top3.all_inner_texts()[:3]
    assert any(t.startswith("第九十二条") for t in labels), labels
    page.get_by_test_id("search-hit").filter(has_text="第九十二条").first.locator("a.search-hit-title").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/"))
    expect(page.locator("main")).to_contain_text("临时监护")

    box = page.get_by_test_id("header-search")
    box.fill("儿童福利机构管理办法")
    box.press("Enter")
    card = page.get_by_test_id("search-card").first
    expect(card).to_contain_text("民政部令第63号")
    assert page.locator("[data-testid=search-card], [data-testid=search-hit]").first.get_attribute(
        "data-testid") == "search-card"
    card.get_by_role("link", name="儿童福利机构管理办法").click()
    expect(page).to_have_url(re.compile(r"/policy/register/ertong-fuli-jigou-guanli-banfa$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("儿童福利机构管理办法")


def test_an_article_typed_in_numerals_and_an_orders_number_are_located(page, app, policy_library):
    """Staff types 民法典第一千零九十八条 as the law writes it: the article is the first result and
    opens at its text; then 民政部令第63号: its register entry comes first and no digit of the
    number is reported 未找到."""
    services.sync_index()
    user = make_user("b-staff3", "staff")
    login(page, user.username, PASSWORD)
    box = page.get_by_test_id("header-search")
    box.fill("民法典第一千零九十八条")
    box.press("Enter")
    first = page.get_by_test_id("search-hit").first
    expect(first).to_have_attribute("data-clause", "a1098")
    expect(first.locator(".search-snippet mark").first).to_have_text("第一千零九十八条")
    expect(page.get_by_test_id("search-not-found")).to_have_count(0)
    first.locator("a.search-hit-title").click()
    expect(page).to_have_url(re.compile(r"/policy/minfadian/a1098"))
    expect(page.locator("main")).to_contain_text("收养人应当同时具备下列条件")

    box = page.get_by_test_id("header-search")
    box.fill("民政部令第63号")
    box.press("Enter")
    card = page.get_by_test_id("search-card").first
    expect(card).to_contain_text("儿童福利机构管理办法")
    expect(page.get_by_test_id("search-not-found")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("未找到")
    card.get_by_role("link", name="儿童福利机构管理办法").click()
    expect(page).to_have_url(re.compile(r"/policy/register/ertong-fuli-jigou-guanli-banfa$"))


def test_a_colloquial_question_lands_on_the_article(page, app, policy_library):
    """Issue 22: staff types everyday words (卖烟给小孩), the first result is 未成年人保护法 第五十九条
    (禁止向未成年人销售烟), and clicking it opens the article; a same-sound typo is searched as the
    library's word with a notice, and one click searches the text as typed."""
    services.sync_index()
    user = make_user("b-colloquial", "staff")
    login(page, user.username, PASSWORD)
    box = page.get_by_test_id("header-search")
    box.press_sequentially("卖烟给小孩", delay=60)
    first = page.get_by_test_id("search-hit").first
    expect(first).to_have_attribute("data-clause", "a59")
    expect(first.locator(".search-snippet")).to_contain_text("销售烟")
    first.locator("a.search-hit-title").click()
    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/a59$"))
    expect(page.get_by_text("禁止向未成年人销售烟、酒、彩票").first).to_be_visible()

    page.goto("/search?q=" + "家庭寄样")
    expect(page.get_by_test_id("search-understood")).to_contain_text("已按“家庭寄养”搜索")
    page.get_by_test_id("search-literal").click()
    expect(page).to_have_url(re.compile(r"literal=1"))
    expect(page.get_by_test_id("search-understood")).to_have_count(0)
