"""Applying a checked roster: all or nothing, updates by phone, new places created, late joiners assigned."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.audit.services import record
from portal.extensions import db
from portal.models import Trainee, TrainingArea, Unit, User
from portal.roles import TRAINEE, holds_other_than_trainee
from portal.timeutil import utcnow
from portal.training import rules
from portal.training.roster_file import RosterRow, RowProblem, parse_roster
from portal.training.scope import can_manage, county_name_map


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_places: list[str] = field(default_factory=list)
    new_accounts: list[str] = field(default_factory=list)  # usernames the import creates
    updates: list[str] = field(default_factory=list)  # "第3行 张三：姓名、账号" per person updated
    additions: list[str] = field(default_factory=list)  # "第4行 李四（儿童主任，北城街道红旗社区）" per new person
    account_holders: list[str] = field(default_factory=list)  # whose accounts the import creates, by name
    # After the import only: (name, account, initial password) of each account it created. Shown
    # once to the person who imported; only the password's hash is kept.
    initial_passwords: list[tuple[str, str, str]] = field(default_factory=list)
    assigned: int = 0
    expired_rules: int = 0  # group rules past their due date that new people were not assigned by
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> tuple[int, int, int, int, int]:
        """What the preview promises and the import reports: (created, updated, unchanged, new places,
        new accounts)."""
        return self.created, self.updated, self.unchanged, len(self.new_places), len(self.new_accounts)

    def summary(self) -> str:
        text = (f"新增 {self.created} 人，更新 {self.updated} 人，未变 {self.unchanged} 人；"
                f"新增地名 {len(self.new_places)} 个；新建学员账号 {len(self.new_accounts)} 个")
        text += f"；自动安排培训 {self.assigned} 项" if self.applied else ""
        if self.expired_rules:
            text += (f"。{self.expired_rules} 项人群安排已过完成时限，新加入的人员未自动安排，"
                     "请在“安排培训”中另定时限")
        return text


def import_roster(data: bytes, filename: str, user: User | None, *, dry_run: bool) -> ImportResult:
    """Check every row against the file rules and the database; apply only when nothing is wrong.

    `user` None is the command line (the whole city); otherwise the user's county scope applies."""
    names = county_name_map()
    rows, problems = parse_roster(data, filename, names.get)
    result = ImportResult(problems=list(problems))
    if problems:
        return result
    counties = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(set(names.values()))))}
    by_phone = {t.phone: t for t in db.session.scalars(
        sa.select(Trainee).where(Trainee.phone.in_([r.phone for r in rows])))} if len(rows) < 900 else \
        {t.phone: t for t in db.session.scalars(sa.select(Trainee))}
    accounts = accounts_by_name([r.account for r in rows if r.account])
    for r in rows:
        county = counties[r.county]
        if user is not None and not can_manage(user, county.id):
            result.problems.append(RowProblem(r.row, "县（市、区）", f"{county.name}不在您负责的范围内"))
        known = by_phone.get(r.phone)
        if known is not None and user is not None and not can_manage(user, known.county_id):
            result.problems.append(RowProblem(r.row, "手机号", "该手机号已登记在您负责范围以外的县（市、区）"))
        if r.account:
            account = accounts.get(r.account.lower())
            if account is not None and holds_other_than_trainee(account):
                result.problems.append(RowProblem(r.row, "账号", f"“{r.account}”是工作人员账号，不能用作学员账号"))
            elif account is not None:
                holder = db.session.scalar(sa.select(Trainee).where(Trainee.user_id == account.id))
                if holder is not None and holder.phone != r.phone:
                    result.problems.append(RowProblem(r.row, "账号", f"“{r.account}”已由另一名学员使用"))
    if result.problems:
        return result
    try:
        _apply(rows, counties, by_phone, accounts, user, result, dry_run)
    except sa.exc.IntegrityError:
        # Another import (or an edit) wrote one of these phones or accounts since the check above.
        db.session.rollback()
        return ImportResult(problems=[RowProblem(0, "", CONCURRENT_IMPORT)])
    return result


CONCURRENT_IMPORT = "导入时有他人同时登记了本文件中的手机号或账号，本次未导入任何数据，请重新上传预览后再导入"




