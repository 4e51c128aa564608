"""Issue 11: users never see machinery. Every GET page, for every role, with the demo state loaded
(duties, reports and the training demo roster), is rendered and its visible text scanned for internal
ids (see tests/ui/idscan.py)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.core.time import today
from portal.extensions import db
from tests.conftest import AuthActions, make_user
from tests.ui.idscan import ISO_DATE_RE, forbidden, leaks_in, visible_text

ROLES = {"admin": None, "security_admin": None, "auditor": None, "leader": None, "liaison": "yanhu-mz",
         "trainer": None, "staff": None}
# Downloads are scanned by tests/ui/test_export_id_scan.py; JSON is not a page people read.
SKIP_ENDPOINTS = {"static", "auth.logout", "duties.download", "duties.export_ledger", "duties.export_duty_table",
                  "duties.api_duties", "policy_api.document_json", "policy_api.clause_json",
                  "board.bulletin_file", "training.coverage_sheet", "training.roster_template", "audit.export"}
STATUTE, EDITION, REGISTER_KEY = "weichengnianren-baohu-fa", "2020-10-17", "jiating-jiyang-guanli-banfa"


def url_values(inst) -> tuple[dict, dict]:
    """Values for URL arguments: common ones, and per endpoint where one name means different things."""
    from portal.models import Certificate, SignInSheet, Trainee, TrainingModule, User
    from portal.reports.services import current_month
    from portal.training.certificates import token_for

    module = db.session.scalar(sa.select(TrainingModule).order_by(TrainingModule.id))
    sheet = db.session.scalar(sa.select(SignInSheet).order_by(SignInSheet.id))
    trainee = db.session.scalar(sa.select(Trainee).where(Trainee.demo).order_by(Trainee.id))
    cert = db.session.scalar(sa.select(Certificate).order_by(Certificate.id))
    from portal.models import TrainingCourse

    course = TrainingCourse(title="儿童主任上岗培训", tier="onboarding", post="director", clause_id="3.2.10",
                            module_ids=[module.id] if module else [], description="按方案三（二）10组织的上岗培训")
    db.session.add(course)
    db.session.commit()
    from portal.plans import drafts
    from tests.plans.helpers import sample_document, sample_drafts

    drafted = drafts.create_plan(sample_document(), sample_drafts(), actor=None)  # its review page has duties
    common = {"message_id": _outbox_message(inst), "instance_id": inst.id, "plan_id": drafted.id, "draft_id": drafted.drafts[0].id, "code": "yanhu-mz", "unit_code": "yanhu-mz", "doc_id": "yunmin-2021-74",
              "clause_id": "3.1.1.1", "month": current_month(), "county_code": "yanhu",
              "session_id": sheet.id if sheet else None, "trainee_id": trainee.id if trainee else None,
              "course_id": course.id,
              "user_id": db.session.scalar(sa.select(User.id).where(User.username == "scan-owner"))}
    urge_id, notice_id = _supervision_sample(inst)
    common.update(urge_id=urge_id, notice_id=notice_id, matter_id=_matter_sample())
    by_endpoint = {
        "training.module": {"key": module.key if module else None},
        "policy.register_entry": {"key": REGISTER_KEY},
        "library_admin.register_edit": {"key": REGISTER_KEY},
        "policy.edition": {"doc_id": STATUTE, "edition": EDITION},
        "policy.compare": {"doc_id": STATUTE},
        "policy.retrain": {"doc_id": STATUTE, "key": "weibao-gongzuozhan"},  # its 2024 edition changed 第九条
        "duties.export_division": {"fmt": "xlsx"},  # a file, not a page: reached, then skipped as not HTML
        "plans.division_table": {"fmt": "xlsx"},
        "plans.draft_division_table": {"fmt": "xlsx"},
        "training.module_statistics": {"key": module.key if module else None},
        "training.verify": {"token": token_for(cert) if cert else None},
        "training.certificate_pdf_download": {"certificate_id": cert.id if cert else None},
    }
    return common, by_endpoint


def _supervision_sample(inst) -> tuple[int, int]:
    """A 督办通知单 on the duty (the ladder's own text, with a reply) and a notice to its unit."""
    from datetime import timedelta

    from portal.models import Notice, Urge
    from portal.supervision import ladder

    db.session.execute(sa.update(type(inst)).where(type(inst).id == inst.id).values(deadline=today() - timedelta(days=9)))
    ladder.run_escalations(today())
    urge = db.session.scalar(sa.select(Urge).where(Urge.instance_id == inst.id).order_by(Urge.id.desc()))
    urge.reply = "已办理。"
    notice = Notice(unit_id=inst.unit_id, title="任务提醒", body="请办理")
    db.session.add(notice)
    db.session.commit()
    return urge.id, notice.id


def _matter_sample() -> int:
    """A 交办事项 from a 批示, with a file: its duty page shows the source, the list names it."""
    from portal.models import Unit
    from portal.supervision import assign
    from tests.conftest import make_user

    office = make_user("scan-jiaoban", "admin")
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    matter = assign.create(office, assign.MatterInput(
        title="排查散居孤儿安置情况", source_kind="instruction", source_text="请摸清底数。", instructed_by="副市长",
        lead_ids=[unit.id], steps=["摸清底数"], attachment=("批示件.pdf", b"%PDF-1.4")))
    db.session.commit()
    return matter.id


def _outbox_message(inst) -> int:
    """A message on the office's 消息发送情况 (the daily digest to the duty's unit)."""
    from portal.duties.reminders import send_reminders
    from portal.models import OutboxMessage

    send_reminders()
    return db.session.scalar(sa.select(OutboxMessage.id).order_by(OutboxMessage.id))


def _star_something(user) -> None:
    """收藏: a folder with an article, and the document itself unfiled (the 我的收藏 page then has rows)."""
    from portal.policy import favourites
    from portal.policy.services import get_clause, get_document

    doc = get_document(STATUTE)
    favourites.star(user, doc, get_clause(doc, "a11"), favourites.create_folder(user, "强制报告"))
    favourites.star(user, doc, None, None)


def get_urls(app, inst) -> list[str]:
    from flask import url_for

    common, by_endpoint = url_values(inst)
    urls, unreached = [], []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
                continue
            values = {**common, **by_endpoint.get(rule.endpoint, {})}
            args = {a: values.get(a) for a in rule.arguments}
            if any(v is None for v in args.values()):
                unreached.append(rule.endpoint)
                continue
            urls.append(url_for(rule.endpoint, **args))
        urls += [url_for("policy.document", doc_id=STATUTE), url_for("policy.print_view", doc_id=STATUTE)]
    # a staged batch (tests/policy/test_admin.py); a trainer's own import job (tests/training/test_import_jobs.py);
    # a photographed sign-in sheet, an image file (tests/training/test_village_signin.py); a trainer's own
    # background export, its page and its file (tests/training/test_export_jobs.py)
    assert set(unreached) <= {"library_admin.preview", "training.import_job", "training.session_photo",
                              "training.export_job", "training.export_file"}, unreached
    urls += [f"/duban/urge?instance={inst.id}", "/duban/urge?scope=overdue", "/duban/?replied=yes",
             "/duban/?sort=newest"]
    urls += ["/tasks/?unit=", "/supervision/", "/search/?q=移交", "/admin/audit/", "/tasks/?unit=city-mz",
             "/board?county=yanhu", "/training/reports/matrix?county=yanhu",
             "/policy/?level=法律&place=national&issued_from=2020", f"/policy/{STATUTE}/a9/print"]
    return sorted(set(urls))


@pytest.mark.parametrize("role", list(ROLES))
def test_no_internal_ids_on_any_page(app, demo, role):
    user = make_user(f"scan-{role}", role, unit=ROLES[role])
    _star_something(user)
    auth = AuthActions(app.test_client())
    assert auth.login(user.username).status_code == 302
    patterns = [*forbidden(), ISO_DATE_RE]  # (exports keep dates as typed date cells)
    leaks: list[str] = []
    checked = set()
    for url in get_urls(app, demo):
        response = auth.client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        checked.add(url.split("?")[0])
        html = response.get_data(as_text=True)
        leaks += leaks_in(visible_text(html), url, patterns)
        # the browser tab shows the <title> as text: markup there is a template block gone astray
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        if title is None or "<" in title.group(1) or len(title.group(1)) > 120:
            leaks.append(f"{url}: page title {title.group(1)[:80] if title else None!r}")
    assert len(checked) >= 8, checked
    if role == "admin":  # the new pages are really looked at
        assert {"/board", "/training/roster", "/admin/library/", f"/policy/{STATUTE}/v/{EDITION}",
                "/policy/yunmin-2021-74/print", "/policy/favourites/", f"/policy/{STATUTE}/a9/print"} <= checked, sorted(checked)
    assert not leaks, "\n".join(leaks)
