"""Issue 11: duty pages, the timeline, the audit log and home read in names, not ids."""
from __future__ import annotations

import re

from tests.conftest import instance_by_key
from tests.duties.test_workflow import PDF, admin, auditor, liaison, tick  # noqa: F401


def visible(html: str) -> str:
    """The text a person sees: no tags, attributes, scripts or styles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_duty_page_shows_titles_and_unit_names_not_keys(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    html = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    text = visible(html)
    assert "transfer-children" not in text and "yanhu-mz" not in text and "@" not in text
    assert "任务编号" not in text
    # 方案原文 and the office's remarks are apart, and the office's are attributed
    assert "方案原文摘录" in text and "督查室工作安排和说明" in text and "不是方案原文" in text
    # cross-references are links named by the referenced duty's title, to the same county's duty
    hukou = instance_by_key("transfer-hukou@yanhu-ga")
    assert f'href="/tasks/{hukou.id}" class="duty-ref">“移交儿童户口迁移”</a>' in html
    # the timeline: 系统同步 and unit names, not "sync" and codes
    timeline = text[text.index("全程留痕"):]
    assert "系统同步" in timeline and "盐湖区民政局" in timeline
    assert "sync" not in timeline and "inst-sfly" not in timeline


def test_arranged_checklist_items_are_marked(app, plan):
    boss = admin(app)
    inst = instance_by_key("city-transfer-coordination")
    text = visible(boss.client.get(f"/tasks/{inst.id}").get_data(as_text=True))
    line = next(ln for ln in text.splitlines() if "督促指导各县" in ln)
    assert "督查室安排" in text[text.index(line):text.index(line) + 200]


def test_audit_log_and_home_show_names(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    tick(mz, inst, inst.active_items[0])
    boss = auditor(app)
    text = visible(boss.client.get("/admin/audit/").get_data(as_text=True))
    assert "测试mz" in text and "系统同步" in text
    assert "做好儿童移交工作 · 盐湖区民政局" in text
    assert "transfer-children@" not in text and ">mz<" not in text
    assert not re.search(r"\b(sync|system|submitted|not_started|in_progress)\b", text)
    home = visible(boss.client.get("/").get_data(as_text=True))
    assert "测试mz" in home and "做好儿童移交工作 · 盐湖区民政局" in home


def test_refused_return_stays_on_the_duty_under_review(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    inst = instance_by_key("transfer-children@yanhu-mz")
    for item in inst.active_items:
        tick(mz, inst, item)
    mz.post(f"/tasks/{inst.id}/notes", {"body": "已完成"})
    inst = instance_by_key("transfer-children@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)})
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = boss.post(f"/supervision/close/{inst.id}",
                         {"decision": "return", "version": str(inst.version), "back": "queue"})
    assert response.status_code == 422  # the duty under review again, the way back to the queue kept
    page = response.get_data(as_text=True)
    assert "退回时请填写理由" in page and 'name="back" value="queue"' in page and "核验销号" in page


def test_extension_date_typed_in_chinese(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("county-protection-agency@yanhu-mz")
    mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2027年6月30日"})
    ext = instance_by_key("county-protection-agency@yanhu-mz").extensions[0]
    assert ext.proposed_deadline.isoformat() == "2027-06-30"
    html = mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert 'type="date"' not in html and 'type="file"' not in html or "选择文件" in html


def test_one_nav_tab_is_highlighted_and_the_board_title_matches_it(app, plan):
    boss = admin(app)
    inst = instance_by_key("transfer-children@yanhu-mz")
    for url, tab in [(f"/tasks/{inst.id}", "任务台账"), ("/supervision/coverage", "督查室"), ("/supervision/", "督查室"),
                     ("/tasks/", "任务台账")]:
        html = boss.client.get(url).get_data(as_text=True)
        current = re.findall(r'<a[^>]*aria-current="page"[^>]*>([^<]+)</a>', html)
        assert current == [tab], (url, current)
    board = boss.client.get("/tasks/").get_data(as_text=True)
    assert "<title>任务台账" in board and "我的任务" not in visible(board)
    mz = liaison(app, "mz", "yanhu-mz")
    assert "<title>我的任务" in mz.client.get("/tasks/").get_data(as_text=True)


def _request_close(mz, key):
    inst = instance_by_key(key)
    for item in inst.active_items:
        tick(mz, inst, item)
    mz.post(f"/tasks/{inst.id}/notes", {"body": "已完成"})
    inst = instance_by_key(key)
    mz.post(f"/tasks/{inst.id}/state", {"action": "request_close", "version": str(inst.version)})
    return instance_by_key(key)


def test_bulk_decisions_in_the_queue_are_each_audited(app, plan):
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import AuditEntry

    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    a = _request_close(mz, "transfer-children@yanhu-mz")
    b = _request_close(mz, "transfer-care@yanhu-mz")
    assert a.state == b.state == "requested"
    queue = boss.client.get("/supervision/").get_data(as_text=True)
    assert 'form="bulk-close"' in queue
    # 退回 without a reason refuses each one, and decides none
    boss.post("/supervision/decide/close", {"selected": [f"{a.id}:{a.version}", f"{b.id}:{b.version}"], "decision": "return"})
    assert instance_by_key(a.key).state == "requested"
    response = boss.post("/supervision/decide/close", {"selected": [f"{a.id}:{a.version}", f"{b.id}:{b.version}"],
                                                       "decision": "close", "comment": "材料齐全"},
                         follow_redirects=True)
    assert "已销号 2 项" in response.get_data(as_text=True)
    assert instance_by_key(a.key).state == instance_by_key(b.key).state == "closed"
    closes = db.session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "close")).all()
    assert sorted(closes) == sorted([str(a.id), str(b.id)])
    # a stale selection (seen at an older version) is refused for that item only
    c = _request_close(mz, "transfer-plan@yanhu-mz")
    response = boss.post("/supervision/decide/close", {"selected": [f"{c.id}:{c.version - 1}"], "decision": "close"},
                         follow_redirects=True)
    assert "1 项未处理" in response.get_data(as_text=True) and instance_by_key(c.key).state == "requested"


def test_bulk_extension_approval(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    boss = admin(app)
    keys = ["county-protection-agency@yanhu-mz", "transfer-plan@yanhu-mz"]
    for key in keys:
        inst = instance_by_key(key)
        mz.post(f"/tasks/{inst.id}/extension", {"reason": "场所改造未完成", "proposed": "2099-06-30"})
    ids = [str(instance_by_key(k).extensions[0].id) for k in keys]
    boss.post("/supervision/decide/extension", {"selected": ids, "decision": "approve"})
    assert all(instance_by_key(k).deadline.isoformat() == "2099-06-30" for k in keys)


def test_liaison_names_the_responsible_person_shown_on_the_board_and_exported(app, plan):
    import csv
    import io

    mz = liaison(app, "mz", "yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    response = mz.post(f"/tasks/{inst.id}/responsible", {"name": "李娜", "phone": "0359-2021234",
                                                          "seen_name": "", "seen_phone": ""})
    assert response.status_code == 302
    assert "李娜" in visible(mz.client.get(f"/tasks/{inst.id}").get_data(as_text=True))
    assert "责任人 李娜" in visible(mz.client.get("/tasks/").get_data(as_text=True))
    rows = list(csv.reader(io.StringIO(mz.client.get("/tasks/export.csv").data.decode("utf-8-sig"))))
    header = rows[0]
    [row] = [r for r in rows[1:] if r[2] == "做好儿童移交工作" and r[4] == "盐湖区民政局"]
    assert row[header.index("具体责任人")] == "李娜" and row[header.index("联系电话")] == "0359-2021234"
    # a form opened before that change does not overwrite it
    response = mz.post(f"/tasks/{inst.id}/responsible", {"name": "王强", "phone": "", "seen_name": "", "seen_phone": ""},
                       follow_redirects=True)
    assert "已被他人修改" in response.get_data(as_text=True)
    assert instance_by_key(inst.key).responsible_name == "李娜"
    # bad phone: a clear message; another unit's liaison may not set it
    response = mz.post(f"/tasks/{inst.id}/responsible", {"name": "李娜", "phone": "call me",
                                                          "seen_name": "李娜", "seen_phone": "0359-2021234"},
                       follow_redirects=True)
    assert "联系电话只能包含数字" in response.get_data(as_text=True)
    other = liaison(app, "yj", "yongji-mz")
    assert other.post(f"/tasks/{inst.id}/responsible", {"name": "x", "seen_name": "李娜",
                                                         "seen_phone": "0359-2021234"}).status_code == 403
    # the version of the duty did not move: a state form opened earlier still works
    assert instance_by_key(inst.key).version == inst.version


def test_clause_page_groups_county_duties_with_a_roll_up(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    html = mz.client.get("/policy/yunmin-2021-74/3.1.1.1").get_data(as_text=True)
    section = html[html.index('data-testid="clause-duties"'):]
    section = section[:section.index("</section>")]
    groups = section.count('data-testid="duty-group"')
    rows = section.count("<tr data-key=")
    assert groups < 10 and rows >= 13 * 3  # a handful of duty lines instead of dozens of identical rows
    assert "已销号 0/13" in section and "13个县（市、区）各一项" in section
    assert re.search(r"本条产生的任务（\d+ 项，落实到 \d+ 个单位）", section)
