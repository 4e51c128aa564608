"""Accounts, their roles, and recent failed logins (for throttling)."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.roles import ROLE_ORDER
from portal.core.time import utcnow
from portal.extensions import db
from portal.models.org import Unit


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    unit_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    # Deactivated accounts cannot log in; they are never deleted (the audit trail names them).
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    password_changed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Set for an account whose first password someone else chose (a roster import): until the holder
    # sets their own, every page leads to the password change.
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # A second factor (TOTP, portal/security/second_factor.py): the shared secret once enrolment is
    # confirmed, and the last 30-second step a code was accepted for (a code works once).
    totp_secret: so.Mapped[Optional[str]] = so.mapped_column(sa.String(64))
    totp_last_step: so.Mapped[Optional[int]] = so.mapped_column(sa.BigInteger)
    totp_enabled_at: so.Mapped[Optional[datetime]] = so.mapped_column()
    # Where messages reach the person (portal/outbox): email (else username@PORTAL_SMTP_DOMAIN) and a
    # mobile number for the SMS gateway; both set by the person on 我的账号.
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    mobile: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    # Optimistic locking: an edit based on a stale form is refused, not silently merged.
    version: so.Mapped[int] = so.mapped_column(default=1)

    unit: so.Mapped[Optional[Unit]] = so.relationship()
    role_rows: so.Mapped[list["UserRole"]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The session names the password too: changing or resetting it ends other sessions."""
        return f"{self.id}:{self.password_stamp}"

    @property
    def password_stamp(self) -> int:
        return int((self.password_changed_at - datetime(1970, 1, 1)).total_seconds() * 1000)

    @property
    def roles(self) -> list[str]:
        have = self.__dict__.get("_role_names")
        if have is None:
            have = {r.role for r in self.role_rows}
        return [r for r in ROLE_ORDER if r in have]

    def remember_roles(self) -> None:
        """Keep the role names beside the object for this request (the per-request loader calls it):
        a commit expires `role_rows`, and a page rendered after a write need not read them again."""
        self.__dict__["_role_names"] = frozenset(r.role for r in self.role_rows)

    def set_roles(self, roles: list[str]) -> None:
        self.__dict__.pop("_role_names", None)
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        for role in ROLE_ORDER:
            if role in wanted and role not in have:
                self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: str) -> bool:
        names = self.__dict__.get("_role_names")
        if names is not None:
            return any(r in names for r in roles)
        return any(r.role in roles for r in self.role_rows)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_hash_method())
        self.password_changed_at = utcnow()
        self.must_change_password = False

    def check_password(self, password: str) -> bool:  # any method werkzeug knows, whatever made the hash
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


_DUMMY_HASHES: dict[str, str] = {}


def check_no_account(password: str) -> None:
    """The work of checking a password, for a username no account has: the same hash method and
    cost as a real account's, so a failed login takes as long whether or not the name exists."""
    method = _hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_DUMMY_HASHES[method], password)


def _hash_method() -> str:
    """werkzeug's scrypt by default; the test suite asks for a cheap method (PASSWORD_HASH_METHOD)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)

    user: so.Mapped[User] = so.relationship(back_populates="role_rows")


class LoginFailure(db.Model):
    """One login attempt being judged, or a failed one, for a typed username (known or not) and a
    client address; see portal/security/throttle.py."""

    __tablename__ = "login_failure"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    # "password" or "code" (the second factor's step): each step has its own budget.
    step: so.Mapped[str] = so.mapped_column(sa.String(10), default="password", server_default="password")
    # The browser's device token for this account when it presented one (it signed in there before):
    # such attempts are counted on their own, so others' failures at the same address cannot hold it.
    device: so.Mapped[str] = so.mapped_column(sa.String(32), default="", server_default="", index=True)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the second factor (a lost phone). Only its hash is kept."""

    __tablename__ = "recovery_code"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    used_at: so.Mapped[Optional[datetime]] = so.mapped_column()


class EndedSession(db.Model):
    """A signed-in session ended by 退出. The session cookie is signed, not stored: a response
    already under way when the person pressed 退出 could set the signed-in cookie again, so the
    session's id is kept here until the cookie would have expired anyway (portal/security/sessions.py)."""

    __tablename__ = "ended_session"

    sid: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    ended_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
