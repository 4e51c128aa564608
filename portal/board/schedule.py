"""The 通报 emailed to leaders on the office's day each month, with its .xlsx and .docx attached.

`flask portal remind` calls `send_scheduled(on)` every day: on or after the day the office set in 督办设置
(`SupervisionSettings.bulletin_day`), the month's 通报 (the default period: `bulletin.default_period`)
goes into the outbox once — its dedupe key names the month and the recipients' scope — to the chosen
accounts, built as each of them would see it. `flask portal send-bulletin` sends one now.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal import outbox
from portal.board import bulletin_word, exports, services
from portal.board.bulletin import build
from portal.core.labels import zh_date
from portal.export_text import download_name
from portal.extensions import db
from portal.models import User
from portal.supervision import ladder
from portal.supervision.services import link_to


def due(on: date, day: int) -> bool:
    """On or after the office's day of the month (0: the 通报 is not scheduled)."""
    return bool(day) and on.day >= day


def _recipients(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids), User.active).order_by(User.id)))


def send_scheduled(on: date, now: bool = False) -> list[str]:
    """Queue the month's 通报 when it is due (or `now`); a line per message queued, nothing when none is."""
    config = ladder.settings()
    people = _recipients(list(config.bulletin_to or []))
    if not people or not (now or due(on, config.bulletin_day)):
        return ["通报：未设置接收人"] if now and not people else []
    head = bulletin_word.Masthead(config.issuer, config.number_prefix)
    groups: dict[str, list[User]] = {}
    for person in people:
        groups.setdefault(services.scope_key(person), []).append(person)
    lines = []
    for scope, members in groups.items():
        key = f"bulletin:{on:%Y-%m}:{scope}" if not now else f"bulletin:{on.isoformat()}:now:{scope}"
        rep = build(members[0], MultiDict(), on)
        stem = download_name(f"{rep.scope_label}工作推进情况通报-{rep.as_of:%Y%m%d}")
        files = [(f"{stem}.xlsx", exports.to_xlsx(rep)), (f"{stem}.docx", bulletin_word.to_docx(rep, head))]
        link = link_to("board.bulletin", start=rep.start.isoformat(), end=rep.end.isoformat())
        subject, body = message(rep, link)
        if outbox.enqueue("bulletin", subject=subject, body=body, users=members, link=link, attachments=files,
                          dedupe_key=key) is not None:
            lines.append(f"通报：{subject} → {len(members)}人")
    db.session.commit()
    return lines


def message(rep, link: str) -> tuple[str, str]:
    t = rep.totals
    subject = f"{rep.title}（{zh_date(rep.start)}至{zh_date(rep.end)}）"
    body = (f"现将{zh_date(rep.start)}至{zh_date(rep.end)}{rep.scope_label}工作推进情况通报报送，详见附件（Excel 和 Word "
            f"各一份）。\n截至{zh_date(rep.as_of)}：共有任务{t.total}项，已销号{t.closed}项，完成率{t.pct_complete}%；"
            f"逾期（红灯）{t.overdue}项，本期销号{rep.closed_in_period}项。\n查看详情：{link}")
    return subject, body
