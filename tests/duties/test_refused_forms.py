"""A refused form on the duty page or in the 督查室 queue is drawn again in place: the message beside
that form and what was typed still in it (a redirect used to drop both)."""
from __future__ import annotations

import re

from tests.conftest import instance_by_key
from tests.duties.test_workflow import admin, liaison


def beside(html: str, action: str) -> str:
    """The form posting to `action`, as drawn."""
    match = re.search(rf'<form method="post"[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert match, action
    return match.group(0)


def test_an_extension_with_a_bad_date_keeps_the_reason_and_the_date_typed(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成，需再等三个月", "proposed": "明年三月"})
    assert response.status_code == 422
    form = beside(response.get_data(as_text=True), f"/tasks/{inst.id}/extension")
    assert 'data-testid="form-refused"' in form and "日期" in form
    assert "场所改造未完成，需再等三个月" in form and 'value="明年三月"' in form and "autofocus" in form
    assert not instance_by_key(inst.key).extensions  # nothing saved


def test_an_extension_to_a_day_the_month_lacks_says_so_once_beside_the_form(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2026-02-30"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = "2026年2月没有30日，请核对日期。"
    assert message in beside(html, f"/tasks/{inst.id}/extension")
    assert html.count(message) == 1  # not again at the top of the 工作清单 card


def test_a_responsible_person_with_a_bad_phone_keeps_the_name_and_phone_typed(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/responsible", {"name": "王晓红", "phone": "12ab", "seen_name": "",
                                                         "seen_phone": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    form = beside(html, f"/tasks/{inst.id}/responsible")
    assert 'data-testid="form-refused"' in form and 'value="王晓红"' in form and 'value="12ab"' in form
    assert '<details class="responsible-edit" open>' in html
    assert not instance_by_key(inst.key).responsible_name


def test_rejecting_an_extension_without_a_reason_stays_on_the_queue_beside_that_request(app, plan):
    mz, boss = liaison(app, "mz", "yanhu-mz"), admin(app)
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2027年6月30日"})
    ext = instance_by_key(inst.key).extensions[0]
    response = boss.post(f"/supervision/extensions/{ext.id}", {"decision": "reject", "comment": "", "back": "queue"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "督查室待办" in html
    assert 'data-testid="form-refused"' in beside(html, f"/supervision/extensions/{ext.id}")
    assert instance_by_key(inst.key).extensions[0].status == "pending"


def test_a_bulk_decision_with_nothing_ticked_keeps_the_comment_typed(app, plan):
    boss = admin(app)
    inst = instance_by_key("transfer-care@yanhu-mz")
    boss.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已办结", "version": str(inst.version)})
    response = boss.post("/supervision/decide/close", {"decision": "return", "comment": "佐证材料缺少签字页"})
    assert response.status_code == 422
    form = beside(response.get_data(as_text=True), "/supervision/decide/close")
    assert "请先勾选要处理的申请" in form and "佐证材料缺少签字页" in form


def test_a_long_term_duty_offers_no_extension_and_refuses_one(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("no-new-long-term@yanhu-mz")
    assert inst.deadline is None  # 长期: no date to move
    page = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert f"/tasks/{inst.id}/extension" not in page and "申请延期" not in page
    response = mz.post(f"/tasks/{inst.id}/extension", {"reason": "人手不足", "proposed": "2099年6月30日"})
    assert response.status_code == 422 and "无需申请延期" in response.get_data(as_text=True)
    assert not instance_by_key(inst.key).extensions


def test_the_office_decides_an_extension_on_the_duty_page_and_a_queue_visit_leads_back(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2099年6月30日"})
    office = admin(app)
    page = office.client.get(f"/tasks/{inst.id}?back=queue").get_data(as_text=True)
    crumb = page.split('class="breadcrumb"')[1].split("</p>")[0]
    assert 'href="/supervision/"' in crumb and "督查室待办" in crumb  # the way back to the queue
    ext = instance_by_key(inst.key).extensions[0]
    form = beside(page, f"/supervision/extensions/{ext.id}")
    assert 'name="back" value="queue"' in form and "理由：场所改造未完成" in page
    refused = office.post(f"/supervision/extensions/{ext.id}", {"decision": "reject", "comment": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="form-refused"' in beside(html, f"/supervision/extensions/{ext.id}")
    assert "<h1>" + inst.duty.title in html.replace("<h1>\n", "<h1>")  # still the duty page, not the queue
    done = office.post(f"/supervision/extensions/{ext.id}", {"decision": "approve", "comment": ""})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/tasks/{inst.id}")
    assert instance_by_key(inst.key).deadline.year == 2099


def test_a_refused_close_request_says_why_once_beside_its_form(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")  # nothing ticked yet
    response = mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "", "version": str(inst.version)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("清单事项尚未全部完成") == 1
    assert "清单事项尚未全部完成" in beside(html, f"/tasks/{inst.id}/state")
    # a form that is gone (the state moved on meanwhile) still gets its message, at the top
    boss, seen = admin(app), str(inst.version)
    boss.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已办结", "version": seen})
    late = mz.post(f"/tasks/{inst.id}/state", {"action": "block", "reason": "场地未落实", "version": seen})
    assert late.status_code == 422 and late.get_data(as_text=True).count("该任务已被他人修改") == 1


def test_an_action_from_an_older_page_names_who_changed_the_duty_and_when(app, plan):
    mz, other = liaison(app, "mz", "yanhu-mz"), liaison(app, "mz2", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    seen = str(inst.version)
    other.post(f"/tasks/{inst.id}/state", {"action": "block", "reason": "场地未落实", "version": seen})
    late = mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已办结", "version": seen})
    html = late.get_data(as_text=True)
    assert late.status_code == 422 and "该任务已被他人修改" in html and "最近一次修改：测试mz2，" in html
    assert "受阻原因：场地未落实" in html or "场地未落实" in html  # the latest state is what the page shows
