"""结业证书: issued with every completion, revoked when it is voided, expiring by the office's term.

Numbering (the one home of it): 〈prefix〉〔year〕NNNNNN号, e.g. 运儿培〔2026〕000123号 — the prefix is
the office's setting, the year is the completion's, NNNNNN counts up within that year and is never
reused (certificates are never deleted; a revoked one keeps its number; the pair (year, serial) is
unique in the database). The public verification link carries the year, the serial and a random
six-character check code stored with the certificate (/verify/2026-000123-K7QX9P): knowing or
guessing a number is not enough to look a certificate up, so the page cannot be used to list people.
"""
from __future__ import annotations

import hmac
import re
import secrets
from calendar import monthrange
from datetime import date, timedelta

import sqlalchemy as sa

from portal import refdata
from portal.audit.services import record
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import Certificate, Completion, TrainingArrangement, User
from portal.training.scope import TrainingError

VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"
STATE_LABELS = {VALID: "有效", EXPIRED: "已过期", REVOKED: "已撤销"}
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off paper and typed
CHECK_LENGTH = 6
TOKEN = re.compile(r"^(\d{4})-(\d{6})-([0-9A-Za-z]{6})$")
CITY_BUREAU = "city-mz"  # the unit register's 市民政局: the default issuing body


# ---- pure parts ----------------------------------------------------------------------------

def number_text(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}〔{year}〕{serial:06d}号"


def token_of(year: int, serial: int, check: str) -> str:
    """What the verification URL carries."""
    return f"{year}-{serial:06d}-{check}"


def parse_token(token: str) -> tuple[int, int, str] | None:
    m = TOKEN.match(token or "")
    return (int(m.group(1)), int(m.group(2)), m.group(3).upper()) if m else None


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def expiry(issued_on: date, months: int | None) -> date | None:
    """The last day a certificate is valid: a term of 12 months from 2026-12-07 runs to 2027-12-06."""
    if not months:
        return None
    return add_months(issued_on, months) - timedelta(days=1)


def state_of(revoked: bool, expires_on: date | None, on: date) -> str:
    if revoked:
        return REVOKED
    if expires_on is not None and on > expires_on:
        return EXPIRED
    return VALID


def mask_name(name: str) -> str:
    """张*明, 李*, 欧阳** → 欧**明: first and last character, the rest starred (a two-character name
    keeps only the first)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def hours_tenths(duration_minutes: int, how: str, minutes_per_hour: int, quiz_tenths: int,
                 attendance_tenths: int) -> int:
    """学时 (in tenths) a completion earns by the office's rules: each full `minutes_per_hour` of the
    module's duration is 1 学时 (30 minutes or more = 1); a passed test adds `quiz_tenths`; attending a
    session adds `attendance_tenths`."""
    base = (max(duration_minutes, 0) // minutes_per_hour) * 10 if minutes_per_hour > 0 else 0
    bonus = quiz_tenths if how == "quiz" else attendance_tenths if how == "attendance" else 0
    return base + max(bonus, 0)


def hours_text(tenths: int | None) -> str:
    """12 → 1.2, 10 → 1, None → 0."""
    tenths = tenths or 0
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


# ---- the office's settings -------------------------------------------------------------------

def current_arrangement() -> TrainingArrangement:
    """The settings as they stand, for reading: the row, or its defaults (not stored) before anyone saved."""
    row = db.session.get(TrainingArrangement, 1)
    return row if row is not None else _defaults()


def _defaults() -> TrainingArrangement:
    return TrainingArrangement(id=1, issuer="", number_prefix="运儿培", minutes_per_hour=30, quiz_tenths=5,
                               attendance_tenths=0, yearly_target_tenths=None, validity_months={}, version=1)


def arrangement() -> TrainingArrangement:
    """The one settings row (made with its defaults the first time it is asked for)."""
    row = db.session.get(TrainingArrangement, 1)
    if row is None:
        row = _defaults()
        db.session.add(row)
        db.session.flush()
    return row


def default_issuer() -> str:
    unit = refdata.unit_by_code(CITY_BUREAU)
    return unit.name if unit is not None else ""


def issuer_of(arr: TrainingArrangement) -> str:
    return arr.issuer or default_issuer()


# ---- issue and revoke ------------------------------------------------------------------------

def take_serial(arr: TrainingArrangement, year: int) -> int:
    """The next serial of `year` (module and course certificates are one series): read and taken under
    the settings row's lock, one issuer at a time."""
    db.session.execute(sa.update(TrainingArrangement).where(TrainingArrangement.id == arr.id)
                       .values(number_prefix=TrainingArrangement.number_prefix))
    return (db.session.scalar(sa.select(sa.func.max(Certificate.serial)).where(Certificate.year == year)) or 0) + 1


def place_of(trainee) -> str:
    """What a certificate prints as the person's place: county, township and village."""
    return trainee.county.name + trainee.township.name + (trainee.village.name if trainee.village else "")


def issue(completion: Completion, by: User | None) -> Certificate:
    """Number and record the certificate of a standing completion (called as the completion is made)."""
    arr = arrangement()
    year = completion.completed_on.year
    serial = take_serial(arr, year)
    trainee, module = completion.trainee, completion.module
    cert = Certificate(
        completion_id=completion.id, trainee_id=trainee.id, module_id=module.id, county_id=trainee.county_id,
        year=year, serial=serial, number=number_text(arr.number_prefix, year, serial), check_code=new_check_code(),
        issued_on=completion.completed_on, expires_on=expiry(completion.completed_on, arr.validity_months.get(module.key)),
        hours_tenths=hours_tenths(module.duration_minutes, completion.how, arr.minutes_per_hour, arr.quiz_tenths,
                                  arr.attendance_tenths),
        person_name=trainee.name, person_post=trainee.post, place=place_of(trainee), module_title=module.title,
        issuer=issuer_of(arr))
    db.session.add(cert)
    db.session.flush()
    record("issue_certificate", "certificate", cert.id, label=f"{cert.number} {trainee.name}：{module.title}",
           after={"number": cert.number, "hours": hours_text(cert.hours_tenths), "expires": cert.expires_on},
           actor=by)
    return cert


