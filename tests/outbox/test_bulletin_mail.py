"""The 通报 emailed to leaders (issue #20): the office sets the day of the month and the recipients in
督办设置; `flask portal remind` queues the month's 通报 once, on or after that day, with its .xlsx and
.docx attached; `flask portal deliver` mails them; `flask portal send-bulletin` sends one now."""
from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from docx import Document

from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage, SupervisionSettings
from tests.conftest import AuthActions, make_user


def _office(app) -> AuthActions:
    make_user("office", "admin")
    auth = AuthActions(app.test_client())
    assert auth.login("office").status_code == 302
    return auth


def _bulletins() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "bulletin")))


def test_the_bulletin_goes_to_the_leaders_once_a_month_with_its_files(channels_on, plan, runner, smtp, clock):
    leader = make_user("mayor", "leader")
    office = _office(channels_on)
    page = office.client.get("/duban/settings").get_data(as_text=True)
    assert "通报定时发送" in page and "测试mayor" in page
    assert db.session.get(SupervisionSettings, 1) is None  # reading the settings wrote nothing
    saved = office.post("/duban/settings/bulletin", data={"day": "10", "recipients": [str(leader.id)], "version": "1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    row = db.session.get(SupervisionSettings, 1)
    assert (row.bulletin_day, row.bulletin_to) == (10, [leader.id])
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "supervision_settings",
                                                         AuditEntry.object_label == "通报定时发送")) is not None

    for day, expected in ((date(2026, 12, 9), 0), (date(2026, 12, 10), 1), (date(2026, 12, 11), 1)):
        clock(day)
        result = runner.invoke(args=["portal", "remind"])
        assert result.exit_code == 0, result.output
        assert len(_bulletins()) == expected, day
    (message,) = _bulletins()
    assert message.subject.startswith("全市儿童福利机构优化提质和创新转型工作推进情况通报（2026年12月1日至2026年12月10日）")
    assert sorted(a.filename.rsplit(".", 1)[1] for a in message.attachments) == ["docx", "xlsx"]

    assert runner.invoke(args=["portal", "deliver"]).exit_code == 0
    mails = [m for to, m in smtp.messages if to == ["mayor@mz.test.gov.cn"] and "通报" in m["Subject"]]
    assert len(mails) == 1
    files = {part.get_filename(): part.get_content() for part in mails[0].iter_attachments()}
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["docx", "xlsx"]
    word = Document(io.BytesIO(next(data for name, data in files.items() if name.endswith(".docx"))))
    assert word.paragraphs[0].text == "运城市民政局" and "一、总体情况" in [p.text for p in word.paragraphs]
    assert "https://portal.test.gov.cn/board/report?start=2026-12-01&end=2026-12-10" in mails[0].get_body(("plain",)).get_content()

    # sent now, by hand
    sent = runner.invoke(args=["portal", "send-bulletin"])
    assert sent.exit_code == 0 and "通报：" in sent.output and len(_bulletins()) == 2


def test_the_schedule_form_refuses_bad_input_beside_it(app, plan):
    office = _office(app)
    for data, words in (({"day": "40", "version": "1"}, "每月发送日"), ({"day": "x", "version": "1"}, "每月发送日"),
                        ({"day": "5", "recipients": ["999999"], "version": "1"}, "接收人不存在"),
                        ({"day": "5", "recipients": ["abc"], "version": "1"}, "接收人")):
        refused = office.post("/duban/settings/bulletin", data=data)
        assert refused.status_code == 422 and words in refused.get_data(as_text=True), data
    assert db.session.get(SupervisionSettings, 1) is None


def test_send_bulletin_without_recipients_says_so(app, plan, runner):
    result = runner.invoke(args=["portal", "send-bulletin"])
    assert result.exit_code == 0 and "未设置接收人" in result.output and _bulletins() == []
