"""A county trainer opens a module whose law has a new edition (未成年人保护法 2024 changed 第九条, which
「乡镇（街道）未成年人保护工作站」 cites), sees how many of their people were trained on the earlier text,
types a past due date and is told beside the form, then assigns the module to them again."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.policy.test_edition_follow import MODULE, _standing, _trained

pytestmark = pytest.mark.browser


def zh(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def test_a_county_trainer_reassigns_a_module_after_a_new_edition(page, plan):
    module, people = _trained()  # 乙 (盐湖区) and 戊 (永济市) trained before the edition arrived, 丙 after
    make_user("yh-retrain", "trainer", unit="yanhu-mz")
    login(page, "yh-retrain", PASSWORD)
    page.goto(f"/training/modules/{MODULE}")
    panel = page.get_by_test_id("module-editions")
    expect(panel).to_contain_text("2024年4月26日版本修改了本模块引用的第九条")
    expect(panel.get_by_test_id("old-text-count")).to_have_text("1")  # 乙 only: 戊 is another county's
    panel.get_by_role("link", name="重新安排学习").click()

    expect(page).to_have_url(re.compile(r"/policy/weichengnianren-baohu-fa/retrain/weibao-gongzuozhan$"))
    expect(page.get_by_test_id("retrain-count")).to_contain_text("盐湖区")
    expect(page.get_by_test_id("retrain-count")).to_contain_text("1 人")
    past = today() - timedelta(days=3)
    page.get_by_label("完成时限").fill(zh(past))
    page.get_by_role("button", name=re.compile("重新安排学习")).click()
    expect(page.get_by_test_id("form-refused")).to_contain_text("完成时限不能早于今天")
    expect(page.get_by_label("完成时限")).to_have_value(zh(past))  # what was typed kept

    due = today() + timedelta(days=30)
    page.get_by_label("完成时限").fill(zh(due))
    page.get_by_role("button", name="重新安排学习（1 人）").click()
    expect(page).to_have_url(re.compile(rf"/training/modules/{MODULE}$"))
    expect(page.get_by_text(f"重新安排给 1 人学习，完成时限为{zh(due)}")).to_be_visible()
    expect(page.get_by_test_id("module-editions")).to_contain_text("没有在此之前完成本模块的")
    assert _standing(people["乙"], module) is None  # due again
    assert _standing(people["戊"], module) is not None and _standing(people["丙"], module) is not None
