"""Issue 21: the matrix (page and .xlsx) shows each person's 学时 of the year and, with a yearly target
set by the office, who is short of it."""
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core.time import today
from portal.extensions import db
from portal.models import Certificate
from portal.training import certificates, services
from tests.conftest import make_user
from tests.training.helpers import ROWS, import_rows, sync_modules, trainee


def _setup(target_tenths=None):
    sync_modules()
    import_rows(*ROWS[:3])
    admin = make_user("adm", "admin")
    services.mark_completed(admin, trainee("13800000002"), services.get_module("xinxi-modi-paicha"), today())
    arr = certificates.arrangement()
    arr.yearly_target_tenths = target_tenths
    db.session.commit()
    return db.session.scalar(sa.select(Certificate)).hours_tenths


def test_matrix_page_shows_the_years_hours_and_who_is_short(app, plan, client, auth):
    earned = _setup(target_tenths=20)
    assert earned == 10  # 45 minutes, a manual mark: 1 学时 per whole 30 minutes
    make_user("tr", "trainer")
    auth.login("tr")
    html = client.get("/training/reports/matrix?county=yanhu").get_data(as_text=True)
    assert f"{today().year}年学时" in html
    row = html.split("主任乙")[1].split("</tr>")[0]
    assert '<td data-testid="matrix-hours">1<small class="warn">（未达 2）</small>' in row
    row = html.split("督导甲")[1].split("</tr>")[0]
    assert '<td data-testid="matrix-hours">0<small class="warn">' in row


def test_matrix_sheet_carries_hours_and_the_target_word(app, plan, client, auth):
    _setup(target_tenths=10)
    make_user("tr", "trainer")
    auth.login("tr")
    data = client.get("/training/reports/matrix?county=yanhu&format=xlsx").data
    sheet = load_workbook(BytesIO(data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "姓名")
    col, word = header.index(f"{today().year}年学时"), header.index("学时是否达标")
    by_name = {r[0]: r for r in rows if r and r[0] in ("督导甲", "主任乙", "主任丙")}
    assert by_name["主任乙"][col] == 1 and by_name["主任乙"][word] == "已达标"
    assert by_name["督导甲"][col] == 0 and by_name["督导甲"][word] == "未达标"


def test_without_a_target_nobody_is_short(app, plan, client, auth):
    _setup(target_tenths=None)
    make_user("tr", "trainer")
    auth.login("tr")
    html = client.get("/training/reports/matrix?county=yanhu").get_data(as_text=True)
    assert "未达" not in html.split('data-testid="matrix"')[1]
