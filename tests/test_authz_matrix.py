"""Every route, every role: the app's URL map is walked, so a new route without a rule fails here.

EXPECTED is the reviewed access table. A route missing from it, or a view without an access
declaration, fails the test; so does any difference between the table and what the app does.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.plan import PLAN_NUMBER
from portal.extensions import db
from portal.models import ImportJob, Plan, User
from portal.web.access import ANY_ACCOUNT, LOGGED_IN, PUBLIC, access_of
from tests.conftest import ROLES, AuthActions, make_user

ANON = "anonymous"
# The daily work pages (@logged_in): a trainee-only account (学员) is kept out, and so are the security
# administrator and the auditor (三员分立: they administer the system, they do not work on duties).
ALL = frozenset(ROLES) - {"trainee", "security_admin", "auditor"}
# Every account including trainees (@any_account): the policy library, search, their own training.
EVERYONE = frozenset(ROLES)
ADMIN_ONLY = frozenset({"admin"})
SECURITY_ADMIN_ONLY = frozenset({"security_admin"})
AUDITOR_ONLY = frozenset({"auditor"})
FIGURES = frozenset({"admin", "leader", "trainer"})
TRAINERS = frozenset({"admin", "trainer"})

EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,  # also without the database: ending a session needs only the cookie
    "auth.login_code": PUBLIC,  # the second step of signing in (nothing without a passed password step)
    "auth.account": EVERYONE,
    "auth.second_factor_setup": EVERYONE,
    "auth.second_factor_disable": EVERYONE,
    "auth.recovery_codes": EVERYONE,
    "auth.password": EVERYONE,
    "home.index": EVERYONE,
    "units.index": ALL,
    "units.detail": ALL,
    "admin.users": ADMIN_ONLY,
    "admin.user_new": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.user_set_active": ADMIN_ONLY,
    "admin.user_reset_password": ADMIN_ONLY,
    "admin.user_reset_second_factor": ADMIN_ONLY,
    # 三员分立: the auditor reads the log, the security administrator the login protection; not the admin.
    "audit.index": AUDITOR_ONLY,
    "audit.export": AUDITOR_ONLY,
    "security.throttles": SECURITY_ADMIN_ONLY,
    "security.clear": SECURITY_ADMIN_ONLY,
    "policy.index": EVERYONE,
    "policy.document": EVERYONE,
    "policy.clause": EVERYONE,
    "policy.register": EVERYONE,
    "policy.register_entry": EVERYONE,
    "policy_api.documents": EVERYONE,
    "policy_api.document": EVERYONE,
    "policy.edition": EVERYONE,
    "policy.compare": EVERYONE,
    "policy.print_view": EVERYONE,
    "policy.print_clause": EVERYONE,
    # 重新安排学习 after a law's new edition: whoever assigns training (a county's trainer: its people)
    "policy.retrain": TRAINERS,
    # 收藏: everyone's own (portal.policy.favourites scopes every folder and favourite to its owner)
    "policy.favourites": EVERYONE,
    "policy.star": EVERYONE,
    "policy.folder_create": EVERYONE,
    "policy.folder_rename": EVERYONE,
    "policy.folder_delete": EVERYONE,
    "policy.favourite_move": EVERYONE,
    "policy.favourite_remove": EVERYONE,
    "library_admin.index": ADMIN_ONLY,
    "library_admin.upload": ADMIN_ONLY,
    "library_admin.preview": ADMIN_ONLY,
    "library_admin.do_import": ADMIN_ONLY,
    "library_admin.register_edit": ADMIN_ONLY,
    "library_admin.retire_import": ADMIN_ONLY,
    "library_admin.restore_import": ADMIN_ONLY,
    "library_admin.delete_import": ADMIN_ONLY,
    "duties.index": ALL,
    "duties.instance": ALL,
    "duties.tick": ALL,  # object-level rules (lead unit's liaison or admin) are tested in tests/duties
    "duties.note": ALL,
    "duties.upload": ALL,
    "duties.download": frozenset({"admin", "leader", "liaison"}),
    "duties.change_state": ALL,
    "duties.extension": ALL,
    "duties.responsible": ALL,
    "duties.export_ledger": ALL,
    "duties.export_duty_table": ALL,
    "duties.export_division": ALL,
    "duties.api_duties": ALL,
    "duties.queue": ADMIN_ONLY,
    "duties.decide": ADMIN_ONLY,
    "duties.decide_ext": ADMIN_ONLY,
    "duties.decide_many": ADMIN_ONLY,
    "duties.coverage": ADMIN_ONLY,
    "search.index": EVERYONE,
    "search.api": EVERYONE,
    "reports.index": frozenset({"admin", "leader", "liaison"}),
    "reports.edit": frozenset({"admin", "leader", "liaison"}),
    # Training (issue #8): county scope and "own trainee only" are tested in tests/training.
    "training.index": FIGURES,
    "training.matrix": FIGURES,
    "training.city": FIGURES,
    "training.overdue": FIGURES,
    "training.api": FIGURES,
    "training.modules": EVERYONE,
    "training.module": EVERYONE,
    "training.quiz": frozenset({"trainee"}),
    "training.mine": frozenset({"trainee"}),
    "training.roster": TRAINERS,
    "training.roster_template": TRAINERS,
    "training.roster_import": TRAINERS,
    "training.roster_import_confirm": TRAINERS,
    "training.import_job": TRAINERS,
    "training.import_job_resume": TRAINERS,
    "training.export_job": FIGURES,  # a background export's page and file: only the person who asked
    "training.export_file": FIGURES,
    "training.trainee": TRAINERS,
    "training.trainee_active": TRAINERS,
    "training.trainee_edit": TRAINERS,
    "training.trainee_new_password": TRAINERS,
    "training.trainee_assign": TRAINERS,
    "training.trainee_complete": TRAINERS,
    "training.completion_void": TRAINERS,
    "training.assignment_end": TRAINERS,
    "training.assign": TRAINERS,
    "training.assign_rule_end": TRAINERS,
    "training.sessions": TRAINERS,
    "training.session_sheet": TRAINERS,
    "training.session_tick": TRAINERS,
    "training.session_numbers": TRAINERS,
    "training.session_code": TRAINERS,
    "training.session_photo_upload": TRAINERS,
    "training.session_photo": TRAINERS,
    "training.signin_page": frozenset({"trainee"}),
    "training.module_statistics": TRAINERS,
    "training.feedback": frozenset({"trainee"}),
    "training.places": TRAINERS,
    "training.place_rename": TRAINERS,
    "training.place_merge": TRAINERS,
    "training.coverage_sheet": frozenset({"admin", "leader", "trainer", "liaison"}),
    "training.attach_coverage": frozenset({"admin", "liaison"}),
    # Certificates (issue #21): a trainee downloads only their own, a trainer their county's
    # (tests/training/test_certificates_http.py); the verification page is the one public page besides login.
    "training.certificate_pdf_download": frozenset({"admin", "trainer", "trainee"}),
    "training.verify": PUBLIC,
    "training.certificates_list": TRAINERS,
    "training.hours_ledger": TRAINERS,
    "training.arrangement": TRAINERS,
    "training.courses_list": TRAINERS,
    "training.course_new": TRAINERS,  # further: a county's trainer is sent back to the list (the city sets courses)
    "training.course_edit": TRAINERS,
    "board.index": ALL,  # what each role sees there (rows vs totals) is tested in tests/board
    "board.api_progress": ALL,
    "board.county": frozenset({"admin", "leader", "liaison"}),
    "board.transfer": frozenset({"admin", "leader", "liaison"}),
    "board.decisions": frozenset({"admin", "leader"}),
    "board.bulletin": frozenset({"admin", "leader"}),
    "board.bulletin_file": frozenset({"admin", "leader"}),
    "board.indicator": frozenset({"admin", "liaison"}),  # further: the lead unit's liaison (tests/board)
    "board.instruction": frozenset({"admin", "leader"}),
    # 督办: the office sends and sets; leaders read; a unit's liaison signs for and replies to its own
    # (object-level rules in tests/supervision).
    "supervision.index": frozenset({"admin", "leader"}),
    "supervision.urge": ADMIN_ONLY,
    "supervision.settings": ADMIN_ONLY,
    "supervision.leader": ADMIN_ONLY,
    "supervision.notices": frozenset({"admin", "leader"}),
    "supervision.document": frozenset({"admin", "leader", "liaison"}),
    "supervision.inbox": frozenset({"liaison"}),
    "supervision.ack": frozenset({"liaison"}),
    "supervision.reply_to": frozenset({"liaison"}),
    # 交办: the office, or a leader through a 批示; the list for those who read every unit; a matter's
    # file for everyone who reads duties; closing a 催办 is the office's.
    "supervision.assign_matter": frozenset({"admin", "leader"}),
    "supervision.assigned": frozenset({"admin", "leader"}),
    "supervision.matter_attachment": ALL,
    "supervision.close": ADMIN_ONLY,
    "supervision.notice_read": frozenset({"admin", "leader", "liaison"}),  # object-level: the notice's own readers
    "supervision.bulletin_schedule": ADMIN_ONLY,
    "supervision.notice": frozenset({"admin", "leader", "liaison"}),
    # Plans (issue #19): everyone at work reads them; the office (管理员) imports, reviews, publishes, archives.
    "plans.index": ALL,
    "plans.detail": ALL,
    "plans.api_plans": ALL,
    "plans.new": ADMIN_ONLY,
    "plans.archive": ADMIN_ONLY,
    "plans.restore": ADMIN_ONLY,
    "plans.review": ADMIN_ONLY,
    "plans.edit_draft": ADMIN_ONLY,
    "plans.draft_card": ADMIN_ONLY,
    "plans.split_draft": ADMIN_ONLY,
    "plans.merge_draft": ADMIN_ONLY,
    "plans.add_draft": ADMIN_ONLY,
    "plans.drop_draft": ADMIN_ONLY,
    "plans.map_name": ADMIN_ONLY,
    "plans.new_unit": ADMIN_ONLY,
    "plans.no_duty": ADMIN_ONLY,
    "plans.do_publish": ADMIN_ONLY,
    "plans.revise": ADMIN_ONLY,
    "plans.division_table": ALL,
    "plans.draft_division_table": ADMIN_ONLY,
    "plans.import_division": ADMIN_ONLY,
    # The outbox (issue #20): the office's delivery states and unit robots; everyone's own message settings.
    "outbox.index": ADMIN_ONLY,
    "outbox.message": ADMIN_ONLY,
    "outbox.retry": ADMIN_ONLY,
    "outbox.units": ADMIN_ONLY,
    "outbox.unit_settings": ADMIN_ONLY,
    "outbox.mine": EVERYONE,
    "board.assessment_page": frozenset({"admin", "leader"}),  # 考核排名: every unit's score
    "board.assessment_settings": ADMIN_ONLY,  # the office (督查室) sets the weights
}


def sample_args(endpoint: str) -> dict:
    """Values for URL parameters, chosen so the target exists."""
    target = db.session.scalar(sa.select(User).where(User.username == "target"))
    return {
        "user_id": target.id,
        "code": "city-mz",
        "filename": "css/portal.css",
        "doc_id": "yunmin-2021-74",
        "clause_id": "3.2.8",
        # A duty of the test liaison's unit (yanhu-mz), so every admitted role may open it.
        "instance_id": _sample["instance"].id,
        "item_id": _sample["instance"].items[0].id,
        "evidence_id": _sample["evidence"].id,
        "extension_id": _sample["extension"].id,
        "fmt": "csv",
        "unit_code": "yanhu-mz",
        "month": "2026-11",
        "key": _sample.get("module_key", "jiating-jiyang-guanli-banfa") if endpoint.startswith("training.") else
        "jiating-jiyang-guanli-banfa",
        "trainee_id": _sample["trainee"].id,
        "completion_id": _sample["completion"].id,
        "certificate_id": _sample["certificate"].id,
        "course_id": _sample["course"].id,
        "token": _sample["token"],
        "assignment_id": _sample["assignment"].id,
        "session_id": _sample["session"].id,
        "photo_id": _sample["photo"].id,
        "rule_id": _sample["rule"].id,
        "import_id": _sample["import"].id,
        "folder_id": 1,  # POST only: refused by CSRF before the view (the owner check is in tests/policy)
        "favourite_id": 1,
        "area_id": _sample["trainee"].township_id,
        # The county of the test liaison (yanhu-mz), so every admitted role may download its sheet.
        **({"code": "yanhu"} if endpoint == "training.coverage_sheet" else {}),
        **({"instance_id": _sample["training_duty"].id} if endpoint == "training.attach_coverage" else {}),
        **({"fmt": "xlsx"} if endpoint in ("duties.export_division", "plans.division_table",
                                           "plans.draft_division_table") else {}),
        "kind": "close",
        "county_code": "yanhu",
        "file_format": "xlsx",
        "batch": "0123456789abcdef",
        "urge_id": _sample["urge"].id,  # sent to the test liaison's unit (yanhu-mz)
        "notice_id": _sample["notice"].id,
        "matter_id": _sample["matter"].id,
        "message_id": _sample["message"].id,
        "delivery_id": _sample["message"].deliveries[0].id,
        "job_id": 1,  # an export job: anyone's but the viewer's (or none): redirected with a message
        **({"job_id": _sample["import_job"].id} if endpoint.startswith("training.import_job") else {}),
        "plan_id": _sample["plan"].id,  # a plan with an open draft (its review page has a duty to edit)
        "draft_id": _sample["plan"].drafts[0].id,
        **({"doc_id": "weichengnianren-baohu-fa", "edition": "2020-10-17"} if endpoint == "policy.edition" else {}),
        **({"doc_id": "weichengnianren-baohu-fa"} if endpoint == "policy.compare" else {}),
        **({"doc_id": "weichengnianren-baohu-fa", "key": "weibao-gongzuozhan"} if endpoint == "policy.retrain" else {}),
    }


_sample: dict = {}


@pytest.fixture(autouse=True)
def _sample_objects(plan):
    """Pages with ids need their objects to exist: the library, a duty, evidence, an extension."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from portal.duties import evidence, services
    from tests.conftest import instance_by_key

    owner = make_user("sample-liaison", "liaison", unit="yanhu-mz")
    inst = instance_by_key("transfer-children@yanhu-mz")
    _sample["instance"] = inst
    _sample["evidence"] = evidence.add_evidence(owner, inst, FileStorage(BytesIO(b"%PDF-1.4 sample"), "a.pdf"))
    from datetime import date

    _sample["extension"] = services.request_extension(owner, inst, "sample", date(2030, 1, 1))
    _training_samples()
    from portal.plans import drafts
    from tests.plans.helpers import sample_document, sample_drafts

    _sample["plan"] = drafts.create_plan(sample_document(), sample_drafts(), actor=None)
    _supervision_samples(inst)
    from portal.models import LibraryImport

    _sample["import"] = LibraryImport(doc_id="sample-import", title="示例法规", files="示例法规.txt",
                                      markdown="", active=False)
    db.session.add(_sample["import"])
    from portal.outbox import enqueue

    _sample["message"] = enqueue("urge", subject="催办", body="请办理", units=[inst.unit])
    # a roster import running (its page is its starter's and an admin's; another's answers 404)
    _sample["import_job"] = ImportJob(kind="roster", created_by_id=owner.id, total=3, done=1, state="running",
                                      message="", owner="", result="", secrets="")
    db.session.add(_sample["import_job"])
    db.session.commit()


