"""Applying a checked roster: nothing unless every row passes, updates by phone, new places created, late
joiners assigned; written in short batches (a 5,000-row file with accounts must not hold the database's
write lock, or a request, for minutes: first passwords are hashed before each batch's transaction)."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.audit.services import record
from portal.core import training_rules
from portal.core.refusals import Refusal
from portal.core.roles import TRAINEE, holds_other_than_trainee
from portal.core.time import utcnow
from portal.core.training_rules import post_label
from portal.extensions import db
from portal.models import Trainee, TrainingPlace, Unit, User
from portal.security.passwords import password_problem
from portal.training import places_check
from portal.training.roster_file import RosterRow, RowProblem, parse_roster
from portal.training.scope import can_manage, county_name_map
from portal.training.services import assign_late_joiners, expired_rules_missed


@dataclass
class ImportResult:
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_places: list[str] = field(default_factory=list)
    place_flags: list[str] = field(default_factory=list)  # new places the gazetteer disagrees with (`places_check`)
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

    # Counted by an earlier run of the same job (a resumed background import): places and accounts
    # it created, whose names this run does not hold.
    prior_places: int = 0
    prior_accounts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> tuple[int, int, int, int, int]:
        """What the preview promises and the import reports: (created, updated, unchanged, new places,
        new accounts)."""
        return (self.created, self.updated, self.unchanged, len(self.new_places) + self.prior_places,
                len(self.new_accounts) + self.prior_accounts)

    def summary(self) -> str:
        created, updated, unchanged, places, accounts = self.counts()
        text = (f"新增 {created} 人，更新 {updated} 人，未变 {unchanged} 人；"
                f"新增地名 {places} 个；新建学员账号 {accounts} 个")
        text += f"；自动安排培训 {self.assigned} 项" if self.applied else ""
        if self.expired_rules:
            text += (f"。{self.expired_rules} 项人群安排已过完成时限，新加入的人员未自动安排，"
                     "请在“安排培训”中另定时限")
        return text


def check_roster(data: bytes, filename: str, user: User | None) -> tuple[list[RosterRow], ImportResult]:
    """The file's rows checked against the file rules and the database (scope, accounts): the rows, and
    a result whose problems say why nothing can be imported. Writes nothing.

    `user` None is the command line (the whole city); otherwise the user's county scope applies."""
    names = county_name_map()
    rows, problems = parse_roster(data, filename, names.get)
    result = ImportResult(problems=list(problems))
    if problems:
        return [], result
    counties = _counties(rows)
    by_phone = _by_phone(rows)
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
    return ([] if result.problems else rows), result


def import_roster(data: bytes, filename: str, user: User | None, *, dry_run: bool) -> ImportResult:
    """Check every row; with `dry_run` say what the import would do, else apply it here and now, in
    batches (`apply_rows`). The pages run large imports as a background job instead
    (portal.training.import_jobs); the command line, the demo and tests come here."""
    rows, result = check_roster(data, filename, user)
    if not result.ok:
        return result
    if dry_run:
        preview(rows, result)
        return result
    try:
        apply_rows(rows, user, result)
    except BatchRefused as refused:
        return ImportResult(problems=[RowProblem(0, "", refused.message)])
    return result


def _counties(rows: list[RosterRow]) -> dict[str, Unit]:
    codes = {r.county for r in rows}
    return {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}


def _by_phone(rows: list[RosterRow]) -> dict[str, Trainee]:
    if len(rows) >= 900:  # one scan beats a long IN list
        return {t.phone: t for t in db.session.scalars(sa.select(Trainee))}
    return {t.phone: t for t in db.session.scalars(sa.select(Trainee).where(Trainee.phone.in_([r.phone for r in rows])))}


CONCURRENT_IMPORT = "导入时有他人同时登记了本文件中的手机号或账号，本次未导入任何数据，请重新上传预览后再导入"
CONCURRENT_IMPORT_FROM = ("第{row}行起有他人同时登记了其中的手机号或账号，这些行未导入；请重新上传同一文件预览后再导入"
                          "（已导入的人员按手机号核对，不会重复登记）")




def accounts_by_name(names: list[str]) -> dict[str, User]:
    if not names:
        return {}
    lowered = [n.lower() for n in names]
    return {u.username.lower(): u for u in db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username).in_(lowered)))}


def _places(county_ids: set[int]) -> dict[tuple, TrainingPlace]:
    """(county_id, parent_id, level, name) → the area in use (merged spellings lead to the survivor)."""
    areas = list(db.session.scalars(sa.select(TrainingPlace).where(TrainingPlace.county_id.in_(county_ids))))
    by_id = {a.id: a for a in areas}

    def live(a: TrainingPlace) -> TrainingPlace:
        hops = 0
        while a.merged_into_id is not None and a.merged_into_id in by_id and hops < 20:
            a, hops = by_id[a.merged_into_id], hops + 1
        return a

    out: dict[tuple, TrainingPlace] = {}
    for a in areas:
        key = (a.county_id, a.parent_id, a.level, a.name)
        if a.merged_into_id is None or key not in out:
            out[key] = live(a)
    return out