def accounts_by_name(names: list[str]) -> dict[str, User]:
    if not names:
        return {}
    lowered = [n.lower() for n in names]
    return {u.username.lower(): u for u in db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username).in_(lowered)))}


def _places(county_ids: set[int]) -> dict[tuple, TrainingArea]:
    """(county_id, parent_id, level, name) → the area in use (merged spellings lead to the survivor)."""
    areas = list(db.session.scalars(sa.select(TrainingArea).where(TrainingArea.county_id.in_(county_ids))))
    by_id = {a.id: a for a in areas}

    def live(a: TrainingArea) -> TrainingArea:
        hops = 0
        while a.merged_into_id is not None and a.merged_into_id in by_id and hops < 20:
            a, hops = by_id[a.merged_into_id], hops + 1
        return a

    out: dict[tuple, TrainingArea] = {}
    for a in areas:
        key = (a.county_id, a.parent_id, a.level, a.name)
        if a.merged_into_id is None or key not in out:
            out[key] = live(a)
    return out


CHANGE_LABELS = {"name": "姓名", "role": "角色", "county_id": "县（市、区）", "township_id": "乡镇（街道）",
                 "village_id": "村（社区）", "note": "备注", "active": "恢复在册", "user_id": "账号"}
NEW = "（新建）"  # a place or account the import will create: never equal to a stored id


@dataclass
class _Plan:
    """What the import does, row by row, decided once for the preview and the import alike."""

    new: list[RosterRow] = field(default_factory=list)
    changed: list[tuple[RosterRow, Trainee]] = field(default_factory=list)
    unchanged: list[RosterRow] = field(default_factory=list)
    new_accounts: dict[str, RosterRow] = field(default_factory=dict)  # username -> its first row
    notes: list[str] = field(default_factory=list)  # what changes for each updated person


def _plan(rows: list[RosterRow], counties, by_phone, accounts, places) -> _Plan:
    plan = _Plan()
    for r in rows:
        if r.account and r.account.lower() not in accounts:
            plan.new_accounts.setdefault(r.account.lower(), r)
        known = by_phone.get(r.phone)
        if known is None:
            plan.new.append(r)
            continue
        changes = _changes(known, trainee_values(r, counties[r.county], places, accounts))
        if changes:
            plan.changed.append((r, known))
            plan.notes.append(f"第{r.row}行 {known.name}：" + "、".join(CHANGE_LABELS.get(k, k) for k in changes))
        else:
            plan.unchanged.append(r)
    return plan


def _apply(rows: list[RosterRow], counties, by_phone, accounts, user, result: ImportResult, dry_run: bool) -> None:
    county_ids = {c.id for c in counties.values()}
    places = add_places(rows, counties, county_ids, result, dry_run=True)  # note the new places only
    plan = _plan(rows, counties, by_phone, accounts, places)
    result.created, result.updated, result.unchanged = len(plan.new), len(plan.changed), len(plan.unchanged)
    result.new_accounts = sorted(plan.new_accounts)
    result.account_holders = [plan.new_accounts[a].name for a in result.new_accounts]
    result.updates = plan.notes
    result.additions = [f"第{r.row}行 {r.name}（{rules.role_label(r.role)}，{r.township}{r.village}）" for r in plan.new]
    if dry_run:
        db.session.rollback()
        return
    places = add_places(rows, counties, county_ids, ImportResult(), dry_run=False)
    for r in plan.new_accounts.values():
        result.initial_passwords.append((r.name, r.account, create_account(r, accounts, user)))
    now = utcnow()
    new_rows = [dict(trainee_values(r, counties[r.county], places, accounts), phone=r.phone, created_at=now,
                     updated_at=now, demo=False, version=1) for r in plan.new]
    for r, known in plan.changed:
        _update_trainee(known, trainee_values(r, counties[r.county], places, accounts), now, user)
    if new_rows:
        db.session.execute(sa.insert(Trainee), [dict({"user_id": None}, **v) for v in new_rows])
    db.session.flush()
    from portal.training.services import assign_late_joiners, expired_rules_missed

    result.assigned = assign_late_joiners()
    if plan.new:
        result.expired_rules = expired_rules_missed(list(db.session.scalars(
            sa.select(Trainee.id).where(Trainee.phone.in_([r.phone for r in plan.new])))))
    result.applied = True
    record("import", "trainee", "", label=f"花名册导入：{result.summary()}",
           after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                  "new_accounts": result.new_accounts, "assigned": result.assigned}, actor=user)
    db.session.commit()


