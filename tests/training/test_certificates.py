"""结业证书 and 学时: numbering, revocation with the completion, terms and renewal, the 学时 ledger."""
from datetime import date, timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, Certificate, Completion
from portal.training import certificates as certs
from portal.training import hours, services
from tests.conftest import make_user
from tests.training.helpers import ROWS, import_rows, sync_modules, trainee

TODAY = today()


def setup():
    sync_modules()
    import_rows(*ROWS)
    return make_user("adm", "admin")


def cert_of(completion) -> Certificate:
    db.session.expire_all()
    return db.session.scalar(sa.select(Certificate).where(Certificate.completion_id == completion.id))


# ---- pure parts ------------------------------------------------------------------------------

def test_number_token_and_masking():
    assert certs.number_text("运儿培", 2026, 123) == "运儿培〔2026〕000123号"
    token = certs.token_of(2026, 123, "K7QX9P")
    assert token == "2026-000123-K7QX9P"
    assert certs.parse_token(token) == (2026, 123, "K7QX9P")
    for bad in ("", "2026-123-K7QX9P", "2026-000123", "2026-000123-K7QX9P/../x", "abcd-000123-K7QX9P"):
        assert certs.parse_token(bad) is None, bad
    code = certs.new_check_code()
    assert len(code) == 6 and set(code) <= set(certs.CHECK_ALPHABET)
    assert [certs.mask_name(n) for n in ("张三明", "李四", "欧阳小明", "王")] == ["张*明", "李*", "欧**明", "王"]


def test_hours_rules_and_terms():
    # 30 minutes or more = 1 学时 (per full 30 minutes), a passed test +0.5, attendance as the office sets
    assert certs.hours_tenths(45, "manual", 30, 5, 0) == 10
    assert certs.hours_tenths(60, "quiz", 30, 5, 0) == 25
    assert certs.hours_tenths(20, "manual", 30, 5, 0) == 0
    assert certs.hours_tenths(45, "attendance", 30, 5, 5) == 15
    assert certs.hours_tenths(45, "manual", 45, 5, 0) == 10
    assert [certs.hours_text(t) for t in (0, 5, 10, 25, None)] == ["0", "0.5", "1", "2.5", "0"]
    assert certs.expiry(date(2026, 12, 7), 12) == date(2027, 12, 6)
    assert certs.expiry(date(2026, 1, 31), 1) == date(2026, 2, 27)  # February has no 31st
    assert certs.expiry(date(2026, 1, 31), None) is None
    assert certs.state_of(False, date(2027, 12, 6), date(2027, 12, 6)) == certs.VALID
    assert certs.state_of(False, date(2027, 12, 6), date(2027, 12, 7)) == certs.EXPIRED
    assert certs.state_of(True, None, date(2027, 12, 7)) == certs.REVOKED


# ---- issue, number, revoke -------------------------------------------------------------------

def test_each_completion_gets_a_numbered_certificate_numbers_never_reused(app, plan):
    admin = setup()
    module = services.get_module("xinxi-modi-paicha")  # 45 minutes
    a, b = trainee("13800000002"), trainee("13800000005")
    first = services.mark_completed(admin, a, module, TODAY)
    second = services.mark_completed(admin, b, module, TODAY)
    c1, c2 = cert_of(first), cert_of(second)
    assert (c1.year, c1.serial, c2.serial) == (TODAY.year, 1, 2)
    assert c1.number == f"运儿培〔{TODAY.year}〕000001号" and c2.number.endswith("000002号")
    assert (c1.person_name, c1.person_post, c1.place) == ("主任乙", "director", "盐湖区北城街道红旗社区")
    assert c1.module_title == module.title and c1.hours_tenths == 10 and c1.issuer == "运城市民政局"
    assert c1.check_code != c2.check_code

    services.void_completion(admin, first, "登记错了人")
    revoked = cert_of(first)
    assert revoked.revoked and revoked.revoke_reason == "登记错了人" and revoked.revoked_by_id == admin.id
    again = services.mark_completed(admin, a, module, TODAY)
    assert cert_of(again).serial == 3  # the revoked certificate keeps 000001; nothing is renumbered
    assert cert_of(first).number.endswith("000001号")
    last_year = services.mark_completed(admin, trainee("13800000003"), module, date(TODAY.year - 1, 12, 30))
    assert cert_of(last_year).number == f"运儿培〔{TODAY.year - 1}〕000001号"

    actions = [e.action for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "certificate")
                                                    .order_by(AuditEntry.id))]
    assert actions == ["issue_certificate", "issue_certificate", "revoke_certificate", "issue_certificate",
                       "issue_certificate"]


def test_unticking_a_sheet_revokes_its_certificate(app, plan):
    admin = setup()
    person = trainee("13800000002")
    module = services.get_module("xinxi-modi-paicha")
    sheet = services.create_sheet(admin, module, person.county, person.township, TODAY, "会议室", "讲师")
    services.set_attendance(admin, sheet, person, True)
    c = services.current_completion(person.id, module.id)
    assert cert_of(c).hours_tenths == 10 and not cert_of(c).revoked
    services.set_attendance(admin, sheet, person, False)
    assert cert_of(c).revoked and cert_of(c).revoke_reason == "签到表取消勾选"


