"""A unit's 企业微信 and 钉钉 group robots, set on the office's page: the address checked, stored sealed,
shown back only as a hint, every change in the audit log. Also the person's own contact details and
channel choices, audited the same way (one home for what the outbox's pages change)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa

from portal.audit.services import record
from portal.extensions import db
from portal.models import RobotWebhook, Unit, User
from portal.outbox import CHANNELS, KINDS
from portal.outbox.channels import WEBHOOK_SEAL
from portal.outbox.recipients import set_choices
from portal.security.sealing import seal

URL_MAX = 500
SECRET_MAX = 200
MOBILE_RE = re.compile(r"^1\d{10}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")


class RobotError(ValueError):
    pass


def check_url(url: str) -> str | None:
    """Why a robot address is not acceptable, in Chinese; None when it is."""
    example = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
    if len(url) > URL_MAX:
        return f"机器人地址过长（最多 {URL_MAX} 个字符）。"
    if any(ch.isspace() for ch in url):
        return "机器人地址中不能有空格或换行。"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return f"机器人地址格式不正确，应为完整网址，如 {example}"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"机器人地址应为 https:// 开头的完整网址，如 {example}"
    if parts.username or parts.password:
        return "机器人地址中不能含用户名或密码。"
    return None


def url_hint(url: str) -> str:
    """The address as the page shows it back: host and path, each query value cut to its ends."""
    parts = urlsplit(url)
    query = "&".join(f"{k}={_cut(v)}" for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def _cut(value: str) -> str:
    return "…" if len(value) <= 8 else f"{value[:3]}…{value[-3:]}"


def secret_hint(secret: str) -> str:
    return "" if not secret else f"{secret[:3]}…{secret[-2:]}" if len(secret) > 8 else "…"


def robots_of(unit: Unit) -> dict[str, RobotWebhook]:
    return {r.channel: r for r in db.session.scalars(sa.select(RobotWebhook).where(RobotWebhook.unit_id == unit.id))}


def save_robot(actor: User, unit: Unit, channel: str, url: str, secret: str = "", remove: bool = False) -> bool:
    """Set, change or remove a unit's robot; an empty URL (or secret) keeps what is stored. True when
    something changed. No commit."""
    assert channel in ("wecom", "dingtalk"), channel
    robot = robots_of(unit).get(channel)
    url, secret = url.strip(), secret.strip()
    if remove:
        if robot is None:
            return False
        before = {"channel": CHANNELS[channel], "url": robot.url_hint}
        db.session.delete(robot)
        record("remove_robot", "unit", unit.code, label=unit.name, before=before, actor=actor)
        return True
    if not url and not (secret and robot):
        return False
    if url:
        problem = check_url(url)
        if problem:
            raise RobotError(f"{CHANNELS[channel]}：{problem}")
    if len(secret) > SECRET_MAX:
        raise RobotError(f"{CHANNELS[channel]}：加签密钥过长（最多 {SECRET_MAX} 个字符）。")
    if robot is None:
        if not url:
            raise RobotError(f"{CHANNELS[channel]}：请先填写机器人地址。")
        robot = RobotWebhook(unit_id=unit.id, channel=channel, sealed_secret="", secret_hint="")
        db.session.add(robot)
    before = {"url": robot.url_hint, "secret": "已设置" if robot.secret_hint else "未设置"} if robot.id else None
    if url:
        robot.sealed_url, robot.url_hint = seal(url, WEBHOOK_SEAL), url_hint(url)[:120]
    if secret:
        robot.sealed_secret, robot.secret_hint = seal(secret, WEBHOOK_SEAL), secret_hint(secret)
    record("set_robot", "unit", unit.code, label=unit.name, before=before, actor=actor,
           after={"channel": CHANNELS[channel], "url": robot.url_hint, "secret": "已设置" if robot.secret_hint else "未设置"})
    return True


def save_choices(actor: User, wanted: dict[tuple[str, str], bool], *, user: User | None = None,
                 unit: Unit | None = None) -> bool:
    """A person's (their own) or a unit's channel choices, audited in words. No commit."""
    changed = set_choices(wanted, user_id=user.id if user else None, unit_id=unit.id if unit else None)
    if not changed["on"] and not changed["off"]:
        return False
    on, off = ([f"{KINDS[k]}·{CHANNELS[c]}" for k, c in (item.split("/") for item in changed[side])] for side in ("on", "off"))
    words = {"on": on, "off": off}
    if user is not None:
        record("set_channels", "user", user.id, label=user.display_name, after=words, actor=actor)
    else:
        record("set_channels", "unit", unit.code, label=unit.name, after=words, actor=actor)
    return True


def save_contact(user: User, email: str, mobile: str) -> list[str]:
    """The person's email and mobile (empty clears them); the problems, in Chinese, when refused. No commit."""
    email, mobile = email.strip(), mobile.strip()
    problems = []
    if email and (len(email) > 120 or not EMAIL_RE.match(email)):
        problems.append("电子邮箱格式不正确，如 zhangsan@mz.example.gov.cn。")
    if mobile and not MOBILE_RE.match(mobile):
        problems.append("手机号码应为 11 位数字，如 13800000000。")
    if problems:
        return problems
    before = {"email": user.email or "", "mobile": user.mobile or ""}
    after = {"email": email, "mobile": mobile}
    if before != after:
        user.email, user.mobile = email or None, mobile or None
        record("set_contact", "user", user.id, label=user.display_name, before=before, after=after, actor=user)
    return []
