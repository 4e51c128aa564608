"""The channels a delivery goes out on: email over SMTP, 企业微信 and 钉钉 group robots (webhooks taking
JSON), and an SMS gateway (an HTTP endpoint the deployment names). Each `send` either returns (the
receiver accepted it) or raises DeliveryError saying whether trying again later may help.

Every delivery carries its idempotency key, `outbox-<delivery id>`: the email's Message-ID and an
`X-Portal-Delivery` header on webhook and gateway requests (and `id` in the SMS body), so a receiver
that keeps keys can drop the one repeat a deliverer killed between sending and recording may cause.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage

from flask import current_app

from portal.extensions import db
from portal.models import OutboxDelivery, OutboxMessage, RobotWebhook
from portal.security.sealing import unseal

TIMEOUT_S = 10
WEBHOOK_SEAL = "robot-webhook"  # the sealing purpose of robot URLs and secrets (portal/outbox/robots.py)
WECOM_MAX_BYTES = 4000  # 企业微信's markdown content is at most 4096 bytes


class DeliveryError(Exception):
    def __init__(self, text: str, retry: bool = True):
        super().__init__(text)
        self.retry = retry


def idempotency_key(delivery: OutboxDelivery) -> str:
    return f"outbox-{delivery.id}"


def full_link(link: str | None) -> str:
    """Links are stored as the portal's paths; messages leaving the portal carry PORTAL_BASE_URL before them."""
    if not link:
        return ""
    if link.startswith("/"):
        return current_app.config.get("BASE_URL", "") + link
    return link


def send(delivery: OutboxDelivery, message: OutboxMessage) -> None:
    sender = {"email": send_email, "wecom": send_wecom, "dingtalk": send_dingtalk, "sms": send_sms}.get(delivery.channel)
    if sender is None:
        raise DeliveryError(f"未知渠道 {delivery.channel}", retry=False)
    sender(delivery, message)


def send_email(delivery: OutboxDelivery, message: OutboxMessage) -> None:
    config = current_app.config
    host, domain = config.get("SMTP_HOST"), config.get("SMTP_DOMAIN") or "localhost"
    if not host:
        raise DeliveryError("未配置邮件服务器（PORTAL_SMTP_HOST）")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config.get("SMTP_FROM") or f"portal@{domain}"
    mail["To"] = delivery.address
    mail["Message-ID"] = f"<{idempotency_key(delivery)}@{domain}>"
    mail["X-Portal-Delivery"] = idempotency_key(delivery)
    link = full_link(message.link)
    mail.set_content(message.body + (f"\n\n查看详情：{link}" if link else "") + "\n")
    for item in message.attachments:
        main, _, sub = item.content_type.partition("/")
        mail.add_attachment(item.data, maintype=main, subtype=sub, filename=item.filename)
    try:
        with smtplib.SMTP(host, int(config.get("SMTP_PORT", 25)), timeout=TIMEOUT_S) as smtp:
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"收件地址被拒绝：{delivery.address}", retry=_soft(exc.recipients)) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"邮件服务器拒绝（{exc.smtp_code}）", retry=exc.smtp_code < 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"邮件服务器无法连接：{type(exc).__name__}") from exc


def _soft(refused: dict) -> bool:
    """Only temporary refusals (4xx) are worth trying again."""
    return all(code < 500 for code, _ in refused.values())


def robot_markdown(message: OutboxMessage) -> str:
    link = full_link(message.link)
    return f"**{message.subject}**\n\n{message.body}" + (f"\n\n[查看详情]({link})" if link else "")


def send_wecom(delivery: OutboxDelivery, message: OutboxMessage) -> None:
    url, _ = robot_of(delivery)
    content = robot_markdown(message).encode("utf-8")[:WECOM_MAX_BYTES].decode("utf-8", "ignore")
    _post_robot(url, {"msgtype": "markdown", "markdown": {"content": content}}, delivery)


def send_dingtalk(delivery: OutboxDelivery, message: OutboxMessage) -> None:
    url, secret = robot_of(delivery)
    if secret:
        url = signed_dingtalk_url(url, secret)
    payload = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": robot_markdown(message)}}
    _post_robot(url, payload, delivery)


def signed_dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """钉钉's 加签: sign = urlencode(base64(HMAC-SHA256(key=secret, "<timestamp ms>\\n<secret>"))), sent as
    &timestamp=…&sign=…; 钉钉 refuses a timestamp more than an hour from its clock."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def send_sms(delivery: OutboxDelivery, message: OutboxMessage) -> None:
    url = current_app.config.get("SMS_URL")
    if not url:
        raise DeliveryError("未配置短信网关（PORTAL_SMS_URL）")
    link = full_link(message.link)
    text = f"【儿童福利政策落实门户】{message.subject}" + (f" {link}" if link else "")
    status, _ = _post_json(url, {"to": delivery.address, "text": text, "id": idempotency_key(delivery)}, delivery)
    _check_status(status)


def robot_of(delivery: OutboxDelivery) -> tuple[str, str]:
    """The webhook URL and signing secret for a robot delivery: the unit's own, or the office's."""
    config = current_app.config
    if delivery.address == "office":
        url = config.get("WECOM_WEBHOOK" if delivery.channel == "wecom" else "DINGTALK_WEBHOOK")
        secret = config.get("DINGTALK_SECRET", "") if delivery.channel == "dingtalk" else ""
        if not url:
            raise DeliveryError("未配置全局机器人地址", retry=False)
        return url, secret
    unit_id = int(delivery.address.partition(":")[2] or 0)
    robot = db.session.query(RobotWebhook).filter_by(unit_id=unit_id, channel=delivery.channel).one_or_none()
    if robot is None:
        raise DeliveryError("该单位的机器人已被删除", retry=False)
    url = unseal(robot.sealed_url, WEBHOOK_SEAL)
    secret = unseal(robot.sealed_secret, WEBHOOK_SEAL) if robot.sealed_secret else ""
    if url is None or secret is None:
        raise DeliveryError("机器人设置无法解密（系统密钥已更换），请重新填写", retry=False)
    return url, secret


def _post_robot(url: str, payload: dict, delivery: OutboxDelivery) -> None:
    status, body = _post_json(url, payload, delivery)
    _check_status(status)
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if code:  # both robots answer 200 with errcode ≠ 0 when they refuse (bad key, signature, rate limit)
        raise DeliveryError(f"机器人拒收（errcode {code}）：{str(answer.get('errmsg', ''))[:120]}")


def _post_json(url: str, payload: dict, delivery: OutboxDelivery) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "X-Portal-Delivery": idempotency_key(delivery)})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (http(s) only: robots.py)
            return response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"无法连接接收方：{type(exc).__name__}") from exc


def _check_status(status: int) -> None:
    if 200 <= status < 300:
        return
    raise DeliveryError(f"接收方返回 HTTP {status}", retry=status >= 500 or status in (408, 429))