def test_quiz_completion_earns_the_test_bonus(app, plan):
    setup()
    module = services.get_module("xinxi-modi-paicha")
    user = make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    person = trainee("13800000002")
    right = {q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]} for q in module.quiz["questions"]}
    services.submit_quiz(user, person, module, right)
    cert = cert_of(services.current_completion(person.id, module.id))
    assert cert.hours_tenths == 15  # 45 minutes = 1, passed test + 0.5


# ---- term, expiry, renewal -------------------------------------------------------------------

def test_expired_certificate_makes_the_person_due_again(app, plan):
    admin = setup()
    module = services.get_module("fangan-yu-zhize")
    certs.arrangement().validity_months = {module.key: 12}
    db.session.commit()
    person = trainee("13800000002")
    old = services.mark_completed(admin, person, module, TODAY - timedelta(days=400))
    assert cert_of(old).expires_on == certs.expiry(TODAY - timedelta(days=400), 12) < TODAY
    assert services.current_completion(person.id, module.id) is None  # expired: not a standing completion
    (_, _, state, shown), = [i for i in services.assignments_of(person) if i[1].id == module.id]
    assert state == training_rules.OVERDUE and shown is None
    renewed = services.mark_completed(admin, person, module, TODAY)  # recompletion is allowed, numbered anew
    new = cert_of(renewed)
    assert new.number != cert_of(old).number and new.expires_on == certs.expiry(TODAY, 12)
    assert certs.state_of(new.revoked, new.expires_on, TODAY) == certs.VALID
    assert services.assignments_of(person)[0][2] == training_rules.COMPLETED


def test_rule_changes_apply_to_later_certificates_only(app, plan):
    admin = setup()
    module = services.get_module("xinxi-modi-paicha")
    first = services.mark_completed(admin, trainee("13800000002"), module, TODAY)
    arr = certs.arrangement()
    certs.save_arrangement(admin, arr, arr.version, {"minutes_per_hour": 45, "issuer": "某某发证机关",
                                                     "validity_months": {module.key: 24}}, {module.key: module.title})
    second = services.mark_completed(admin, trainee("13800000003"), module, TODAY)
    assert (cert_of(first).issuer, cert_of(first).expires_on) == ("运城市民政局", None)
    assert (cert_of(second).issuer, cert_of(second).expires_on) == ("某某发证机关", certs.expiry(TODAY, 24))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "training_arrangement"))
    assert entry.after["validity"] == f"{module.title} 24个月" and module.key not in str(entry.after)


def test_a_stale_settings_form_is_refused_not_overwritten(app, plan):
    admin = setup()
    arr = certs.arrangement()
    seen = arr.version
    certs.save_arrangement(admin, arr, seen, {"quiz_tenths": 10}, {})
    import pytest

    from portal.training.scope import TrainingError

    with pytest.raises(TrainingError, match="其他人刚刚修改"):
        certs.save_arrangement(admin, arr, seen, {"quiz_tenths": 0}, {})
    assert certs.arrangement().quiz_tenths == 10


# ---- the 学时 ledger -------------------------------------------------------------------------

def test_hours_ledger_per_person_and_year(app, plan):
    admin = setup()
    person = trainee("13800000002")
    m45, m60 = services.get_module("xinxi-modi-paicha"), services.get_module("guanai-fuwu")
    assert (m45.duration_minutes, m60.duration_minutes) == (45, 60)
    services.mark_completed(admin, person, m45, date(TODAY.year - 1, 6, 1))
    kept = services.mark_completed(admin, person, m60, TODAY)
    voided = services.mark_completed(admin, person, services.get_module("fangan-yu-zhize"), TODAY)
    services.void_completion(admin, voided, "重复登记")
    assert hours.by_year(person.id) == [(TODAY.year, 20), (TODAY.year - 1, 10)]  # the revoked one counts nothing
    assert hours.year_total(person.id, TODAY.year) == 20
    arr = certs.arrangement()
    certs.save_arrangement(admin, arr, arr.version, {"yearly_target_tenths": 15}, {})
    city = make_user("city-tr", "trainer", unit="city-mz")
    short = [t.name for t in db.session.scalars(hours.ledger_query(city, TODAY.year, None, 15))]
    assert "主任乙" not in short and set(short) == {"督导甲", "主任丙", "主任丁", "主任戊"}
    yh = make_user("yh-tr", "trainer", unit="yanhu-mz")
    assert "主任戊" not in [t.name for t in db.session.scalars(hours.ledger_query(yh, TODAY.year, None, 15))]
    assert kept.id


def test_issue_missing_numbers_completions_recorded_before_certificates(app, plan):
    admin = setup()
    person = trainee("13800000004")
    module = services.get_module("guanai-fuwu")
    legacy = Completion(trainee_id=person.id, module_id=module.id, how="manual", completed_on=TODAY,
                        recorded_by_id=admin.id)
    db.session.add(legacy)
    db.session.commit()
    assert certs.issue_missing() == 1
    assert cert_of(legacy).hours_tenths == 20 and certs.issue_missing() == 0
