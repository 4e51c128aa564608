"""Working a duty over HTTP: ticking, notes, evidence, 销号 and 退回, 延期, permissions, concurrency."""
from __future__ import annotations

import threading
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEntry
from tests.conftest import AuthActions, instance_by_key, make_user, signed_in

PDF = b"%PDF-1.4\n% test evidence\n"


def liaison(app, username: str, unit: str) -> AuthActions:
    return signed_in(app, username, "liaison", unit=unit)


def admin(app) -> AuthActions:
    return signed_in(app, "boss", "admin")


def auditor(app) -> AuthActions:
    """The 审计管理员: the one who reads the audit log (三员分立)."""
    return signed_in(app, "audit", "auditor")


def tick(auth, inst, item, done=True, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return auth.post(f"/tasks/{inst.id}/items/{item.id}", {"done": "1" if done else "0"}, headers=headers)


def test_liaison_board_shows_own_and_cooperating_duties(app, plan):
    auth = liaison(app, "ga", "yanhu-ga")
    html = auth.client.get("/tasks/").get_data(as_text=True)
    assert "盐湖区公安局 · 我的任务" in html  # the same name as the nav tab
    assert "transfer-hukou@yanhu-ga" in html            # leads
    assert "transfer-children@yanhu-mz" in html         # cooperates
    assert "transfer-children@yongji-mz" not in html    # another county's
    assert "配合" in html
    # Filters: only the ones it leads; junk values are ignored, never an error.
    html = auth.client.get("/tasks/?role=lead").get_data(as_text=True)
    assert "transfer-children@yanhu-mz" not in html
    assert auth.client.get("/tasks/?state=x&light=purple&sort=';drop&area=x&endpoint=x&fmt=y&_external=1").status_code == 200
    # NUL cannot be stored (PostgreSQL): a clear 400, never a 500.
    response = auth.client.get("/tasks/?q=%00")
    assert response.status_code == 400 and "无法处理的字符" in response.get_data(as_text=True)
    assert auth.client.get("/tasks/99999999999999999999").status_code == 404


def test_tick_in_place_updates_progress_light_and_audit(app, plan):
    auth = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = tick(auth, inst, inst.active_items[0])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "14%" in html and "推进中" in html
    inst = instance_by_key("transfer-children@yanhu-mz")
    assert inst.active_items[0].done and inst.state == "in_progress"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "tick"))
    assert entry.actor_name == "mz" and entry.object_id == str(inst.id)
    # A plain form post (no JavaScript) works too and redirects back.
    response = tick(auth, inst, inst.active_items[1], htmx=False)
    assert response.status_code == 302


def test_other_units_liaison_cannot_tick_and_sees_no_control(app, plan):
    special = instance_by_key("special-school")  # led by 市教育局
    gaj = liaison(app, "ga-city", "city-ga")
    make_user("reader", "staff")
    reader = AuthActions(app.test_client())
    reader.login("reader")
    for who in (gaj, reader):
        # Everyone reads the duty; only the lead unit's liaison gets the controls.
        html = who.client.get(f"/tasks/{special.id}").get_data(as_text=True)
        checklist = html.split('data-testid="checklist"')[1].split("</ol>")[0]
        assert "支持举办特殊教育学校" in html and "hx-post" not in checklist and "申请销号</button>" not in html
        assert tick(who, special, special.active_items[0]).status_code == 403
        assert who.post(f"/tasks/{special.id}/notes", {"body": "x"}).status_code == 403
    assert not instance_by_key("special-school").active_items[0].done
    jy = liaison(app, "jy", "city-jy")
    assert "hx-post" in jy.client.get(f"/tasks/{special.id}").get_data(as_text=True)


