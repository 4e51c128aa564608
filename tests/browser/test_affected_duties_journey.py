"""Staff open 未成年人保护法 and see which duties its new edition affects — a duty whose 方案 clause
cites the changed 第九条 — beside the modules, and follow it to the duty."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Duty, PolicyCitation, PolicyDocument
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_staff_see_which_duties_the_new_edition_affects(page, app, plan):
    fangan = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id == "yunmin-2021-74"))
    duty = next(d for d in db.session.scalars(sa.select(Duty).where(Duty.archived.is_(False)).order_by(Duty.position))
                if d.instances)
    # the 方案 clause behind this duty cites 未成年人保护法第九条, the article the 2024 edition changed (made for the test)
    db.session.add(PolicyCitation(document_id=fangan.id, clause_id=duty.clause_ids[0], anchor_id=duty.clause_ids[0],
                                  position=999, text="《中华人民共和国未成年人保护法》第九条",
                                  cited_title="中华人民共和国未成年人保护法", cited_number="", cited_clause="a9",
                                  target_doc="weichengnianren-baohu-fa", target_clause="a9"))
    db.session.commit()
    user = make_user("b-affected-duty", "staff")
    login(page, user.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/policy/weichengnianren-baohu-fa")
    section = page.get_by_test_id("affected")
    expect(section).to_contain_text("修改或删除了 1 条（第九条）")
    duties = page.get_by_test_id("affected-duty")
    expect(duties).to_contain_text(duty.title)
    expect(duties).to_contain_text("引用第九条")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the law's page is {width}px wide at 390px"
    duties.get_by_role("link", name=duty.title).first.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator("h1")).to_contain_text(duty.title)
