"""A sign-in sheet made ahead of the training day: printable for signatures on paper, ticked from the day on."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import AuditEntry, Completion
from portal.training import services
from tests.conftest import AuthActions, make_user
from tests.training.helpers import ROWS, db_area, import_rows, sync_modules, trainee


def _planned_sheet(client, auth, days_ahead: int):
    sync_modules()
    import_rows(*ROWS)
    make_user("tr", "trainer")
    auth.login("tr")
    held_on = today() + timedelta(days=days_ahead)
    response = auth.post("/training/sessions", data={
        "module": "xinxi-modi-paicha", "county": "yanhu", "township": db_area("北城街道").id,
        "held_on": held_on.isoformat(), "place": "北城街道会议室", "trainer_name": "王老师"})
    return response, held_on


def test_a_sheet_for_a_coming_training_is_made_printed_and_not_yet_ticked(app, plan, client, auth):
    response, held_on = _planned_sheet(client, auth, 5)
    assert response.status_code == 302, response.get_data(as_text=True)
    sheet_url = response.headers["Location"]
    page = client.get(sheet_url).get_data(as_text=True)
    assert 'data-testid="sheet-ahead"' in page and f"{held_on.year}年{held_on.month}月{held_on.day}日起" in page
    assert "打印纸质签到表" in page and '<th class="print-only">签名</th>' in page
    boxes = re.findall(r'<input type="checkbox" class="tick-box"[^>]*>', page)
    assert boxes and all(" disabled" in b for b in boxes)  # nobody can be ticked before the day
    listing = client.get("/training/sessions").get_data(as_text=True)
    assert "（尚未举办）" in listing

    person = trainee("13800000002")
    url = f"{sheet_url}/people/{person.id}"
    row = auth.post(url, data={"present": "y"}, headers={"HX-Request": "true"})
    html = row.get_data(as_text=True)
    assert row.status_code == 422 and html.lstrip().startswith(f'<tr id="p-{person.id}"')
    assert "当天起才能勾选到场" in html and "checked" not in html
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 0
    assert not db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "complete"))
    page = auth.post(url, data={"present": "y"}, follow_redirects=True).get_data(as_text=True)  # without htmx
    assert "当天起才能勾选到场" in page
    assert db.session.scalar(sa.select(sa.func.count(Completion.id))) == 0


def test_on_the_day_the_planned_sheet_opens_for_ticking(app, plan, client, auth, clock):
    response, held_on = _planned_sheet(client, auth, 3)
    clock(held_on)
    sheet_url = response.headers["Location"]
    assert 'data-testid="sheet-ahead"' not in client.get(sheet_url).get_data(as_text=True)
    person = trainee("13800000002")
    row = auth.post(f"{sheet_url}/people/{person.id}", data={"present": "y"}, headers={"HX-Request": "true"})
    assert row.status_code == 200 and "checked" in row.get_data(as_text=True)
    completion = services.current_completion(person.id, services.get_module("xinxi-modi-paicha").id)
    assert completion.completed_on == held_on  # the training's date, never a day before it was held


def test_a_date_years_ahead_is_refused_as_a_likely_typo(app, plan, client, auth):
    response, _ = _planned_sheet(client, auth, 800)
    assert response.status_code == 422  # refused: the form again with the message
    page = response.get_data(as_text=True)
    assert "培训日期不能晚于一年以后" in page
    assert "（尚未举办）" not in page


def test_sheet_open_is_the_one_rule():
    day = date(2026, 12, 10)
    assert not training_rules.sheet_open(day, day - timedelta(days=1))
    assert training_rules.sheet_open(day, day) and training_rules.sheet_open(day, day + timedelta(days=1))
    assert training_rules.sheet_date_problem(day, day - training_rules.SHEET_AHEAD) is None
    assert training_rules.sheet_date_problem(day + timedelta(days=1), day - training_rules.SHEET_AHEAD)


def test_a_trainer_s_home_page_shows_the_county_figures_and_the_coming_sheets(app, plan, client, auth):
    response, held_on = _planned_sheet(client, auth, 5)  # signed in as "tr", a city trainer
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    services.assign_cohort(admin, module, services.Cohort("director", db_area("北城街道").county_id, None),
                           today() + timedelta(days=10))
    home = client.get("/").get_data(as_text=True)
    card = home.split('data-testid="home-training"')[1].split("</section>")[0]
    assert "全市培训工作" in card and "已安排 <strong>3</strong> 项，已完成 0 项（0%）" in card
    coming = card.split('data-testid="home-coming-sheets"')[1].split("</ul>")[0]
    assert f"{held_on.year}年{held_on.month}月{held_on.day}日" in coming and response.headers["Location"] in coming
    make_user("yj", "trainer", unit="yongji-mz")
    county_trainer = AuthActions(app.test_client())
    county_trainer.login("yj")
    card = county_trainer.client.get("/").get_data(as_text=True).split('data-testid="home-training"')[1].split("</section>")[0]
    assert "本县（市、区）培训工作" in card and "尚未安排培训" in card and "home-coming-sheets" not in card
