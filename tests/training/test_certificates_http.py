"""Certificate pages over HTTP: who may download which PDF, the public verification page, the 学时
ledger's scope and the office's settings page."""
from io import BytesIO

import sqlalchemy as sa
from pypdf import PdfReader

from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, Certificate
from portal.training import certificates as certs
from portal.training import services
from tests.conftest import make_user
from tests.training.helpers import ROWS, import_rows, sync_modules, trainee

TODAY = today()


def completed(phone: str, key: str = "xinxi-modi-paicha") -> Certificate:
    from tests.training.helpers import admin_actor

    done = services.mark_completed(admin_actor(), trainee(phone), services.get_module(key), TODAY)
    return db.session.scalar(sa.select(Certificate).where(Certificate.completion_id == done.id))


def setup():
    sync_modules()
    import_rows(*ROWS)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)


def test_county_trainer_downloads_only_their_countys_certificates(app, plan, client, auth):
    setup()
    yanhu, yongji = completed("13800000002"), completed("13800000005")
    make_user("yj", "trainer", unit="yongji-mz")
    auth.login("yj")
    assert client.get(f"/training/certificates/{yanhu.id}/pdf").status_code == 404
    text = pdf_text(client.get(f"/training/certificates/{yongji.id}/pdf"))
    assert "结业证书" in text.replace(" ", "") and yongji.number in text and "主任戊" in text
    assert "运城市民政局" in text and f"/verify/{certs.token_for(yongji)}" in text and yongji.check_code in text
    listing = client.get("/training/certificates").get_data(as_text=True)
    assert yongji.number in listing and yanhu.number not in listing
    assert yanhu.number not in client.get("/training/certificates?county=yanhu").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "download_certificate"))
    assert entry.object_id == str(yongji.id) and entry.actor_name == "yj"


def test_trainee_downloads_own_certificate_from_my_training(app, plan, client, auth):
    setup()
    make_user("stu", "trainee")
    import_rows("主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,stu,")
    mine, other = completed("13800000002"), completed("13800000003")
    auth.login("stu")
    page = client.get("/training/my").get_data(as_text=True)
    assert mine.number in page and f"/training/certificates/{mine.id}/pdf" in page and "1 学时" in page
    assert other.number not in page
    assert "主任乙" in pdf_text(client.get(f"/training/certificates/{mine.id}/pdf"))
    assert client.get(f"/training/certificates/{other.id}/pdf").status_code == 404
    services.void_completion(make_user("adm2", "admin"), mine.completion, "误登记")
    response = client.get(f"/training/certificates/{mine.id}/pdf")  # a link on a page drawn before
    rows = [r for r in response.get_data(as_text=True).split('data-testid="certificate-row"')[1:] if mine.number in r]
    assert response.status_code == 422 and response.mimetype == "text/html"  # 我的培训 again
    assert f'data-testid="form-refused">证书{mine.number}已撤销，不能下载。' in rows[0]


