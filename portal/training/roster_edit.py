"""Correcting one trainee: the roster file's rules for one row, the trainer's scope, phone and account
uniqueness, a stale-form check, and an audit entry with before and after (the history stays)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal.audit.display import present
from portal.audit.services import record
from portal.core.roles import holds_other_than_trainee, is_trainee_only
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import AuditEntry, Trainee, TrainingPlace, Unit, User
from portal.training.roster import (
    ImportResult,
    accounts_by_name,
    add_places,
    create_account,
    initial_password,
    plain_values,
    trainee_values,
)
from portal.training.roster_file import RowProblem, check_one
from portal.training.scope import can_manage, county_name_map
from portal.training.services import assign_late_joiners


@dataclass
class TraineeEdit:
    """The form's values, as a roster row would give them (role as 儿童督导员/儿童主任, county by name)."""

    name: str
    post_label: str
    county_name: str
    township: str
    village: str
    phone: str
    account: str
    note: str
    active: bool
    version: int


@dataclass
class EditResult:
    problems: list[RowProblem] = field(default_factory=list)  # column = the form field's Chinese label
    changed: dict = field(default_factory=dict)
    initial_password: tuple[str, str, str] | None = None  # (name, account, password) of a new account
    stale: bool = False
    clash: bool = False  # someone registered the same phone or account while this was saved

    @property
    def ok(self) -> bool:
        return not self.problems and not self.stale and not self.clash


def form_values(t: Trainee) -> dict:
    """The trainee as the edit form shows it."""
    return dict(name=t.name, role=t.post, county=t.county.name, township=t.township.name,
                village=t.village.name if t.village else "", phone=t.phone,
                account=t.user.username if t.user else "", note=t.note, active=t.active, version=t.version)


def edit_trainee(user: User, t: Trainee, data: TraineeEdit) -> EditResult:
    """Apply the corrections (all or nothing). Refused, with the reason per field, when a rule of the
    roster file fails, the county is outside the user's scope, the phone or account belongs to someone
    else, or someone changed the trainee since the form was opened (`stale`); `clash` when a parallel
    import or edit registered the same phone or account between the check and the write."""
    result = EditResult()
    if data.version != t.version:
        result.stale = True
        return result
    names = county_name_map()
    cells = [data.name, data.post_label, data.county_name, data.township, data.village, data.phone,
             data.account, data.note]
    row, result.problems = check_one(cells, names.get)
    if row is None:
        return result
    county = db.session.scalar(sa.select(Unit).where(Unit.code == row.county))
    _check_scope_and_uniqueness(user, t, row, county, result)
    if result.problems:
        return result
    try:
        if not _apply_edit(user, t, row, county, data, result):
            return result
    except StaleDataError:  # changed and committed by someone else after the check above
        db.session.rollback()
        return EditResult(stale=True)
    except sa.exc.IntegrityError:  # a parallel import or edit registered this phone or account meanwhile
        db.session.rollback()
        return EditResult(clash=True)
    if "active" in result.changed and t.active:
        assign_late_joiners([t.id])
    db.session.commit()
    return result


def _apply_edit(user: User, t: Trainee, row, county: Unit, data: TraineeEdit, result: EditResult) -> bool:
    """Write the checked corrections (places and a new account as needed) and flush; False when
    nothing differs from what is stored."""
    accounts = accounts_by_name([row.account] if row.account else [])
    places = add_places([row], {row.county: county}, {county.id}, ImportResult(), dry_run=False)
    if row.account and row.account.lower() not in accounts:
        password = create_account(row, accounts, user)
        result.initial_password = (row.name, row.account, password)
    values = trainee_values(row, county, places, accounts)
    values.update(phone=row.phone, active=data.active, user_id=values.get("user_id") if row.account else None)
    result.changed = {k: v for k, v in values.items() if getattr(t, k) != v}
    if not result.changed:
        db.session.rollback()
        return False
    before = {k: getattr(t, k) for k in result.changed}
    old_account = t.user
    for k, v in result.changed.items():
        setattr(t, k, v)
    _follow_account(old_account, t, user)
    t.updated_at = utcnow()
    record("update", "trainee", t.id, label=t.name, before=_readable(before), after=_readable(result.changed),
           actor=user)
    db.session.flush()
    return True