def add_places(rows: list[RosterRow], counties, county_ids: set[int], result: ImportResult,
                dry_run: bool) -> dict[tuple, TrainingArea]:
    """Note the places the rows name that do not exist yet and (unless a dry run) insert them, in two
    bulk inserts (townships, then villages under them), not one flush per place. Returns the place map."""
    places = _places(county_ids)
    for level in ("township", "village"):
        wanted = _wanted_places(rows, counties, places, level)
        missing = [key for key in wanted if key not in places]
        result.new_places.extend(wanted[key] for key in missing)
        if dry_run or not missing:
            continue
        db.session.execute(sa.insert(TrainingArea), [
            {"county_id": c, "parent_id": p, "level": lv, "name": n, "created_at": utcnow(), "version": 1}
            for c, p, lv, n in missing])
        places = _places(county_ids)
    return places


def _wanted_places(rows: list[RosterRow], counties, places, level: str) -> dict[tuple, str]:
    """Place key → its display name, for every place of `level` the rows name."""
    wanted: dict[tuple, str] = {}
    for r in rows:
        county = counties[r.county]
        if level == "township":
            wanted.setdefault((county.id, None, level, r.township), f"{county.short_name}{r.township}")
        elif r.village:
            town = places.get((county.id, None, "township", r.township))
            parent_id = town.id if town is not None else f"new:{county.id}:{r.township}"
            wanted.setdefault((county.id, parent_id, level, r.village), f"{county.short_name}{r.township}{r.village}")
    return wanted


def trainee_values(r: RosterRow, county: Unit, places, accounts: dict[str, User]) -> dict:
    """The trainee's fields as the row gives them; a place or account not created yet is `NEW`.
    An empty 账号 leaves a linked account alone (the row does not unlink it)."""
    township = places.get((county.id, None, "township", r.township))
    village = places.get((county.id, township.id, "village", r.village)) if township and r.village else None
    values = dict(name=r.name, role=r.role, county_id=county.id, township_id=township.id if township else NEW,
                  village_id=(village.id if village else NEW) if r.village else None, note=r.note, active=True)
    if r.account:
        account = accounts.get(r.account.lower())
        values["user_id"] = account.id if account is not None else NEW
    return values


def initial_password() -> str:
    """A random first password the policy accepts, easy to read out or type from paper: three groups
    of four letters and digits without the look-alikes (0/O, 1/l/I)."""
    from portal.security.passwords import password_problem

    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        if password_problem(password) is None:
            return password


def create_account(r: RosterRow, accounts: dict[str, User], user) -> str:
    """The row's login account (trainee role) with a random first password that must be changed at
    first login; returns that password (only its hash is stored)."""
    password = initial_password()
    account = User(username=r.account, display_name=r.name, unit_id=None, active=True)
    account.set_password(password)
    account.must_change_password = True
    account.set_roles([TRAINEE])
    db.session.add(account)
    db.session.flush()
    accounts[r.account.lower()] = account
    record("create", "user", account.id, label=r.account,
           after={"username": r.account, "roles": account.roles, "must_change_password": True},
           actor=user)
    return password


def _changes(known: Trainee, values: dict) -> dict:
    return {k: v for k, v in values.items() if getattr(known, k) != v}


def _update_trainee(known: Trainee, values: dict, now, user) -> bool:
    """Apply the changed values to a known trainee (audited); False when nothing changed."""
    changed = _changes(known, values)
    if not changed:
        return False
    before = {k: getattr(known, k) for k in changed}
    for k, v in changed.items():
        setattr(known, k, v)
    known.updated_at = now
    record("update", "trainee", known.id, label=known.name, before=plain_values(before), after=plain_values(changed),
           actor=user)
    return True


def plain_values(values: dict) -> dict:
    from portal.training.rules import role_label

    return {k: (role_label(v) if k == "role" else v) for k, v in values.items()
            if k not in ("county_id", "township_id", "village_id", "user_id")}