def _supervision_samples(inst):
    """A 催办 and a notice to the test liaison's unit (盐湖区民政局)."""
    from portal.models import Notice
    from portal.supervision.services import add_urge

    _sample["urge"] = add_urge(level="urge", topic="duty", unit_id=inst.unit_id, instance_id=inst.id,
                               subject="催办：样例", body="样例")
    _sample["notice"] = Notice(unit_id=inst.unit_id, title="任务提醒", body="样例")
    db.session.add(_sample["notice"])
    from portal.supervision import assign

    _sample["matter"] = assign.create(make_user("sample-office", "admin"), assign.MatterInput(
        title="样例交办", source_kind="other", lead_ids=[inst.unit_id], attachment=("样例.pdf", b"%PDF-1.4")))
    db.session.commit()


def _training_samples():
    """A module, a trainee with an assignment and a completion, an attendance sheet (盐湖区)."""
    from tests.training.helpers import sample_training

    _sample.update(sample_training())


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_endpoint_declares_access_and_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    with app.test_request_context():
        undeclared = sorted(e for e in endpoints if access_of(e) is None)
    assert not undeclared, f"views without an access rule: {undeclared}"
    missing = sorted(endpoints - EXPECTED.keys())
    assert not missing, f"routes missing from the authorization matrix: {missing}"
    stale = sorted(EXPECTED.keys() - endpoints)
    assert not stale, f"matrix lists routes that no longer exist: {stale}"
    assert PLAN_PAGES <= endpoints, sorted(PLAN_PAGES - endpoints)
    with app.test_request_context():
        for endpoint, expected in EXPECTED.items():
            declared = access_of(endpoint)
            if expected is ALL:
                assert declared in (LOGGED_IN, ALL), endpoint
            elif expected is EVERYONE:
                assert declared == ANY_ACCOUNT, endpoint
            else:
                assert declared == expected, endpoint


