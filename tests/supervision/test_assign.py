"""交办 without a plan: the office assigns a matter from a leader's 批示; it becomes a duty of the office's
交办 plan with one instance per lead unit, on the 台账 and the board, waiting for the unit's 签收, with
messages in the outbox; refusals are beside the form; a leader's 交办 is their own 批示; the office
closes a 催办 once it is answered."""
from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from portal.models import AssignedMatter, AuditEntry, DutyInstance, OutboxMessage, Plan, Unit, Urge
from portal.supervision import services
from tests.conftest import make_user, signed_in


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _form(**over) -> dict:
    lead = _unit("yanhu-mz")
    data = {"title": "排查辖区内散居孤儿安置情况", "source_kind": "instruction", "instructed_by": "副市长王某",
            "source_date": "2026年12月1日", "source_text": "请民政部门一周内摸清底数，逐人落实。",
            "lead": [str(lead.id)], "cooperating": [str(_unit("city-mz").id)],
            "deadline": (today() + timedelta(days=20)).isoformat(),
            "steps": "摸清底数\n逐人建档\n\n报送情况", "importance": "important", "arrangement": "每周报送进展。"}
    data.update(over)
    return data


def test_office_assigns_a_matter_from_a_instruction(app, plan):
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    page = office.client.get("/duban/assign")
    assert page.status_code == 200 and "牵头单位" in page.get_data(as_text=True)
    sent = office.post("/duban/assign", data={**_form(), "attachment": (io.BytesIO(b"%PDF-1.4 test"), "批示件.pdf")},
                       content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    matter = db.session.scalar(sa.select(AssignedMatter))
    assert matter.serial == 1 and matter.source_kind == "instruction" and matter.importance == "important"
    assert matter.attachment_name == "批示件.pdf"
    duty = matter.duty
    assert duty.plan.kind == "assigned" and duty.deadline_kind == "date" and duty.clause_ids == []
    (inst,) = duty.instances
    assert sent.headers["Location"].endswith(f"/tasks/{inst.id}")
    assert inst.unit.code == "yanhu-mz" and [c.unit.code for c in inst.cooperators] == ["city-mz"]
    assert [i.title for i in inst.items] == ["摸清底数", "逐人建档", "报送情况"]
    assert inst.state == "not_started" and inst.deadline == duty.deadline
    # messages: the lead unit and the cooperating unit, each naming the matter, the 批示 and a link
    messages = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "assignment")))
    assert len(messages) == 2
    lead_msg = next(m for m in messages if "牵头办理" in m.body)
    assert "【重要】交办：排查辖区内散居孤儿安置情况" == lead_msg.subject
    assert "副市长王某" in lead_msg.body and "请民政部门一周内摸清底数" in lead_msg.body and f"/tasks/{inst.id}" in lead_msg.body
    assert any("配合盐湖区民政局办理" in m.body for m in messages)
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "assign_matter"))
    assert audit is not None and audit.actor_name == "office"

    # the duty page shows the source; the 台账 and the list name it; the unit is asked to 签收
    duty_page = office.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "交办事项2026年第1号" in duty_page or f"交办事项{matter.year}年第1号" in duty_page
    assert "请民政部门一周内摸清底数" in duty_page and "批示件.pdf" in duty_page
    assert "排查辖区内散居孤儿安置情况" in office.client.get(f"/tasks/?plan={duty.plan_id}").get_data(as_text=True)
    listing = office.client.get("/duban/assigned").get_data(as_text=True)
    assert "排查辖区内散居孤儿安置情况" in listing and "领导批示" in listing and "重要" in listing
    assert any(p.instance_id == inst.id and p.kind == "duty" for p in services.pending(unit_id=inst.unit_id))
    file = office.client.get(f"/duban/assigned/{matter.id}/attachment")
    assert file.status_code == 200 and file.data.startswith(b"%PDF")

    liaison = signed_in(app, "liaison")
    assert "排查辖区内散居孤儿安置情况" in liaison.client.get("/duban/inbox").get_data(as_text=True)
    assert liaison.post("/duban/ack", data={"kind": "duty", "object_id": inst.id}).status_code == 302
    assert not any(p.instance_id == inst.id for p in services.pending(unit_id=inst.unit_id, kind="duty"))
    # the plan pages do not treat the 交办事项 as a plan one drafts or archives
    assert office.client.get(f"/plans/{duty.plan_id}/review").status_code == 404
    assert office.client.get(f"/plans/{duty.plan_id}").status_code == 302


