"""Issue 21 (reminders): a trainee's training is overdue; `flask portal remind` queues the training
reminder, `flask portal deliver` sends it, and it arrives at the local SMTP server (aiosmtpd) in
Chinese, naming the module and how late it is; the office sees it 已送达 on 消息发送情况."""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core.time import today
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user
from tests.ops.test_kill9 import ROOT, command_env, flask_portal
from tests.outbox.receivers import SmtpReceiver
from tests.training.helpers import import_rows, sync_modules, trainee

pytestmark = pytest.mark.browser

DOMAIN = "mz.test.gov.cn"
SUBJECT = "培训提醒：1 项已逾期，0 项即将到期"


@pytest.fixture
def smtp():
    server = SmtpReceiver()
    yield server
    server.close()


def test_the_overdue_training_reminder_reaches_the_mail_server(page, app, plan, smtp, tmp_path):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN=DOMAIN)
    sync_modules()
    from portal.training import services

    admin = make_user("office", "admin")
    make_user("liuhong", "trainee")
    import_rows("刘红梅,儿童主任,盐湖区,北城街道,红旗社区,13800000009,liuhong,")
    module = services.get_module("xinxi-modi-paicha")
    due = today() - timedelta(days=3)
    services.assign_people(admin, module, [trainee("13800000009")], due, backdated=True)

    env = command_env(app, tmp_path)
    env.update(PORTAL_SECRET_KEY=app.config["SECRET_KEY"], PORTAL_SMTP_HOST="127.0.0.1",
               PORTAL_SMTP_PORT=str(smtp.port), PORTAL_SMTP_DOMAIN=DOMAIN)
    for command in ("remind", "deliver"):
        result = subprocess.run(flask_portal(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr

    mails = [mail for rcpts, mail in smtp.messages if rcpts == [f"liuhong@{DOMAIN}"]]
    assert [m["Subject"] for m in mails] == [SUBJECT]
    text = mails[0].get_content()
    assert module.title in text and "已逾期3天" in text and f"{due.year}年{due.month}月{due.day}日" in text

    login(page, "office", PASSWORD)
    page.goto("/admin/outbox/")
    row = page.get_by_test_id("outbox-message").filter(has_text=SUBJECT)
    expect(row.get_by_test_id("outbox-overall")).to_have_text("已送达")
    row.get_by_role("link", name=SUBJECT).click()
    deliveries = page.get_by_test_id("outbox-deliveries")
    expect(deliveries).to_contain_text("电子邮件")
    expect(page.get_by_test_id("delivery-state").filter(has_text="已送达")).to_have_count(2)  # in-app and email
