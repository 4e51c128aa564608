"""Issue 21, village sign-in: numbered sheets, the sheet's numbers typed in, the trainee's own scan
(a rotating code valid only on the training day, the trainee's own account), photos of the signed sheet."""
import re
from datetime import date, timedelta
from html import unescape
from io import BytesIO

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, Completion, SheetPhoto
from portal.training import services, sheet_rules, signin
from portal.training.scope import TrainingError
from portal.training.sheet_photos import add_photo
from tests.conftest import AuthActions, make_user
from tests.training.helpers import JPEG, ROWS, county, db_area, import_rows, sync_modules, trainee

KEY = b"k" * 32
DAY = date(2026, 5, 6)


# ---- pure rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, numbers", [
    ("1 3 5-9", [1, 3, 5, 6, 7, 8, 9]),
    ("１，３、５－７", [1, 3, 5, 6, 7]),  # full-width digits, Chinese commas
    ("2,2 2-3", [2, 3]),
    ("4～6\n10", [4, 5, 6, 10]),
])
def test_typed_numbers_are_read_as_a_trainer_writes_them(typed, numbers):
    assert sheet_rules.parse_numbers(typed) == numbers


@pytest.mark.parametrize("typed, says", [
    ("", "请输入"), ("1 x 3", "「x」"), ("9-5", "起始编号大于"), ("0 1", "没有编号 0"), ("1-100000", "范围过大"),
])
def test_bad_numbers_say_what_is_wrong(typed, says):
    with pytest.raises(sheet_rules.NumbersProblem, match=says):
        sheet_rules.parse_numbers(typed)


def test_numbers_text_is_short():
    assert sheet_rules.numbers_text([9, 1, 3, 5, 6, 7]) == "1、3、5-7、9"


def test_screen_code_rotates_and_expires_after_the_grace():
    start = 1_800_000_000.0
    code = sheet_rules.screen_code(KEY, 7, start)
    assert code != sheet_rules.screen_code(KEY, 7, start + sheet_rules.ROTATE_SECONDS)  # it rotates
    assert sheet_rules.code_problem(KEY, 7, DAY, code, start, DAY) is None
    later = start + sheet_rules.ROTATE_SECONDS * sheet_rules.ROTATE_GRACE
    assert sheet_rules.code_problem(KEY, 7, DAY, code, later, DAY) is None  # a trainee who had to log in first
    assert "过期" in sheet_rules.code_problem(KEY, 7, DAY, code, later + sheet_rules.ROTATE_SECONDS, DAY)
    assert "无效" in sheet_rules.code_problem(KEY, 8, DAY, code, start, DAY)  # another session's code
    assert "无效" in sheet_rules.code_problem(b"other", 7, DAY, code, start, DAY)  # forged without the key
    forged = f"{sheet_rules.slot_of(start) + 1}-{code.split('-')[1]}"  # a future slot with an old signature
    assert "无效" in sheet_rules.code_problem(KEY, 7, DAY, forged, start, DAY)


def test_codes_work_only_on_the_training_day():
    paper = sheet_rules.paper_code(KEY, 7, DAY)
    assert sheet_rules.code_problem(KEY, 7, DAY, paper, 0, DAY) is None
    assert "当天" in sheet_rules.code_problem(KEY, 7, DAY, paper, 0, DAY + timedelta(days=1))
    assert "尚未开始" in sheet_rules.code_problem(KEY, 7, DAY, paper, 0, DAY - timedelta(days=1))
    assert "无效" in sheet_rules.code_problem(KEY, 7, DAY, "p-0000", 0, DAY)


# ---- the sheet --------------------------------------------------------------------------------

def _sheet(held_on=None, trainer=None):
    sync_modules()
    import_rows(*ROWS)
    trainer = trainer or make_user("tr", "trainer")
    return trainer, services.create_sheet(trainer, services.get_module("xinxi-modi-paicha"), county("yanhu"),
                                            db_area("北城街道"), held_on or today(), "会议室", "王老师")


def test_numbers_stay_with_their_people_when_the_roster_grows(app, plan):
    _, sheet = _sheet()
    first = [(n, p.name) for n, p in signin.seats(sheet)]
    assert [n for n, _ in first] == [1, 2, 3]
    import_rows("主任己,儿童主任,盐湖区,北城街道,红旗社区,13800000011,,")  # sorts between the others
    again = [(n, p.name) for n, p in signin.seats(sheet)]
    assert again[:3] == first and again[3] == (4, "主任己")


def _numbers_of(sheet) -> dict[int, str]:
    return {n: p.name for n, p in signin.seats(sheet)}


def test_trainer_ticks_attendance_from_the_typed_numbers(app, plan, client, auth):
    _, sheet = _sheet()
    names = _numbers_of(sheet)
    auth.login("tr")
    page = client.get(f"/training/sessions/{sheet.id}").get_data(as_text=True)
    assert re.search(r'data-testid="sheet-number">1</td>', page) and 'data-testid="paper-qr"' in page
    response = auth.post(f"/training/sessions/{sheet.id}/numbers", data={"numbers": "1 3"})
    assert response.status_code == 302
    ticked = {c.trainee.name for c in db.session.scalars(sa.select(Completion).where(Completion.session_id == sheet.id))}
    assert ticked == {names[1], names[3]}
    page = client.get(f"/training/sessions/{sheet.id}").get_data(as_text=True)
    assert f"1号{names[1]}" in unescape(page)  # the message names who was ticked
    again = auth.post(f"/training/sessions/{sheet.id}/numbers", data={"numbers": "1-2"}, follow_redirects=True)
    assert "此前已到场 1 人" in again.get_data(as_text=True)
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "tick_numbers").order_by(AuditEntry.id))
    assert audit is not None and audit.object_id == str(sheet.id)


