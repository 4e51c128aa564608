from __future__ import annotations

import pytest

from tests.outbox.receivers import HttpReceiver, SmtpReceiver

DOMAIN = "mz.test.gov.cn"
DINGTALK_SECRET = "SECtest-signing-secret"


@pytest.fixture
def smtp():
    server = SmtpReceiver()
    yield server
    server.close()


@pytest.fixture
def receiver():
    server = HttpReceiver()
    yield server
    server.close()


@pytest.fixture
def channels_on(app, smtp, receiver):
    """Every channel configured against the local receivers (app.config is restored after the test)."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_DOMAIN=DOMAIN, SMTP_FROM=f"portal@{DOMAIN}",
                      WECOM_WEBHOOK=f"{receiver.url}/wecom?key=office-key",
                      DINGTALK_WEBHOOK=f"{receiver.url}/dingtalk?access_token=office-token",
                      DINGTALK_SECRET=DINGTALK_SECRET, SMS_URL=f"{receiver.url}/sms",
                      BASE_URL="https://portal.test.gov.cn")
    return app