# Pages that count every plan or the one chosen (`?plan=`, portal.web.query_args.plan_arg): opened with a
# plan chosen, so the choice is under the same access rules as the page.
PLAN_PAGES = {"home.index", "duties.index", "duties.queue", "board.index", "board.county", "board.bulletin",
              "board.assessment_page", "units.detail", "supervision.index", "supervision.inbox"}


def _plan_choice(endpoint: str) -> dict:
    if endpoint not in PLAN_PAGES:
        return {}
    return {"plan": db.session.scalar(sa.select(Plan.id).where(Plan.number == PLAN_NUMBER))}


def allows(expected, who: str) -> bool:
    if expected == PUBLIC:
        return True
    if who == ANON:
        return False
    return who in expected


@pytest.mark.parametrize("who", [ANON, *ROLES])
def test_matrix(app, who):
    make_user("target", "staff")
    client = app.test_client()
    auth = AuthActions(client)
    if who != ANON:
        user = make_user(f"u-{who}", who)
        if who == "trainee":  # the sample certificate's holder: their own download is what the role admits
            _sample["trainee"].user_id = user.id
            db.session.commit()
        if who == "trainer":  # the sample roster import is the trainer's own
            _sample["import_job"].created_by_id = user.id
            db.session.commit()
        assert auth.login(f"u-{who}").status_code == 302
    failures = []
    for rule, method in routes(app):
        expected = EXPECTED[rule.endpoint]
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: v for k, v in sample_args(rule.endpoint).items() if k in rule.arguments},
                          **_plan_choice(rule.endpoint))
        # No CSRF token: an admitted state change must be refused by CSRF, never performed.
        response = client.open(url, method=method)
        status = response.status_code
        location = response.headers.get("Location", "")
        response.close()
        if allows(expected, who):
            if method == "GET":
                ok = status in (200, 302) and "/login" not in location or (
                    rule.endpoint == "auth.login" and who != ANON and status == 302
                ) or (  # the code step without a passed password step: back to the password
                    rule.endpoint == "auth.login_code" and status == 302
                )
            else:
                ok = status == 400  # CSRF token missing
        elif who == ANON:
            # the JSON API answers 401 instead of redirecting to the login page (access.py)
            ok = status == 401 if url.startswith("/api/") else status == 302 and "/login" in location
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {url} as {who}: {status} {location}")
    assert not failures, "\n".join(failures)