def test_cooperating_unit_adds_notes_and_evidence_but_cannot_tick_or_close(app, plan):
    coop = liaison(app, "bb", "city-bb")
    inst = instance_by_key("special-school")
    assert coop.post(f"/tasks/{inst.id}/notes", {"body": "编制方案已报市编委会"}).status_code == 302
    data = {"file": (BytesIO(PDF), "编制批复.pdf")}
    assert coop.post(f"/tasks/{inst.id}/evidence", data, content_type="multipart/form-data").status_code == 302
    assert tick(coop, inst, inst.active_items[0]).status_code == 403
    response = coop.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "x", "version": str(inst.version)})
    assert response.status_code == 403
    inst = instance_by_key("special-school")
    assert [n.body for n in inst.notes] == ["编制方案已报市编委会"] and inst.evidence[0].filename == "编制批复.pdf"


def test_close_request_returned_then_closed_shows_on_the_clause(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)}, follow_redirects=True)
    assert "清单事项尚未全部完成" in response.get_data(as_text=True)
    for item in inst.active_items:
        tick(mz, inst, item)
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)}, follow_redirects=True)
    assert "请至少添加一条工作记录" in response.get_data(as_text=True)
    mz.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), "移交清单.pdf")}, content_type="multipart/form-data")
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)})
    assert instance_by_key("transfer-children@yanhu-mz").state == "requested"
    assert "做好儿童移交工作" in boss.client.get("/supervision/").get_data(as_text=True)
    # Returning needs a reason; the liaison then sees it.
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = boss.post(f"/supervision/close/{inst.id}", {"decision": "return", "version": str(inst.version)}, follow_redirects=True)
    assert "退回时请填写理由" in response.get_data(as_text=True)
    boss.post(f"/supervision/close/{inst.id}", {"decision": "return", "comment": "缺少档案移交清单", "version": str(inst.version)})
    inst = instance_by_key("transfer-children@yanhu-mz")
    assert inst.state == "in_progress" and inst.state_reason == "缺少档案移交清单"
    assert "退回理由：缺少档案移交清单" in mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    mz.post(f"/tasks/{inst.id}/notes", {"body": "已补充档案移交清单"})
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)})
    inst = instance_by_key("transfer-children@yanhu-mz")
    boss.post(f"/supervision/close/{inst.id}", {"decision": "close", "version": str(inst.version)})
    assert instance_by_key("transfer-children@yanhu-mz").state == "closed"
    clause = mz.client.get("/policy/yunmin-2021-74/3.2.8").get_data(as_text=True)
    row = clause.split('data-key="transfer-children@yanhu-mz"')[1].split("</tr>")[0]
    assert "已销号" in row and "已办结" not in row  # the light says the state's word
    # Every duty on the clause page links back to its duty page, and the duty page to the clause.
    duty_page = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "/policy/yunmin-2021-74/3.2.8" in duty_page


