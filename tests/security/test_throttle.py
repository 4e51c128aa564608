"""Login throttling by account and client address: growing delays, no lockout of a colleague from
elsewhere, no extra tries for a parallel burst, events audited, an admin sees and clears them."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from portal.extensions import db
from portal.models import AuditEntry, LoginFailure, User
from portal.security.throttle import ACCOUNT, ADDRESS, DEVICE, PAIR, wait_seconds
from tests.conftest import PASSWORD, AuthActions, extract_csrf, make_user

THROTTLED = "登录失败次数过多"


def client_at(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return AuthActions(client)


def age_failures(seconds: int) -> None:
    """Move every recorded failure `seconds` into the past (instead of sleeping)."""
    db.session.expire_all()
    for failure in db.session.scalars(sa.select(LoginFailure)):
        failure.at = failure.at - timedelta(seconds=seconds)
    db.session.commit()


def actions(label: str) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_label == label)
                                   .order_by(AuditEntry.id)))


def test_delays_grow_and_are_capped():
    now = datetime(2026, 1, 1, 12, 0, 0)
    assert wait_seconds(PAIR, [now] * (PAIR.free - 1), now) == 0
    waits = [wait_seconds(PAIR, [now] * n, now) for n in range(PAIR.free, PAIR.free + 10)]
    assert waits[:3] == [15, 30, 60]
    assert waits == sorted(waits) and max(waits) == 15 * 60
    # Time passes: the delay is counted from the latest failure.
    assert wait_seconds(PAIR, [now - timedelta(seconds=20)] * PAIR.free, now) == 0


def test_pair_is_delayed_then_may_try_again_with_a_longer_delay(app):
    make_user("target", "staff")
    attacker = client_at(app, "10.0.0.66")
    for _ in range(PAIR.free):
        assert attacker.login("target", "wrong-password").status_code == 422
    # Even the right password is not checked while the delay runs.
    response = attacker.login("target", PASSWORD)
    assert response.status_code == 422 and THROTTLED in response.get_data(as_text=True)
    assert "15 秒" in response.get_data(as_text=True)
    age_failures(16)
    assert THROTTLED not in attacker.login("target", "wrong-again").get_data(as_text=True)
    age_failures(16)  # the next delay is 30 s: 16 s is not enough
    assert THROTTLED in attacker.login("target", PASSWORD).get_data(as_text=True)
    assert actions("target") == ["create"] + ["login_failed"] * PAIR.free + ["login_throttled", "login_failed",
                                                                             "login_throttled"]


def test_an_attacker_elsewhere_cannot_lock_a_colleague_out(app):
    make_user("colleague", "staff")
    own_desk = client_at(app, "10.1.1.5")
    assert own_desk.login("colleague").status_code == 302  # she has logged in from her desk before
    own_desk.client.post("/logout", data={"csrf_token": own_desk.csrf})
    # Many machines hammer her account until every key of theirs is delayed.
    for n in range(ACCOUNT.free + 6):
        client_at(app, f"10.9.0.{n}").login("colleague", "guess-1234")
    assert THROTTLED in client_at(app, "10.9.0.200").login("colleague", "guess-5678").get_data(as_text=True)
    # At her desk she still logs in at once.
    assert client_at(app, "10.1.1.5").login("colleague").status_code == 302
    # From a machine she never used, the account-wide delay applies (the attacker's many machines).
    assert THROTTLED in client_at(app, "10.1.1.99").login("colleague").get_data(as_text=True)


def test_a_colleague_at_her_own_address_cannot_keep_her_locked_out(app):
    """Issue 18: four wrong passwords every few minutes from the same office NAT (or a shared PC's
    other browser profile) used to hold the owner at her own desk. Her browser has signed in before:
    it is judged by its own failures only."""
    make_user("owner", "staff")
    desk = client_at(app, "10.2.2.2")
    assert desk.login("owner").status_code == 302
    desk.client.post("/logout", data={"csrf_token": desk.csrf})
    colleague = client_at(app, "10.2.2.2")  # same address, another browser
    for _round in range(3):  # every few minutes, all day
        for _ in range(PAIR.free + 1):
            colleague.login("owner", "wrong-guess-1")
        assert THROTTLED in colleague.login("owner", PASSWORD).get_data(as_text=True)
        assert desk.login("owner").status_code == 302  # at once, with her own password
        desk.client.post("/logout", data={"csrf_token": desk.csrf})
        age_failures(60)
    # Her browser still has a budget of its own: guesses typed there meet the delays too.
    for _ in range(DEVICE.free):
        assert desk.login("owner", "not-it-1234").status_code == 422
    assert THROTTLED in desk.login("owner", PASSWORD).get_data(as_text=True)


def test_a_device_token_counts_only_for_its_own_account_and_cannot_be_forged(app):
    make_user("owner", "staff")
    make_user("other", "staff")
    shared = client_at(app, "10.3.3.3")
    assert shared.login("other").status_code == 302  # the browser knows "other", not "owner"
    shared.client.post("/logout", data={"csrf_token": shared.csrf})
    for _ in range(PAIR.free):
        client_at(app, "10.3.3.3").login("owner", "wrong-guess-1")
    assert THROTTLED in shared.login("owner", PASSWORD).get_data(as_text=True)
    forged = client_at(app, "10.3.3.3")
    owner_id = db.session.scalar(sa.select(User.id).where(User.username == "owner"))
    forged.client.set_cookie("portal_device", URLSafeSerializer("guessed-key", salt="portal-login-device")
                             .dumps({str(owner_id): "made-up-token"}))
    assert THROTTLED in forged.login("owner", PASSWORD).get_data(as_text=True)


def test_one_address_spraying_many_accounts_is_delayed(app):
    make_user("victim", "staff")
    sprayer = client_at(app, "10.6.6.6")
    for n in range(ADDRESS.free):
        sprayer.login(f"user{n}", "Summer-2026")
    assert THROTTLED in sprayer.login("victim", PASSWORD).get_data(as_text=True)
    assert client_at(app, "10.6.6.7").login("victim").status_code == 302


def test_a_shared_office_address_does_not_hold_back_someone_who_works_there(app):
    make_user("clerk", "staff")
    office = client_at(app, "10.8.8.8")
    assert office.login("clerk").status_code == 302
    for n in range(ADDRESS.free + 5):  # colleagues behind the same NAT mistype all day
        client_at(app, "10.8.8.8").login(f"someone{n}", "typo-2026")
    assert client_at(app, "10.8.8.8").login("clerk").status_code == 302


@pytest.mark.fresh_db  # threads commit on their own connections
def test_a_parallel_burst_gets_no_extra_tries(app):
    make_user("target", "staff")
    burst = 12
    clients = []
    for _ in range(burst):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.77"
        clients.append((client, extract_csrf(client.get("/login").get_data(as_text=True))))
    barrier = threading.Barrier(burst)
    statuses = []

    def attempt(client, token):
        barrier.wait()
        response = client.post("/login", data={"username": "target", "password": "wrong-password", "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [422] * burst
    log = actions("target")
    assert log.count("login_failed") <= PAIR.free, log  # passwords checked: never more than the free tries
    assert log.count("login_failed") + log.count("login_throttled") == burst
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == log.count("login_failed")


def test_security_admin_sees_and_clears_a_throttle(app, auth):
    target = make_user("target", "staff")
    attacker = client_at(app, "10.0.0.66")
    for _ in range(PAIR.free + 1):
        attacker.login("target", "wrong-password")
    auth.as_role("security_admin")  # 三员分立: not the system administrator
    html = auth.client.get("/admin/login-protection/").get_data(as_text=True)
    assert target.display_name in html and "10.0.0.66" in html and "受限" in html
    assert "不存在的账号" not in html  # shown by name; only a typed unknown login is shown as typed
    response = auth.post("/admin/login-protection/clear", {"scope": "pair", "username": "target", "ip": "10.0.0.66"},
                         follow_redirects=True)
    assert "已解除" in response.get_data(as_text=True)
    assert attacker.login("target").status_code == 302
    assert "clear_login_failures" in actions("target")
    bad = auth.post("/admin/login-protection/clear", {"scope": "everything", "username": "", "ip": ""})
    assert bad.status_code == 422  # no such 解除 on the page: the reason on top of it
    assert 'data-testid="form-refused">请求无效，请刷新页面后重试。' in bad.get_data(as_text=True)
