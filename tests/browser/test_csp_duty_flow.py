"""The duty page's working flow under the strict Content-Security-Policy: tick, upload evidence,
enlarge the note box (as people do before writing a long note), add a note, ask for 销号 (htmx swaps
and full posts) — no CSP message in the console, no violation.

The new-user test saw "Applying inline style violates …" after an upload: a resized text box
carries an inline size, and htmx's settling copied it onto the swapped-in box with setAttribute.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.conftest import PASSWORD, instance_by_key, make_user

pytestmark = pytest.mark.browser

STEPS = ["安排部署", "梳理应移交人员信息", "整理移交人员档案", "办理移交手续", "移交工作总结", "档案移交", "儿童财产移交"]


def drag_larger(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] - 4, box["y"] + box["height"] - 4
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] - 4, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 80, steps=5)
    page.mouse.up()
    assert page.locator(selector).bounding_box()["height"] > box["height"] + 40  # really resized


def test_duty_work_flow_raises_no_csp_message(page, plan, tmp_path):
    make_user("yh-liaison", "liaison", unit="yanhu-mz")
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.add_init_script(RECORD_VIOLATIONS)
    violations: list[str] = []

    def collect():
        violations.extend(page.evaluate("window.__cspViolations || []"))

    login(page, "yh-liaison", PASSWORD)
    inst = instance_by_key("transfer-children@yanhu-mz")
    page.goto(f"/tasks/{inst.id}")
    checklist = page.get_by_test_id("checklist")
    checklist.get_by_label(STEPS[0]).check()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(1)
    collect()

    evidence = tmp_path / "移交清单.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% transfer list\n")
    page.set_input_files("input[name=file]", str(evidence))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传佐证材料")).to_be_visible()
    collect()
    # the note box and the 销号 reason box dragged larger by their corner
    for box in ("#note-body", "#close-reason"):
        drag_larger(page, box)
    # after the upload: more ticks (htmx), a note, then the 销号 request
    for n, step in enumerate(STEPS[1:], 2):
        page.get_by_test_id("checklist").get_by_label(step).check()
        expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(n)
    page.get_by_test_id("checklist").get_by_label(STEPS[-1]).uncheck()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(len(STEPS) - 1)
    page.get_by_test_id("checklist").get_by_label(STEPS[-1]).check()
    expect(page.get_by_test_id("checklist").locator("li.done")).to_have_count(len(STEPS))
    collect()
    page.get_by_label("新增记录").fill("已上传移交清单")
    page.get_by_role("button", name="添加记录").click()
    expect(page.get_by_test_id("notes")).to_contain_text("已上传移交清单")
    collect()
    page.get_by_role("button", name="申请销号").click()
    expect(page.get_by_text("已申请销号，等待督查室核验")).to_be_visible()
    collect()
    # the uploaded file opened from the page (a download: no viewer document under the page's policy)
    with page.expect_download() as download:
        page.get_by_role("link", name="移交清单.pdf").click()
    assert download.value.suggested_filename == "移交清单.pdf"
    collect()
    csp = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert not violations, violations
    assert not csp, csp