def test_several_lead_units_each_get_their_own_instance_and_numbers_follow(app, plan):
    make_user("office", "admin")
    office = signed_in(app, "office")
    leads = [str(_unit("yanhu-mz").id), str(_unit("city-mz").id)]
    assert office.post("/duban/assign", data=_form(lead=leads, cooperating=[], source_kind="meeting",
                                                    source_ref="市政府第12次常务会议", source_text="")).status_code == 302
    assert office.post("/duban/assign", data=_form(title="第二件", deadline="")).status_code == 302
    first, second = db.session.scalars(sa.select(AssignedMatter).order_by(AssignedMatter.serial)).all()
    assert (first.serial, second.serial) == (1, 2)
    assert sorted(i.unit.code for i in first.duty.instances) == ["city-mz", "yanhu-mz"]
    assert all("@" in i.key for i in first.duty.instances) and first.duty.scope == "per-unit"
    assert second.duty.deadline_kind == "none" and second.duty.instances[0].deadline is None
    assert db.session.scalar(sa.select(sa.func.count(Plan.id)).where(Plan.kind == "assigned")) == 1


def test_refusals_are_beside_the_form(app, plan):
    make_user("office", "admin")
    office = signed_in(app, "office")
    cases = [(_form(title=""), "请填写交办事项的名称"), (_form(lead=[]), "请选择牵头单位"),
             (_form(source_text=""), "请填写领导批示的内容"),
             (_form(deadline=(today() - timedelta(days=1)).isoformat()), "早于今天"),
             (_form(lead=["999999"]), "所选单位不存在"), (_form(deadline="明年"), "日期"),
             (_form(source_kind="bogus"), "请选择交办来源")]
    for data, words in cases:
        refused = office.post("/duban/assign", data=data)
        assert refused.status_code == 422 and words in refused.get_data(as_text=True), words
    bad_file = office.post("/duban/assign", data={**_form(), "attachment": (io.BytesIO(b"MZ\x90"), "a.exe")},
                           content_type="multipart/form-data")
    assert bad_file.status_code == 422 and "不支持的文件类型" in bad_file.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AssignedMatter.id))) == 0


def test_a_leader_assigns_their_own_instruction_and_a_liaison_cannot(app, plan):
    leader = make_user("mayor", "leader")
    make_user("liaison", "liaison", unit="yanhu-mz")
    auth = signed_in(app, "mayor")
    assert auth.post("/duban/assign", data=_form(source_kind="meeting", instructed_by="")).status_code == 302
    matter = db.session.scalar(sa.select(AssignedMatter))
    assert matter.source_kind == "instruction" and matter.instructed_by == leader.display_name
    assert matter.instructed_by_id == leader.id
    liaison = signed_in(app, "liaison")
    assert liaison.post("/duban/assign", data=_form()).status_code == 403


def test_office_closes_an_answered_urge(app, plan):
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    assert office.post("/duban/assign", data=_form()).status_code == 302
    inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key.like("jiaoban-%")))
    assert office.post(f"/duban/urge?instance={inst.id}", data={"subject": "催办", "body": "请加快。"}).status_code == 302
    urge = db.session.scalar(sa.select(Urge).where(Urge.instance_id == inst.id))
    liaison = signed_in(app, "liaison")
    assert liaison.post(f"/duban/urges/{urge.id}/reply", data={"body": "正在办理。"}).status_code == 302
    assert liaison.post(f"/duban/urges/{urge.id}/close", data={}).status_code == 403
    closed = office.post(f"/duban/urges/{urge.id}/close", data={"back": f"/tasks/{inst.id}"})
    assert closed.status_code == 302 and closed.headers["Location"].endswith(f"/tasks/{inst.id}")
    db.session.expire_all()
    assert urge.closed_at is not None and urge.closed_by.username == "office"
    assert "已办结" in office.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert office.post(f"/duban/urges/{urge.id}/close", data={}).status_code == 302  # twice: no error
    assert office.post(f"/duban/urges/{urge.id + 1000}/close", data={}).status_code == 404  # no such 催办
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "urge_close")) == 1


def test_an_assigned_matter_is_on_the_boards_and_in_every_export(app, plan):
    make_user("office", "admin")
    make_user("liaison", "liaison", unit="yanhu-mz")
    office = signed_in(app, "office")
    assert office.post("/duban/assign", data=_form()).status_code == 302
    inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key.like("jiaoban-%")))
    title = inst.duty.title
    for url in ("/board", f"/board?plan={inst.duty.plan_id}", "/board/report", "/tasks/", "/tasks/?unit=yanhu-mz",
                "/api/duties", "/api/progress", "/supervision/", "/board/assessment", "/plans", "/",
                "/duban/", f"/tasks/{inst.id}"):
        got = office.client.get(url)
        assert got.status_code == 200, url
    assert title in office.client.get("/tasks/?unit=yanhu-mz").get_data(as_text=True)
    for url in ("/board/report.xlsx", "/board/report.docx", "/tasks/export.xlsx", "/tasks/export.csv",
                "/duties/plan.xlsx", "/duties/division.xlsx"):
        assert office.client.get(url).status_code == 200, url
    liaison = signed_in(app, "liaison")
    assert title in liaison.client.get("/", follow_redirects=True).get_data(as_text=True)