def revoke_for(completion: Completion, by: User | None, reason: str) -> None:
    """The completion was voided: its certificate is revoked (kept, with who, when and why)."""
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.completion_id == completion.id))
    if cert is not None:
        revoke(cert, by, reason)


def revoke(cert: Certificate, by: User | None, reason: str) -> None:
    """Revoke a certificate (kept, with who, when and why); a revoked one stays as it is."""
    if cert.revoked:
        return
    cert.revoked, cert.revoke_reason = True, reason[:200]
    cert.revoked_by_id, cert.revoked_at = by.id if by else None, utcnow()
    record("revoke_certificate", "certificate", cert.id, label=f"{cert.number} {cert.person_name}：{cert.module_title}",
           after={"number": cert.number, "reason": reason}, actor=by)


def lapsed_in(history: list[Completion], on: date) -> set[int]:
    """Which of these completions, not voided, no longer count (their holders are due to train again): their
    certificate expired, or the module was assigned again for a text since changed (`superseded_at`);
    `history` as `services.history_of` loads it, certificates joined."""
    return {c.id for c in history if not c.voided and (c.superseded_at is not None or (
        c.certificate is not None and state_of(c.certificate.revoked, c.certificate.expires_on, on) == EXPIRED))}


def not_lapsed(on: date):
    """A WHERE part for Completion queries: no expired certificate stands for it."""
    return ~sa.exists().where(Certificate.completion_id == Completion.id, ~Certificate.revoked,
                              Certificate.expires_on < on)


def counts_as_done(on: date):
    """A WHERE part for Completion queries: the completion counts as done on `on` — not voided, not
    superseded (the module assigned again for a changed text: `portal.training.retrain`), and no expired
    certificate stands for it (its holder is due to train again). The one condition every training
    figure counts a completion by: the summary (`portal.training.tally.done_pairs`), the matrix's cells
    and the overdue list (`portal.training.figures`)."""
    return sa.and_(~Completion.voided, Completion.superseded_at.is_(None), not_lapsed(on))


def by_token(token: str) -> Certificate | None:
    """The certificate a verification link names, or None (also for a wrong check code: same answer)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    year, serial, check = parsed
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.year == year, Certificate.serial == serial))
    if cert is None or not hmac.compare_digest(cert.check_code, check):
        return None
    return cert


def token_for(cert: Certificate) -> str:
    return token_of(cert.year, cert.serial, cert.check_code)


def download_audit(cert: Certificate, user: User) -> None:
    record("download_certificate", "certificate", cert.id, label=f"{cert.number} {cert.person_name}：{cert.module_title}",
           actor=user)
    db.session.commit()


def issue_missing() -> int:
    """Certificates for standing completions recorded before certificates existed (oldest first, so
    numbers follow the order of completion). Returns how many were issued."""
    missing = list(db.session.scalars(sa.select(Completion).where(
        ~Completion.voided, ~sa.exists().where(Certificate.completion_id == Completion.id))
        .order_by(Completion.completed_on, Completion.id)))
    for completion in missing:
        issue(completion, None)
    db.session.commit()
    return len(missing)


def save_arrangement(user: User, arr: TrainingArrangement, version: int, values: dict,
                     titles: dict[str, str]) -> None:
    """Change the office's rules. `version` is what the editor saw: someone else's save in between is
    refused (nothing lost), never overwritten. Later certificates follow; issued ones keep theirs."""
    if version != arr.version:
        raise TrainingError("其他人刚刚修改了培训工作安排，请查看最新内容后再保存。")
    before = {k: getattr(arr, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return
    for k, v in changed.items():
        setattr(arr, k, v)
    arr.updated_by_id, arr.updated_at = user.id, utcnow()
    record("update", "training_arrangement", arr.id, label="培训工作安排（证书与学时）",
           before={_AUDIT_NAMES.get(k, k): _audit_value(k, before[k], titles) for k in changed},
           after={_AUDIT_NAMES.get(k, k): _audit_value(k, v, titles) for k, v in changed.items()}, actor=user)
    db.session.commit()


_AUDIT_NAMES = {"quiz_tenths": "quiz_hours", "attendance_tenths": "attendance_hours",
                "yearly_target_tenths": "yearly_target", "validity_months": "validity"}


def _audit_value(key: str, value, titles: dict[str, str]):
    """As the log shows it: 学时 as 0.5, terms by module title (never its key)."""
    if key.endswith("_tenths"):
        return None if value is None else hours_text(value)
    if key == "validity_months":
        return "；".join(f"{titles.get(k, '已停用模块')} {v}个月" for k, v in sorted(value.items())) or "（均长期有效）"
    return value


def rules_text(arr: TrainingArrangement) -> str:
    text = f"模块时长每满{arr.minutes_per_hour}分钟计1学时；通过测验加计{hours_text(arr.quiz_tenths)}学时"
    if arr.attendance_tenths:
        text += f"；到场签到加计{hours_text(arr.attendance_tenths)}学时"
    return text + "。"
