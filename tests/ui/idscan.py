"""What the id-leak scans (pages and exports) look for, and the demo state they look at.

Visible text must not carry internal ids: slugs with @, duty keys, unit codes, English state words
and file paths."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Duty, Unit
from tests.conftest import instance_by_key, make_user

STATE_WORDS = ("not_started", "in_progress", "blocked", "requested", "closed", "submitted", "draft", "pending",
               "approved", "rejected", "superseded", "per-county", "per-unit", "periodic", "sync", "system",
               "not_assigned", "assigned", "overdue", "completed", "director", "supervisor", "trainer", "liaison")
PATH_RE = re.compile(r"(?:content|portal|templates|static)/[\w./-]*|\b[\w-]+\.(?:csv|txt|md|tsv|py)\b|(?<![\w:/])/(?:[\w.-]+/){2,}")
# Dates and months the way code writes them (2026-12, 2026-12-31): people read 2026年12月31日.
ISO_DATE_RE = re.compile(r"(?<![\w-])20\d\d-[01]\d(?:-[0-3]\d)?(?![\w-])")
SLUG_AT_RE = re.compile(r"\b[a-z0-9][a-z0-9-]*@[a-z0-9][a-z0-9-]*\b")


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", text)


def forbidden() -> list[re.Pattern]:
    from portal.models import TrainingModule

    codes = sorted(db.session.scalars(sa.select(Unit.code)), key=len, reverse=True)
    keys = sorted([*db.session.scalars(sa.select(Duty.key)), *db.session.scalars(sa.select(TrainingModule.key))],
                  key=len, reverse=True)
    token = r"(?<![\w-])(?:{})(?![\w-])"
    return [
        SLUG_AT_RE,
        re.compile(token.format("|".join(map(re.escape, codes)))),
        re.compile(token.format("|".join(map(re.escape, keys)))),
        re.compile(token.format("|".join(STATE_WORDS))),
        PATH_RE,
    ]


def leaks_in(text: str, where: str, patterns: list[re.Pattern]) -> list[str]:
    found = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            around = text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
            found.append(f"{where}: {m.group(0)!r} in …{' '.join(around.split())}…")
    return found


def load_scan_demo(app):
    """The duties demo, a piece of evidence, an extension request, a submitted report, and the training
    demo (roster, assignments, an attendance sheet). Returns an instance to visit."""
    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from portal.duties import evidence, services
    from portal.duties.demo import load_demo_state
    from portal.reports.services import ReportInput, current_month, save
    from portal.training import services as training
    from portal.training.demo import load_training_demo

    load_demo_state()
    owner = make_user("scan-owner", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    evidence.add_evidence(owner, inst, FileStorage(BytesIO(b"%PDF-1.4 sample"), "移交清单.pdf"))
    services.request_extension(owner, instance_by_key("transfer-plan@yanhu-mz"), "场所改造", date(2099, 1, 1))
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "yongji-mz"))
    save(make_user("scan-yongji", "liaison", unit="yongji-mz"), unit, current_month(),
         ReportInput("本月完成安排部署", "", ""), True, 0)
    assert training.sync_modules(Path(current_app.config["CONTENT_DIR"])).ok
    lines = load_training_demo()
    assert any(line.startswith("roster:") for line in lines), lines
    return inst
