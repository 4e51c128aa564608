"""Test data by role (CTFd's gen_* helpers): one call makes what a test needs, through the services.

    office = gen_admin()                       # 督查室 account
    mz = gen_session(app, gen_liaison("mz"))   # a signed-in liaison of 盐湖区民政局
    inst = gen_instance("transfer-children@yanhu-mz")   # needs the `plan` fixture
    gen_note(mz_user, inst, "已召开推进会")

Users go through the account service (so roles and units are checked as in production); duty
work goes through the duty services (so audit entries and state changes are real).
"""
from __future__ import annotations

import threading
from io import BytesIO

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.admin.services import AccountInput, create_account
from portal.extensions import db
from portal.models import DutyInstance, User
from portal.security import second_factor
from portal.security.second_factor import requires_second_factor

PASSWORD = "Correct-horse-9"
DEFAULT_UNIT = {"liaison": "yanhu-mz"}  # liaisons must belong to a unit
PDF = b"%PDF-1.4\n% test evidence\n"


def gen_user(username: str, *roles: str, unit: str | None = None, password: str = PASSWORD) -> User:
    """An account; one that must use a second factor (an admin) has it set up, as in real use, and
    the login helpers answer its code (`second_factor_code`)."""
    unit_code = unit if unit is not None else DEFAULT_UNIT.get(roles[0], "city-mz")
    user = create_account(AccountInput(username, f"测试{username}", list(roles), unit_code, password))
    if requires_second_factor(user):
        second_factor.turn_on(user, second_factor.new_secret(), None)
        db.session.commit()
    return user


def second_factor_code(username: str) -> str:
    """The current code of an account's authenticator. Tests sign the same account in several times
    within one 30-second step, where a person would wait for the next code: the used step is forgotten."""
    import pyotp

    db.session.execute(sa.update(User).where(User.username == username).values(totp_last_step=None))
    db.session.commit()
    secret = db.session.scalar(sa.select(User.totp_secret).where(User.username == username))
    assert secret, f"{username} has no second factor"
    return pyotp.TOTP(secret).now()


def gen_liaison(username: str = "liaison", unit: str = "yanhu-mz") -> User:
    return gen_user(username, "liaison", unit=unit)


def gen_admin(username: str = "office") -> User:
    return gen_user(username, "admin")


def gen_leader(username: str = "leader") -> User:
    return gen_user(username, "leader")


def gen_staff(username: str = "staff") -> User:
    return gen_user(username, "staff")


def gen_trainer(username: str = "trainer") -> User:
    return gen_user(username, "trainer")


def gen_session(app, user: User, password: str = PASSWORD):
    """A test client signed in as `user` (an AuthActions: .post adds the CSRF token)."""
    from tests.conftest import AuthActions

    auth = AuthActions(app.test_client())
    response = auth.login(user.username, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return auth


def gen_sessions(app, prefix: str, n: int, unit: str = "yanhu-mz") -> list:
    """`n` liaisons of one unit, each signed in on its own client."""
    return [gen_session(app, gen_liaison(f"{prefix}{i}", unit)) for i in range(n)]


def gen_instance(key: str) -> DutyInstance:
    """A duty instance of the loaded plan by its key (fresh from the database)."""
    db.session.expire_all()
    inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.key == key))
    assert inst is not None, f"no duty instance {key}: does the test use the `plan` fixture?"
    return inst


def gen_note(user: User, inst: DutyInstance, body: str = "已召开推进会"):
    from portal.duties.services import add_note

    return add_note(user, inst, body)


def gen_tick(user: User, inst: DutyInstance, position: int = 0, done: bool = True):
    from portal.duties.services import set_item

    return set_item(user, inst, inst.active_items[position].id, done)


def gen_evidence(user: User, inst: DutyInstance, filename: str = "材料.pdf", data: bytes = PDF):
    from portal.duties.evidence import add_evidence

    return add_evidence(user, inst, FileStorage(BytesIO(data), filename=filename))


def gen_report(user: User, month: str, progress: str = "本月完成移交准备。", submit: bool = False):
    from portal.reports.services import ReportInput, save

    return save(user, user.unit, month, ReportInput(progress, "", ""), submit, expected_version=None)


def in_parallel(calls) -> list:
    """Run each zero-argument call in its own thread, released together; their responses in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]
    return results