CHANGE_LABELS = {"name": "姓名", "post": "角色", "county_id": "县（市、区）", "township_id": "乡镇（街道）",
                 "village_id": "村（社区）", "note": "备注", "active": "恢复在册", "user_id": "账号"}
NEW = "（新建）"  # a place or account the import will create: never equal to a stored id


@dataclass
class _RosterChanges:
    """What the import does, row by row, decided once for the preview and the import alike."""

    new: list[RosterRow] = field(default_factory=list)
    changed: list[tuple[RosterRow, Trainee]] = field(default_factory=list)
    unchanged: list[RosterRow] = field(default_factory=list)
    new_accounts: dict[str, RosterRow] = field(default_factory=dict)  # username -> its first row
    notes: list[str] = field(default_factory=list)  # what changes for each updated person


def _roster_changes(rows: list[RosterRow], counties, by_phone, accounts, places) -> _RosterChanges:
    plan = _RosterChanges()
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


def preview(rows: list[RosterRow], result: ImportResult) -> None:
    """Fill `result` with what importing the rows would do; nothing is written."""
    counties = _counties(rows)
    county_ids = {c.id for c in counties.values()}
    places = add_places(rows, counties, county_ids, result, dry_run=True)  # note the new places only
    _note_plan(_roster_changes(rows, counties, _by_phone(rows), accounts_by_name([r.account for r in rows if r.account]),
                     places), result)
    db.session.rollback()


def _note_plan(plan: _RosterChanges, result: ImportResult) -> None:
    result.created += len(plan.new)
    result.updated += len(plan.changed)
    result.unchanged += len(plan.unchanged)
    accounts = sorted(plan.new_accounts)
    result.new_accounts = sorted(result.new_accounts + accounts)
    result.account_holders += [plan.new_accounts[a].name for a in accounts]
    result.updates += plan.notes
    result.additions += [f"第{r.row}行 {r.name}（{training_rules.post_label(r.post)}，{r.township}{r.village}）" for r in plan.new]


# A batch is written in one short transaction: at most BATCH_ROWS rows, and no more rows naming an
# account than can be hashed in about HASHING_SECONDS (done before the transaction opens; a job's
# progress and heartbeat move once per batch).
BATCH_ROWS = 50  # each batch holds the write lock well inside the 5 s busy timeout on a loaded host
HASHING_SECONDS = 3.0


def accounts_per_batch() -> int:
    """From the cost of one hash with the configured method: ~20 with scrypt on a slow core."""
    start = time.perf_counter()
    password_hash("Probe-Hash-2026")
    cost = max(time.perf_counter() - start, 1e-4)
    return max(5, min(BATCH_ROWS, int(HASHING_SECONDS / cost)))


class BatchRefused(Refusal):
    """A batch could not be written (someone registered one of its phones or accounts meanwhile): it
    was rolled back; the batches before it stay imported. `done` counts the rows written before it."""

    def __init__(self, done: int, first_row: int):
        self.done = done
        self.message = CONCURRENT_IMPORT if not done else (
            f"第{first_row}行之前的人员已导入；{CONCURRENT_IMPORT_FROM.format(row=first_row)}")
        super().__init__(self.message)


def batches(rows: list[RosterRow], with_accounts: int) -> list[list[RosterRow]]:
    out: list[list[RosterRow]] = []
    current: list[RosterRow] = []
    with_account = 0
    for r in rows:
        if current and (len(current) >= BATCH_ROWS or (r.account and with_account >= with_accounts)):
            out.append(current)
            current, with_account = [], 0
        current.append(r)
        with_account += 1 if r.account else 0
    if current:
        out.append(current)
    return out


def first_passwords(rows: list[RosterRow]) -> dict[str, tuple[str, str]]:
    """account -> (first password, its hash) for the rows' accounts that do not exist yet. Slow on
    purpose (scrypt): called while no transaction is open, so no one waits for the database meanwhile."""
    db.session.rollback()  # end any read transaction: the hashing holds nothing
    wanted = [r.account for r in rows if r.account]
    known = accounts_by_name(wanted)
    db.session.rollback()
    out: dict[str, tuple[str, str]] = {}
    for account in wanted:
        key = account.lower()
        if key not in known and key not in out:
            out[key] = _hashed(initial_password())
    return out


