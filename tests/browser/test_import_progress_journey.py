"""A trainer imports a roster that opens many accounts (issue 18): the import runs in the background,
she watches it count up on its page (htmx polls the progress partial), and when it finishes the same
page shows the new accounts' first passwords, once."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from portal.training import import_jobs, roster
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.training.test_import_jobs import roster_csv

pytestmark = pytest.mark.browser


def test_trainer_watches_a_large_import_and_then_gets_the_passwords(page, app, tmp_path, monkeypatch):
    page.set_default_timeout(30_000)
    # Slow batches of 5 accounts, so that there is progress to watch (scrypt makes it so in real life).
    monkeypatch.setattr(roster, "accounts_per_batch", lambda: 5)
    real_seal = import_jobs.seal

    def slow_seal(text, purpose):
        time.sleep(0.7)
        return real_seal(text, purpose)

    monkeypatch.setattr(import_jobs, "seal", slow_seal)
    make_user("city-trainer", "trainer")
    login(page, "city-trainer", PASSWORD)
    path = tmp_path / "全市名单.csv"
    path.write_bytes(roster_csv(30))
    page.goto("/training/roster/import")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("新增 30 人")
    page.get_by_role("button", name="确认导入").click()

    status = page.get_by_test_id("import-job-status")
    expect(status).to_contain_text(re.compile(r"已导入 ([1-9]|1\d|2[0-9]) / 30 行"))  # part way, counted live
    expect(page.locator("progress")).to_be_visible()
    table = page.get_by_test_id("initial-passwords")
    expect(table).to_be_visible(timeout=60_000)  # the page turned into the passwords page by itself
    expect(table.locator("tbody tr")).to_have_count(30)
    expect(page.get_by_role("heading", level=1)).to_have_text("花名册已导入")
    assert "新增 30 人" in page.locator("main").inner_text()
    page.reload()
    expect(page.get_by_test_id("import-job")).to_contain_text("已显示过一次")