def test_verification_page_is_public_and_shows_only_the_masked_name(app, plan, client):
    setup()
    cert = completed("13800000002")
    response = client.get(f"/verify/{certs.token_for(cert)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "有效" in page and "主*乙" in page
    assert cert.module_title in page and f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in page
    for private in ("主任乙", "13800000002", "北城街道", "红旗社区", "儿童主任"):
        assert private not in page, private
    assert response.headers["Cache-Control"] == "no-store"
    # Knowing the number is not enough: a wrong check code reads like a certificate that does not exist.
    wrong = certs.token_of(cert.year, cert.serial, "222222" if cert.check_code != "222222" else "333333")
    for token in (wrong, certs.token_of(cert.year, cert.serial + 1, cert.check_code), "anything"):
        miss = client.get(f"/verify/{token}")
        assert miss.status_code == 404 and "未找到该证书" in miss.get_data(as_text=True)
    services.void_completion(make_user("adm2", "admin"), cert.completion, "误登记")
    assert "已撤销" in client.get(f"/verify/{certs.token_for(cert)}").get_data(as_text=True)
    assert "误登记" not in client.get(f"/verify/{certs.token_for(cert)}").get_data(as_text=True)


def test_only_login_and_verification_pages_are_public(app):
    from portal.web.access import PUBLIC, access_of

    with app.test_request_context():
        public = sorted(rule.endpoint for rule in app.url_map.iter_rules() if access_of(rule.endpoint) == PUBLIC)
    assert public == ["auth.login", "auth.login_code", "auth.logout", "static", "training.verify"]


def test_hours_ledger_lists_who_is_short_in_scope(app, plan, client, auth):
    setup()
    completed("13800000002", "guanai-fuwu")  # 60 minutes: 2 学时
    completed("13800000003")  # 45 minutes: 1 学时
    arr = certs.arrangement()
    certs.save_arrangement(make_user("adm3", "admin"), arr, arr.version, {"yearly_target_tenths": 20}, {})
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    page = client.get(f"/training/hours?year={TODAY.year}").get_data(as_text=True)
    assert "未达目标 3 人" in page and "主任丙" in page and "督导甲" in page
    assert "主任乙" not in page and "主任戊" not in page  # reached the target; another county
    everyone = client.get("/training/hours?all=1").get_data(as_text=True)
    assert "主任乙" in everyone and "主任戊" not in everyone
    assert client.get("/training/hours?year=abc&page=x").status_code == 200
    person = client.get(f"/training/trainees/{trainee('13800000003').id}").get_data(as_text=True)
    assert f"{TODAY.year}年：1 学时（年度目标 2 学时，尚差 1 学时）" in person


def test_settings_page_city_trainer_edits_county_trainer_reads(app, plan, client, auth):
    setup()
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    page = client.get("/training/arrangement").get_data(as_text=True)
    assert "不是《实施方案》原文" in page and "运城市民政局" in page and 'name="minutes_per_hour"' not in page
    assert auth.post("/training/arrangement", data={"number_prefix": "X"}).status_code == 403
    client.post("/logout", data={"csrf_token": auth.csrf})
    make_user("city", "trainer", unit="city-mz")
    auth.login("city")
    page = client.get("/training/arrangement").get_data(as_text=True)
    module = services.get_module("fangan-yu-zhize")
    form = {"issuer": "", "number_prefix": "运儿培", "minutes_per_hour": "30", "quiz_hours": "0.5",
            "attendance_hours": "0.5", "yearly_target": "12", "version": str(certs.arrangement().version),
            f"valid_{module.id}": "24"}
    bad = auth.post("/training/arrangement", data={**form, "quiz_hours": "半个"})
    assert bad.status_code == 422 and "最多一位小数" in bad.get_data(as_text=True) and "半个" in bad.get_data(as_text=True)
    assert auth.post("/training/arrangement", data=form).status_code == 302
    db.session.expire_all()
    arr = certs.arrangement()
    assert (arr.attendance_tenths, arr.yearly_target_tenths, arr.validity_months) == (5, 120, {module.key: 24})
    stale = auth.post("/training/arrangement", data={**form, "yearly_target": "99"})
    assert stale.status_code == 409 and "其他人刚刚修改" in stale.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "training_arrangement")) is not None


def test_a5_option_prints_the_same_certificate_on_an_a5_page(app, plan, client, auth):
    setup()
    cert = completed("13800000005")
    make_user("yj5", "trainer", unit="yongji-mz")
    auth.login("yj5")
    a4 = client.get(f"/training/certificates/{cert.id}/pdf")
    a5 = client.get(f"/training/certificates/{cert.id}/pdf?size=a5")
    sizes = [tuple(round(float(v) / 72 * 25.4) for v in PdfReader(BytesIO(r.data)).pages[0].mediabox[2:]) for r in (a4, a5)]
    assert sizes == [(210, 297), (148, 210)]
    text = pdf_text(a5)
    assert cert.number in text and "主任戊" in text and f"/verify/{certs.token_for(cert)}" in text
    assert "A5 版" in client.get(f"/training/trainees/{cert.trainee_id}").get_data(as_text=True)