def _follow_account(old_account: User | None, t: Trainee, user: User) -> None:
    """A 学员-only login exists for the trainee's own training: unlinked from them it is switched off
    (nobody else's training to see), and it follows the trainee going inactive or active again."""
    if old_account is not None and is_trainee_only(old_account) and old_account.id != t.user_id:
        _set_login(old_account, False, user)
    current = db.session.get(User, t.user_id) if t.user_id else None  # t.user is not refreshed before a flush
    if current is not None and is_trainee_only(current):
        _set_login(current, t.active, user)


def _set_login(account: User, active: bool, user: User) -> None:
    if account.active != active:
        account.active = active
        record("reactivate" if active else "deactivate", "user", account.id, label=account.username,
               before={"active": not active}, after={"active": active}, actor=user)


def _check_scope_and_uniqueness(user: User, t: Trainee, row, county: Unit, result: EditResult) -> None:
    def bad(column: str, reason: str) -> None:
        result.problems.append(RowProblem(0, column, reason))

    if not can_manage(user, county.id):
        bad("县（市、区）", f"{county.name}不在您负责的范围内")
    other = db.session.scalar(sa.select(Trainee).where(Trainee.phone == row.phone, Trainee.id != t.id))
    if other is not None:
        if can_manage(user, other.county_id):
            bad("手机号", f"该手机号已登记为{other.name}（{other.county.name}{other.township.name}），每人手机号须唯一")
        else:  # not theirs to see: say only where, not who
            bad("手机号", "该手机号已登记在您负责范围以外的县（市、区），每人手机号须唯一")
    if row.account:
        account = accounts_by_name([row.account]).get(row.account.lower())
        if account is not None and holds_other_than_trainee(account):
            bad("账号", f"“{row.account}”是工作人员账号，不能用作学员账号")
        elif account is not None:
            holder = db.session.scalar(sa.select(Trainee).where(Trainee.user_id == account.id, Trainee.id != t.id))
            if holder is not None:
                bad("账号", f"“{row.account}”已由另一名学员使用")


def _readable(values: dict) -> dict:
    """Audit values in words: place and account names rather than ids."""
    out = plain_values(values)
    if "county_id" in values:
        out["county"] = db.session.get(Unit, values["county_id"]).name
    if "township_id" in values:
        out["township"] = _area_name(values["township_id"])
    if "village_id" in values:
        out["village"] = _area_name(values["village_id"]) if values["village_id"] else ""
    if "user_id" in values:
        account = db.session.get(User, values["user_id"]) if values["user_id"] else None
        out["account"] = account.username if account else ""
    return out


def _area_name(area_id: int) -> str:
    area = db.session.get(TrainingPlace, area_id)
    return area.name if area else ""


def history(t: Trainee) -> list:
    """The trainee's audited changes (import updates, corrections, deactivation), newest first."""
    rows = db.session.execute(  # each entry with its actor's 姓名 (one statement)
        AuditEntry.of_object(sa.select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.actor_id),
                             "trainee", t.id).limit(50)).all()
    views = present([e for e, _ in rows], users={e.actor_id: name for e, name in rows if e.actor_id and name})
    for v in views:  # the log's "name" is a unit's 名称; a person's is their 姓名
        v.before = [("姓名" if k == "名称" else k, x) for k, x in v.before]
        v.after = [("姓名" if k == "名称" else k, x) for k, x in v.after]
    return views


def has_own_login(t: Trainee) -> bool:
    """The trainee has a 学员-only login account: its first password can be issued again."""
    return t.user is not None and is_trainee_only(t.user)


def renew_password(user: User, t: Trainee) -> tuple[str, str, str] | None:
    """A new first password for the trainee's own login account (it was lost, or never handed over):
    only a 学员-only account, by a trainer of the trainee's county; to be changed at first login.
    Returns (name, account, password) to show once, or None when the trainee has no such account."""
    account = t.user
    if not has_own_login(t) or not can_manage(user, t.county_id):
        return None
    password = initial_password()
    account.set_password(password)
    account.must_change_password = True
    record("reset_password", "user", account.id, label=account.username,
           after={"must_change_password": True}, actor=user)
    db.session.commit()
    return t.name, account.username, password
