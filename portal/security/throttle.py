"""Login throttling by account, client address and browser, with growing delays.

Each key has a few free failures and then a delay that doubles per further failure (capped),
counted over a sliding window. Every step of a sign-in (the password, then the second factor's
code) is counted on its own (`step`).

A browser where the account has signed in before carries a *device token* for that account (a
signed cookie, portal/security/devices.py). Its attempts are judged by one key only:

- the device (account, device token): the owner's own browser has a budget nobody else can use up.

Attempts without one (a new browser, a colleague's PC, an attacker) are judged by three keys:

- the pair (typed account, client address), device-less attempts only: one machine guessing one account;
- the client address alone: one machine spraying many accounts;
- the account from any address: many machines on one account.
  The last two never hold an account's owner at an address they have logged in from before.

Why this makes the promise true: a colleague at the owner's own address (the same office NAT, or
a shared PC with its own browser profile) who types wrong passwords for her account fills the
*pair* key of that address; the owner's browser carries her device token and is judged by its own
key, which only guesses made in that browser fill. She signs in at once, and her own typos still
meet the delays. A correct password is never let through a running delay instead: that would
give a guesser one free check per delay, and checks are what the delays ration. What is left: the
owner on a browser she has never used at that address meets the pair's delay (an admin clears
it under 登录保护), and someone typing in her own browser profile counts against her device.

Every attempt first *reserves* a row (committed) and only then counts the rows of its keys, so a
parallel burst sees its own members and gets no extra tries. A throttled attempt removes its
reservation; a failed one keeps it as the failure; a successful one clears its own key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.core.time import utcnow
from portal.extensions import db
from portal.models import AuditEntry, LoginFailure, User

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Policy:
    key: str
    free: int  # failures allowed without delay
    base_seconds: int  # the first delay; each further failure doubles it
    cap_seconds: int

    def delay_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.base_seconds * 2 ** min(failures - self.free, 20), self.cap_seconds)


PAIR = Policy("pair", free=4, base_seconds=15, cap_seconds=15 * 60)
DEVICE = Policy("device", free=4, base_seconds=15, cap_seconds=15 * 60)
ADDRESS = Policy("address", free=20, base_seconds=15, cap_seconds=15 * 60)
ACCOUNT = Policy("account", free=10, base_seconds=30, cap_seconds=15 * 60)

KEY_LABELS = {"pair": "该账号在此地址", "address": "此地址", "account": "该账号（陌生地址）",
              "device": "该账号在此浏览器"}
PASSWORD, CODE = "password", "code"  # the steps of a sign-in
STEP_LABELS = {PASSWORD: "密码", CODE: "动态验证码"}


def wait_seconds(policy: Policy, failure_times: list[datetime], now: datetime) -> int:
    """Seconds still to wait, given the other failures of a key inside the window. Pure."""
    delay = policy.delay_after(len(failure_times))
    if not delay:
        return 0
    remaining = (max(failure_times) + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(remaining + 0.999))


@dataclass
class Verdict:
    wait: int  # seconds; 0 = go ahead
    key: str = ""


def reserve(username: str, ip: str, device: str = "", step: str = PASSWORD) -> LoginFailure:
    """Record the attempt before judging it (committed, so concurrent attempts see it)."""
    attempt = LoginFailure(username=username[:64], ip=ip[:64], at=utcnow(), device=device[:32], step=step)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _times(*conditions) -> list[datetime]:
    return list(db.session.scalars(sa.select(LoginFailure.at).where(*conditions)))


def known_address(user: User | None, ip: str) -> bool:
    """Has this account logged in successfully from this address before (the audit log says)?

    Asked for unknown accounts too (of an id no account has), so the answer costs the same time."""
    if not ip:
        return False
    return db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.action == "login", AuditEntry.object_type == "user",
                                       AuditEntry.object_id == (str(user.id) if user else "-"),
                                       AuditEntry.ip == ip[:64]).limit(1)
    ) is not None


def judge(attempt: LoginFailure, user: User | None) -> Verdict:
    """How long this attempt must wait, over its keys (the longest wins)."""
    now = attempt.at
    since = now - WINDOW
    others = (LoginFailure.id != attempt.id, LoginFailure.at >= since, LoginFailure.step == attempt.step)
    if attempt.device:
        # The owner's browser: only what was typed in it counts (see the module's docstring).
        times = _times(*others, LoginFailure.username == attempt.username, LoginFailure.device == attempt.device)
        wait = wait_seconds(DEVICE, times, now)
        return Verdict(wait, DEVICE.key if wait else "")
    checks = [(PAIR, _times(*others, LoginFailure.username == attempt.username, LoginFailure.ip == attempt.ip,
                            LoginFailure.device == ""))]
    if not known_address(user, attempt.ip):
        # Neither many machines on this account nor others' failures at a shared address (an
        # office behind one NAT) hold the owner back at a machine they have used before.
        checks.append((ADDRESS, _times(*others, LoginFailure.ip == attempt.ip)))
        checks.append((ACCOUNT, _times(*others, LoginFailure.username == attempt.username)))
    verdict = Verdict(0)
    for policy, times in checks:
        wait = wait_seconds(policy, times, now)
        if wait > verdict.wait:
            verdict = Verdict(wait, policy.key)
    return verdict


def withdraw(attempt: LoginFailure) -> None:
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == attempt.id))


def clear_key(attempt: LoginFailure) -> None:
    """After a success: the failures of the key this attempt was judged by (its device, or its pair)."""
    mine = (LoginFailure.device == attempt.device) if attempt.device else (LoginFailure.ip == attempt.ip)
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == attempt.username,
                                                     LoginFailure.step == attempt.step, mine))


# --- what the admin page shows and clears -------------------------------------------------


@dataclass
class ThrottleRow:
    username: str
    ip: str
    failures: int
    last: datetime
    wait: int
    account: User | None
    step: str = PASSWORD

    @property
    def step_label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)


def current_rows(now: datetime | None = None) -> list[ThrottleRow]:
    """Failures in the window per (account, address), the delayed ones first."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(LoginFailure.username, LoginFailure.ip, sa.func.count(LoginFailure.id), sa.func.max(LoginFailure.at),
                  LoginFailure.step)
        .where(LoginFailure.at >= now - WINDOW)
        .group_by(LoginFailure.username, LoginFailure.ip, LoginFailure.step)
    ).all()
    names = {r[0] for r in rows}
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(names)))} if names else {}
    result = []
    for username, ip, count, last, step in rows:
        wait = PAIR.delay_after(count)
        remaining = max(0, int((last + timedelta(seconds=wait) - now).total_seconds())) if wait else 0
        result.append(ThrottleRow(username, ip, count, last, remaining, users.get(username), step))
    result.sort(key=lambda r: (-r.wait, -r.failures, r.username, r.ip))
    return result


def clear(scope: str, username: str, ip: str) -> int:
    """Remove failures of one pair, one account (all addresses) or one address (all accounts)."""
    conditions = {
        "pair": (LoginFailure.username == username, LoginFailure.ip == ip),
        "account": (LoginFailure.username == username,),
        "address": (LoginFailure.ip == ip,),
    }[scope]
    return db.session.execute(sa.delete(LoginFailure).where(*conditions)).rowcount
