"""A failed login costs one password hash whether or not the username exists (or the account is
active): the answer's timing tells nothing about which usernames are real (issue 18: ≈260 ms for a
real account, ≈20 ms for an unknown one)."""
from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa

import portal.models.users as users_module
from portal.extensions import db
from portal.models import LoginFailure
from tests.conftest import PASSWORD, AuthActions, make_user


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash checked during a request: (hash method, password)."""
    calls = []
    real = users_module.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(users_module, "check_password_hash", counting)
    return calls


def test_unknown_inactive_and_wrong_password_each_cost_one_hash_of_the_same_kind(app, hash_checks):
    user = make_user("real", "staff")
    make_user("gone", "staff").active = False
    db.session.commit()
    client = AuthActions(app.test_client())
    outcomes = {}
    for name, password in (("real", "Wrong-guess-42"), ("nobody-here", "Wrong-guess-42"), ("gone", PASSWORD)):
        hash_checks.clear()
        response = client.login(name, password)
        outcomes[name] = (response.status_code, list(hash_checks))
    real_method = user.password_hash.split("$", 1)[0]
    assert outcomes == {name: (422, [real_method]) for name in ("real", "nobody-here", "gone")}


def test_with_a_costly_hash_an_unknown_name_takes_as_long_as_a_real_one(app, app_config):
    """Measured: the median of several tries each, with a hash costly enough to dominate the request."""
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:150000"
    make_user("real", "staff")
    client = AuthActions(app.test_client())

    def median_seconds(name: str) -> float:
        times = []
        for i in range(5):
            db.session.execute(sa.delete(LoginFailure))  # measure the check, not the throttle's refusal
            db.session.commit()
            start = time.perf_counter()
            client.login(name, f"Wrong-guess-{i}")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    median_seconds("real")  # warm up (the unknown-account hash is made once per process)
    known, unknown = median_seconds("real"), median_seconds("nobody-here")
    assert 0.5 < unknown / known < 2, (known, unknown)