def test_stale_state_change_gets_a_clear_message_and_the_fresh_state(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-care@yanhu-mz")
    old_version = inst.version
    mz.post(f"/tasks/{inst.id}/notes", {"body": "第一条记录"})  # a note does not move the version
    mz.post(f"/tasks/{inst.id}/state", {"action": "block", "reason": "等待", "version": str(old_version)})
    response = mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已完成", "version": str(old_version)},
                       follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已被他人修改" in html and "等待" in html
    assert instance_by_key("transfer-care@yanhu-mz").state == "blocked"


@pytest.mark.fresh_db
def test_concurrent_ticks_on_one_duty_both_land(app, plan):
    a = liaison(app, "mz-a", "yanhu-mz")
    b = liaison(app, "mz-b", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    items = inst.active_items
    barrier = threading.Barrier(2)
    results = []

    def worker(auth, item):
        barrier.wait()
        results.append(tick(auth, inst, item).status_code)

    threads = [threading.Thread(target=worker, args=(a, items[0])), threading.Thread(target=worker, args=(b, items[1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    inst = instance_by_key("transfer-children@yanhu-mz")
    done = [i.done for i in inst.active_items[:2]]
    # Ticks say the wanted state, so they commute: both land, or a loser is told to retry.
    assert done == [True, True] or 422 in results
    assert all(code in (200, 422) for code in results)
    ticks = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "tick")).all()
    assert len(ticks) == sum(done)


def test_extension_request_and_approval_keeps_original_deadline(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/extension", {"reason": "", "proposed": "2027-06-30"}, follow_redirects=True)
    assert "请填写延期理由" in response.get_data(as_text=True)
    response = mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造", "proposed": "not-a-date"}, follow_redirects=True)
    assert "2026年12月31日 或 2026-12-31" in response.get_data(as_text=True)
    mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2027-06-30"})
    queue = boss.client.get("/supervision/").get_data(as_text=True)
    assert "场所改造未完成" in queue
    ext = instance_by_key("county-protection-agency@yanhu-mz").extensions[0]
    boss.post(f"/supervision/extensions/{ext.id}", {"decision": "approve"})
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    assert inst.deadline == date(2027, 6, 30) and inst.original_deadline == date(2025, 12, 31)
    page = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "2027年6月30日" in page and "原定 2025年12月31日" in page


def test_evidence_checks_and_download_rights(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    bad = [("x.exe", b"MZ..."), ("fake.pdf", b"<html>not a pdf"), ("empty.pdf", b"")]
    for name, data in bad:
        response = mz.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(data), name)},
                           content_type="multipart/form-data")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "不支持的文件类型" in html or "不符" in html or "请选择" in html
        assert html.count('class="form-error"') == 1  # beside the upload form only, not again at the top
    mz.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), "../../报告.pdf")}, content_type="multipart/form-data")
    ev = instance_by_key("transfer-children@yanhu-mz").evidence[0]
    assert ev.filename == "报告.pdf"
    response = mz.client.get(f"/tasks/{inst.id}/evidence/{ev.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    # Evidence is served only through its own duty, to the units on it, the office and leaders.
    other_duty = instance_by_key("transfer-care@yanhu-mz")
    assert mz.client.get(f"/tasks/{other_duty.id}/evidence/{ev.id}").status_code == 404
    make_user("st", "staff")
    staff = AuthActions(app.test_client())
    staff.login("st")
    assert staff.client.get(f"/tasks/{inst.id}/evidence/{ev.id}").status_code == 403
    assert ">报告.pdf</a>" not in staff.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    make_user("ld", "leader")
    leader = AuthActions(app.test_client())
    leader.login("ld")
    response = leader.client.get(f"/tasks/{inst.id}/evidence/{ev.id}")
    assert response.status_code == 200
    response.close()
    from flask import Flask  # noqa: F401

    anonymous = app.test_client().get(f"/tasks/{inst.id}/evidence/{ev.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_api_duties_fields_filters_and_visibility(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    data = mz.client.get("/api/duties?unit=yanhu-mz").get_json()
    keys = {d["key"] for d in data}
    assert "transfer-children@yanhu-mz" in keys and "transfer-children@yongji-mz" not in keys
    row = next(d for d in data if d["key"] == "transfer-children@yanhu-mz")
    assert set(row) >= {"key", "title", "clause_ids", "unit", "role", "state", "light", "progress", "deadline", "checklist"}
    assert row["unit"] == "yanhu-mz" and row["role"] == "lead" and row["clause_ids"][0] == "3.2.8"
    assert row["checklist"][0] == {"title": "安排部署", "done": False, "arranged": False}
    coop = next(d for d in data if d["key"] == "transfer-hukou@yanhu-ga")
    assert coop["role"] == "cooperating" and coop["unit"] == "yanhu-mz" and coop["lead_unit"] == "yanhu-ga"
    make_user("lead", "leader")
    boss = AuthActions(app.test_client())
    boss.login("lead")
    everything = boss.client.get("/api/duties").get_json()
    assert len(everything) > len(data)
    only_closed = boss.client.get("/api/duties?state=closed").get_json()
    assert only_closed == []
    yongji = boss.client.get("/api/duties?unit=yongji-mz").get_json()
    assert yongji and all(d["unit"] == "yongji-mz" or d["role"] == "cooperating" for d in yongji)
    assert boss.client.get("/api/duties?unit=nowhere").get_json() == []


def test_a_closed_duty_is_read_only_and_its_pending_extension_settles(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2099-06-30"})
    mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "已挂牌运行", "version": str(instance_by_key(inst.key).version)})
    # The office member who asked cannot verify their own request.
    inst = instance_by_key(inst.key)
    boss.post(f"/supervision/close/{inst.id}", {"decision": "close", "version": str(inst.version)})
    inst = instance_by_key(inst.key)
    assert inst.state == "closed" and inst.extensions[0].status == "rejected"
    assert inst.deadline == inst.original_deadline
    assert mz.post(f"/tasks/{inst.id}/notes", {"body": "补一条"}).status_code == 403
    assert tick(mz, inst, inst.active_items[0]).status_code == 403 if inst.active_items else True
    refused = boss.post(f"/supervision/extensions/{inst.extensions[0].id}", {"decision": "approve", "back": "queue"})
    assert refused.status_code == 422 and "督查室待办" in refused.get_data(as_text=True)
    assert instance_by_key(inst.key).deadline == inst.original_deadline


def test_nobody_verifies_their_own_close_request(app, plan):
    boss = admin(app)
    inst = instance_by_key("transfer-care@yanhu-mz")
    boss.post(f"/tasks/{inst.id}/state", {"action": "request_close", "reason": "代为申请", "version": str(inst.version)})
    inst = instance_by_key(inst.key)
    response = boss.post(f"/supervision/close/{inst.id}", {"decision": "close", "version": str(inst.version)}, follow_redirects=True)
    assert "不能核验自己的申请" in response.get_data(as_text=True)
    assert instance_by_key(inst.key).state == "requested"


def test_leader_home_ranks_units_by_overdue_duties(app, plan):
    make_user("ld", "leader")
    leader = AuthActions(app.test_client())
    leader.login("ld")
    html = leader.client.get("/").get_data(as_text=True)
    table = html.split('data-testid="home-units-behind"')[1].split("</table>")[0]
    assert "盐湖区民政局" in table and "light-red" in table
    mz = liaison(app, "mz", "yanhu-mz")
    assert 'data-testid="home-units-behind"' not in mz.client.get("/").get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused_with_a_way_back_to_the_duty(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    app.config["MAX_CONTENT_LENGTH"] = 1024  # the limit, made small for the test
    try:
        page = f"http://localhost/tasks/{inst.id}"
        response = mz.client.post(f"/tasks/{inst.id}/evidence", data={"file": (BytesIO(PDF + b"0" * 4096), "大.pdf")},
                                  content_type="multipart/form-data", headers={"Referer": page})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 25 * 1024 * 1024
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "上传的文件太大，没有保存" in html and "压缩或拆分" in html
    assert f'href="{page}" data-testid="error-back">返回上一页' in html
    assert instance_by_key("transfer-children@yanhu-mz").evidence == []
    elsewhere = mz.client.get("/tasks/999999", headers={"Referer": "http://evil.example/x"})  # a 404
    assert elsewhere.status_code == 404 and "evil.example" not in elsewhere.get_data(as_text=True)
    ours = mz.client.get("/tasks/999999", headers={"Referer": page})
    assert "返回上一页" in ours.get_data(as_text=True)


def test_the_duty_timeline_shows_the_upload_without_its_checksum_the_audit_log_keeps_it(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), "移交清单.pdf")}, content_type="multipart/form-data")
    timeline = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True).split('data-testid="timeline"')[1]
    assert "文件：移交清单.pdf" in timeline and "校验值" not in timeline
    log = auditor(app).client.get("/admin/audit/").get_data(as_text=True)
    assert "校验值" in log
