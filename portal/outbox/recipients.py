"""Who a message reaches and over which channels: a unit means its liaisons (the accounts that act for
it, as the reminders always found them) and its group robots; a person means that person. Each person
chooses email and SMS per kind of message, each unit its robots per kind; no choice means on."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.capabilities import roles_with
from portal.extensions import db
from portal.models import ChannelChoice, RobotWebhook, Unit, User, UserRole


@dataclass(frozen=True)
class Target:
    channel: str
    address: str
    unit_id: int | None = None
    user_id: int | None = None


def liaisons_of(unit_ids: list[int]) -> list[User]:
    """The active accounts acting for these units (their liaisons)."""
    if not unit_ids:
        return []
    return list(db.session.scalars(sa.select(User).where(
        User.unit_id.in_(unit_ids), User.active,
        User.role_rows.any(UserRole.role.in_(roles_with("act_for_own_unit")))).order_by(User.id)))


def email_address(user: User) -> str | None:
    """The account's email, else username@PORTAL_SMTP_DOMAIN; None when neither can be formed."""
    if user.email:
        return user.email
    domain = current_app.config.get("SMTP_DOMAIN")
    return f"{user.username}@{domain}" if domain else None


def plan_deliveries(kind: str, units: list[Unit], users: list[User]) -> list[Target]:
    """The deliveries a message needs beyond its in-app notices, each (channel, address) once."""
    config = current_app.config
    people = liaisons_of([u.id for u in units]) + list(users)
    off_people = _switched_off(ChannelChoice.user_id, [p.id for p in people], kind)
    off_units = _switched_off(ChannelChoice.unit_id, [u.id for u in units], kind)
    robots = _robots_of([u.id for u in units])
    targets: dict[tuple[str, str], Target] = {}

    def add(target: Target) -> None:
        targets.setdefault((target.channel, target.address), target)

    for person in people:
        address = email_address(person)
        if config.get("SMTP_HOST") and address and (person.id, "email") not in off_people:
            add(Target("email", address, person.unit_id, person.id))
        if config.get("SMS_URL") and person.mobile and (person.id, "sms") not in off_people:
            add(Target("sms", person.mobile, person.unit_id, person.id))
    defaults = {"wecom": config.get("WECOM_WEBHOOK"), "dingtalk": config.get("DINGTALK_WEBHOOK")}
    for unit in units:
        for channel in ("wecom", "dingtalk"):
            if (unit.id, channel) in off_units:
                continue
            if (unit.id, channel) in robots:
                add(Target(channel, f"unit:{unit.id}", unit.id))
            elif defaults[channel]:
                add(Target(channel, "office", unit.id))  # one post to the office's group, however many units
    return list(targets.values())


def _switched_off(owner_column, owner_ids: list[int], kind: str) -> set[tuple[int, str]]:
    if not owner_ids:
        return set()
    rows = db.session.execute(sa.select(owner_column, ChannelChoice.channel).where(
        owner_column.in_(owner_ids), ChannelChoice.kind == kind, ~ChannelChoice.enabled))
    return {(owner, channel) for owner, channel in rows}


def _robots_of(unit_ids: list[int]) -> set[tuple[int, str]]:
    if not unit_ids:
        return set()
    rows = db.session.execute(sa.select(RobotWebhook.unit_id, RobotWebhook.channel).where(RobotWebhook.unit_id.in_(unit_ids)))
    return {(unit_id, channel) for unit_id, channel in rows}


def choices_of(*, user_id: int | None = None, unit_id: int | None = None) -> dict[tuple[str, str], bool]:
    """(kind, channel) -> on/off for the person or the unit; what has no row is on."""
    column, owner = (ChannelChoice.user_id, user_id) if user_id is not None else (ChannelChoice.unit_id, unit_id)
    rows = db.session.execute(sa.select(ChannelChoice.kind, ChannelChoice.channel, ChannelChoice.enabled)
                              .where(column == owner))
    return {(kind, channel): enabled for kind, channel, enabled in rows}


def set_choices(wanted: dict[tuple[str, str], bool], *, user_id: int | None = None,
                unit_id: int | None = None) -> dict[str, list[str]]:
    """Store the choices; returns what changed ({"on": [...], "off": [...]} as "kind/channel")."""
    column, owner = (ChannelChoice.user_id, user_id) if user_id is not None else (ChannelChoice.unit_id, unit_id)
    rows = {(r.kind, r.channel): r for r in db.session.scalars(sa.select(ChannelChoice).where(column == owner))}
    changed: dict[str, list[str]] = {"on": [], "off": []}
    for (kind, channel), enabled in wanted.items():
        row = rows.get((kind, channel))
        if (row.enabled if row else True) == enabled:
            continue
        if row is None:
            row = ChannelChoice(user_id=user_id, unit_id=unit_id, kind=kind, channel=channel)
            db.session.add(row)
        row.enabled = enabled
        changed["on" if enabled else "off"].append(f"{kind}/{channel}")
    return changed