def test_a_number_not_on_the_sheet_ticks_nobody_and_keeps_what_was_typed(app, plan, client, auth):
    _, sheet = _sheet()
    auth.login("tr")
    response = auth.post(f"/training/sessions/{sheet.id}/numbers", data={"numbers": "1 2 7-8"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "签到表上没有编号 7-8" in html and 'value="1 2 7-8"' in html
    assert db.session.scalar(sa.select(sa.func.count(Completion.id)).where(Completion.session_id == sheet.id)) == 0


def test_numbers_before_the_training_day_are_refused(app, plan, client, auth):
    _, sheet = _sheet(held_on=today() + timedelta(days=3))
    with pytest.raises(TrainingError, match="尚未举办"):
        signin.tick_numbers(make_user("tr2", "admin"), sheet, "1")


# ---- the trainee's scan -----------------------------------------------------------------------

def _trainee_account(username="zhuyi"):
    make_user(username, "trainee")
    import_rows(f"主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,{username},")


def _code_url(page: str) -> str:
    return unescape(re.search(r'data-signin-url="([^"]+)"', page).group(1))


def test_trainee_signs_in_by_scanning_the_trainers_code(app, plan, client, auth):
    _, sheet = _sheet()
    _trainee_account()
    trainer = AuthActions(app.test_client())
    trainer.login("tr")
    url = _code_url(trainer.client.get(f"/training/sessions/{sheet.id}/code").get_data(as_text=True))
    path = url.split("localhost", 1)[1]
    assert client.get(path).status_code == 302  # not signed in: to the login page, and back after it
    auth.login("zhuyi")
    page = client.get(path).get_data(as_text=True)
    assert "确认签到" in page
    response = auth.post(path.split("?")[0], data={"code": path.split("code=")[1]})
    assert "签到成功" in response.get_data(as_text=True)
    done = services.current_completion(trainee("13800000002").id, sheet.module_id)
    assert done is not None and done.session_id == sheet.id and done.how == "attendance" and done.note == signin.SCANNED
    assert trainee("13800000002").id in services.sheet_ticks(sheet)  # the trainer's sheet shows the tick


def test_a_trainee_not_on_the_sheet_or_with_a_bad_code_is_refused(app, plan, client, auth):
    _, sheet = _sheet()
    make_user("yongji", "trainee")
    import_rows("主任戊,儿童主任,永济市,城西街道,西厢村,13800000005,yongji,")  # another county
    auth.login("yongji")
    code = signin.paper_code(sheet)
    response = auth.post(f"/training/signin/{sheet.id}", data={"code": code})
    assert response.status_code == 422 and "不在这次培训的签到名单中" in response.get_data(as_text=True)
    response = auth.post(f"/training/signin/{sheet.id}", data={"code": "123-abc"})
    assert "签到码无效" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Completion.id)).where(Completion.session_id == sheet.id)) == 0


def test_a_trainer_account_cannot_use_the_trainee_page(app, plan, client, auth):
    _, sheet = _sheet()
    auth.login("tr")
    assert client.get(f"/training/signin/{sheet.id}?code={signin.paper_code(sheet)}").status_code == 403


# ---- photos of the signed sheet ---------------------------------------------------------------

def test_photo_checked_stored_and_served_only_to_the_county(app, plan, client, auth):
    trainer, sheet = _sheet()
    auth.login("tr")
    bad = auth.post(f"/training/sessions/{sheet.id}/photos", data={"photo": (BytesIO(b"MZ not an image"), "签到.jpg")})
    assert bad.status_code == 422  # the sheet's page again, the reason beside the upload form
    form = bad.get_data(as_text=True).split(f'action="/training/sessions/{sheet.id}/photos"')[1].split("</form>")[0]
    assert 'data-testid="form-refused"' in form and "文件内容与扩展名不符" in form
    auth.post(f"/training/sessions/{sheet.id}/photos", data={"photo": (BytesIO(JPEG), "签到表.jpg")})
    photo = db.session.scalar(sa.select(SheetPhoto).where(SheetPhoto.session_id == sheet.id))
    assert photo is not None and photo.filename == "签到表.jpg"
    got = client.get(f"/training/sessions/{sheet.id}/photos/{photo.id}")
    assert got.status_code == 200 and got.data == JPEG and "no-store" in got.headers["Cache-Control"]
    other = AuthActions(app.test_client())
    make_user("tr-yongji", "trainer", unit="yongji-mz")
    other.login("tr-yongji")
    assert other.client.get(f"/training/sessions/{sheet.id}/photos/{photo.id}").status_code == 404


def test_a_damaged_photo_is_refused_with_a_message(app, plan, client, auth):
    trainer, sheet = _sheet()
    photo = add_photo(trainer, sheet, FileStorage(BytesIO(JPEG), "a.jpg"))
    from pathlib import Path

    path = Path(app.config["UPLOAD_DIR"]) / "sheet_photos" / photo.stored_name
    path.write_bytes(b"garbage")
    auth.login("tr")
    response = client.get(f"/training/sessions/{sheet.id}/photos/{photo.id}")
    assert response.status_code == 422  # the sheet's page, the reason beside that photo's link
    item = response.get_data(as_text=True).split('data-testid="photo-link"')[1].split("</li>")[0]
    assert 'data-testid="form-refused"' in item and "已损坏" in item