def apply_rows(rows: list[RosterRow], user, result: ImportResult, *, start: int = 0, on_batch=None) -> None:
    """Write checked rows batch by batch from row index `start`; each batch commits on its own (with
    `on_batch(done, passwords)` run inside its transaction: a job records its progress there), so the
    database's write lock is held for one batch at a time, never for the whole file. Raises
    BatchRefused when a batch cannot be written (it is rolled back; earlier batches stay)."""
    done = start
    for batch in batches(rows[start:], accounts_per_batch()):
        hashed = first_passwords(batch)
        try:
            created = _apply_batch(batch, user, result, hashed)
            done += len(batch)
            if on_batch is not None:
                on_batch(done, created)
            db.session.commit()
        except sa.exc.IntegrityError:
            # Another import (or an edit) wrote one of these phones or accounts since the check.
            db.session.rollback()
            raise BatchRefused(done, batch[0].row) from None
    result.applied = True
    record("import", "trainee", "", label=f"花名册导入：{result.summary()}",
           after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                  "new_accounts": result.new_accounts, "assigned": result.assigned}, actor=user)
    db.session.commit()


def _apply_batch(rows: list[RosterRow], user, result: ImportResult, hashed: dict[str, tuple[str, str]]) -> list:
    """One batch's rows written (not committed); returns (name, account, password) of the accounts made."""
    counties = _counties(rows)
    county_ids = {c.id for c in counties.values()}
    by_phone = _by_phone(rows)
    accounts = accounts_by_name([r.account for r in rows if r.account])
    places = add_places(rows, counties, county_ids, result, dry_run=False)
    plan = _roster_changes(rows, counties, by_phone, accounts, places)
    _note_plan(plan, result)
    created = _create_accounts(plan.new_accounts, hashed, accounts, user)
    result.initial_passwords += created
    now = utcnow()
    new_rows = [dict(trainee_values(r, counties[r.county], places, accounts), phone=r.phone, created_at=now,
                     updated_at=now, demo=False, version=1) for r in plan.new]
    for r, known in plan.changed:
        _update_trainee(known, trainee_values(r, counties[r.county], places, accounts), now, user)
    if new_rows:
        db.session.execute(sa.insert(Trainee), [dict({"user_id": None}, **v) for v in new_rows])
    db.session.flush()

    touched = list(db.session.scalars(sa.select(Trainee.id).where(Trainee.phone.in_([r.phone for r in rows]))))
    result.assigned += assign_late_joiners(touched)
    if plan.new:
        new_ids = list(db.session.scalars(sa.select(Trainee.id).where(Trainee.phone.in_([r.phone for r in plan.new]))))
        result.expired_rules = max(result.expired_rules, expired_rules_missed(new_ids))
    return created


def add_places(rows: list[RosterRow], counties, county_ids: set[int], result: ImportResult,
                dry_run: bool) -> dict[tuple, TrainingPlace]:
    """Note the places the rows name that do not exist yet and (unless a dry run) insert them, in two
    bulk inserts (townships, then villages under them), not one flush per place. Returns the place map."""
    places = _places(county_ids)
    for level in ("township", "village"):
        wanted = _wanted_places(rows, counties, places, level)
        missing = [key for key in wanted if key not in places]
        result.new_places.extend(wanted[key] for key in missing)
        result.place_flags.extend(places_check.flags(rows, counties, set(missing)))
        if dry_run or not missing:
            continue
        db.session.execute(sa.insert(TrainingPlace), [
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
    values = dict(name=r.name, post=r.post, county_id=county.id, township_id=township.id if township else NEW,
                  village_id=(village.id if village else NEW) if r.village else None, note=r.note, active=True)
    if r.account:
        account = accounts.get(r.account.lower())
        values["user_id"] = account.id if account is not None else NEW
    return values


def initial_password() -> str:
    """A random first password the policy accepts, easy to read out or type from paper: three groups
    of four letters and digits without the look-alikes (0/O, 1/l/I)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        if password_problem(password) is None:
            return password


def password_hash(password: str) -> str:
    """The hash User.set_password would store (the configured method)."""
    probe = User()
    probe.set_password(password)
    return probe.password_hash


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


def _create_accounts(wanted: dict[str, RosterRow], hashed: dict[str, tuple[str, str]], accounts: dict[str, User],
                     user) -> list[tuple[str, str, str]]:
    """A batch's new accounts in one flush (not one per account), audited like create_account's."""
    made = []
    for key, r in wanted.items():
        # Hashed before the transaction; an account that existed then and is gone now is hashed here.
        password, hashed_password = hashed.get(key) or _hashed(initial_password())
        account = User(username=r.account, display_name=r.name, unit_id=None, active=True,
                       password_hash=hashed_password, must_change_password=True)
        account.set_roles([TRAINEE])
        db.session.add(account)
        accounts[key] = account
        made.append((r, account, password))
    db.session.flush()
    for r, account, _ in made:
        record("create", "user", account.id, label=r.account,
               after={"username": r.account, "roles": account.roles, "must_change_password": True}, actor=user)
    return [(r.name, r.account, password) for r, _, password in made]


def _hashed(password: str) -> tuple[str, str]:
    return password, password_hash(password)


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
    return {k: (post_label(v) if k == "post" else v) for k, v in values.items()
            if k not in ("county_id", "township_id", "village_id", "user_id")}
