"""Training pages that cost the same at any size, and one scope for a viewer's figures.

* A county's trainer sees their county on 全市汇总 (page and .xlsx) as on the API, the overview and
  their home page: never another county's figures, never the city's total (issue #18).
* The statements a training page runs do not grow with the roster; the long lists (the matrix, the
  overdue list) are read a page at a time, with totals counting everyone.
"""
from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.board import cache as board_cache
from portal.core.time import today
from portal.extensions import db
from portal.models import Trainee
from portal.training import figures, services
from tests.conftest import AuthActions, make_user
from tests.querycount import count_queries
from tests.training.helpers import ROWS, county, db_area, import_rows, sync_modules

PAGES = ["/training/", "/training/reports/city", "/training/reports/matrix?county=yanhu", "/training/reports/overdue",
         "/api/training", "/", "/board", "/training/sessions", "/training/roster?county=yanhu"]


def roster(n: int, start: int = 0, county_name: str = "盐湖区") -> list[str]:
    """`n` 儿童主任 of one county over four townships."""
    return [f"主任{k},儿童主任,{county_name},第{k % 4 + 1}镇,第{k % 4 + 1}镇第{k}村,137{k:08d},,"
            for k in range(start, start + n)]


def test_a_county_trainer_s_summary_is_the_county_s_on_the_page_the_sheet_and_the_api(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    due = today() + timedelta(days=10)
    services.assign_cohort(admin, module, services.Cohort("director", None, None), due)  # 盐湖区 3, 永济市 1
    make_user("yh", "trainer", unit="yanhu-mz")
    auth.login("yh")
    page = client.get("/training/reports/city").get_data(as_text=True)
    assert "盐湖区培训完成情况" in page and "全市" not in page.split("<h1>")[1].split("</h1>")[0]
    assert "永济市" not in page and "已安排 3，" in page  # not the city's 4
    for by in ("county", "module"):
        ws = load_workbook(BytesIO(client.get(f"/training/reports/city?by={by}&format=xlsx").data)).active
        cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
        assert "永济市" not in cells and ws["A1"].value.startswith("盐湖区培训完成情况"), by
        total = next(row for row in ws.iter_rows(values_only=True) if row[0] == "合计")
        assert total[1] == 3, by
    data = client.get("/api/training").get_json()
    assert [c["county"] for c in data["counties"]] == ["盐湖区"] and data["total"]["assigned"] == 3
    assert next(m for m in data["by_module"] if m["id"] == module.key)["assigned"] == 3
    overview = client.get("/training/").get_data(as_text=True)
    assert "已安排 3 项" in overview and "永济市" not in overview
    # the city's trainer still sees every county and the city's total
    make_user("city", "trainer")
    other = AuthActions(app.test_client())
    other.login("city")
    assert "已安排 4，" in other.client.get("/training/reports/city").get_data(as_text=True)
    assert other.client.get("/api/training").get_json()["total"]["assigned"] == 4


def _statements(client, url: str) -> int:
    board_cache.clear()
    client.get(url).close()  # warm what a running worker keeps
    board_cache.clear()
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    return len(statements)


def test_training_pages_run_as_many_statements_for_a_large_roster_as_for_a_small_one(app, plan, client, auth):
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    services.assign_cohort(admin, module, services.Cohort("director", None, None), today() + timedelta(days=5))
    services.assign_people(admin, services.get_module("fangan-yu-zhize"), [db.session.scalar(
        sa.select(Trainee).where(Trainee.phone == "13800000001"))], today() - timedelta(days=3), backdated=True)
    services.create_sheet(admin, module, county("yanhu"), None, today(), "会议室", "王老师")
    make_user("tr", "trainer")
    auth.login("tr")
    small = {url: _statements(client, url) for url in PAGES}

    import_rows(*roster(160))  # 160 more people: the group rule reaches them (late joiners)
    services.assign_cohort(admin, services.get_module("fangan-yu-zhize"), services.Cohort("director", None, None),
                           today() - timedelta(days=1), backdated=True)
    for person in db.session.scalars(sa.select(Trainee).where(Trainee.phone.like("137%")).limit(40)).all():
        services.mark_completed(admin, person, module, today())
    for n, place in enumerate(("yanhu", "yongji", "hejin")):  # more sheets, of other modules and counties
        services.create_sheet(admin, services.live_modules()[n], county(place), None, today(), "会议室", "讲师")
    assert figures.city_totals().assigned > 300
    large = {url: _statements(client, url) for url in PAGES}
    assert large == small


def test_the_matrix_shows_a_page_of_people_with_the_whole_county_s_totals(app, plan, client, auth):
    sync_modules()
    import_rows(*roster(figures.MATRIX_PAGE + 12))
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    services.assign_cohort(admin, module, services.Cohort("director", county("yanhu").id, None),
                           today() + timedelta(days=5))
    make_user("ld", "leader")
    auth.login("ld")
    first = client.get("/training/reports/matrix?county=yanhu").get_data(as_text=True)
    body = first.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == figures.MATRIX_PAGE
    assert f"{figures.MATRIX_PAGE + 12} 人" in first and f"0/{figures.MATRIX_PAGE + 12}" in first  # everyone counted
    assert "第 1 / 2 页" in first and "page=2" in first
    second = client.get("/training/reports/matrix?county=yanhu&page=2").get_data(as_text=True)
    assert second.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 12
    names = [n for page in (first, second) for n in _row_names(page)]
    assert len(set(names)) == figures.MATRIX_PAGE + 12  # nobody twice, nobody missing
    ws = load_workbook(BytesIO(client.get("/training/reports/matrix?county=yanhu&format=xlsx").data)).active
    assert ws.max_row == 2 + figures.MATRIX_PAGE + 12 + 2  # the sheet has everyone


def _row_names(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [part.split("</th>")[0] for part in body.split('<th scope="row">')[1:]]


def test_the_overdue_list_is_paged_oldest_first_with_the_full_count(app, plan, client, auth):
    sync_modules()
    import_rows(*roster(60))
    admin = make_user("adm", "admin")
    people = db.session.scalars(sa.select(Trainee).order_by(Trainee.id)).all()
    for n, module in enumerate(services.live_modules()[:2]):
        services.assign_people(admin, module, [p for p in people if p.post in module.audience],
                               today() - timedelta(days=1 + 10 * (1 - n)), backdated=True)
    total = figures.overdue_count()
    assert total == 120 and total > figures.OVERDUE_PAGE
    make_user("tr", "trainer")
    auth.login("tr")
    first = client.get("/training/reports/overdue").get_data(as_text=True)
    assert f"共 {total} 项" in first and "第 1 / 3 页" in first
    days = [int(d) for d in _column(first, "逾期天数")]
    assert len(days) == figures.OVERDUE_PAGE and days == sorted(days, reverse=True)  # oldest first
    last = client.get("/training/reports/overdue?page=3").get_data(as_text=True)
    assert len(_column(last, "逾期天数")) == total - 2 * figures.OVERDUE_PAGE
    ws = load_workbook(BytesIO(client.get("/training/reports/overdue?format=xlsx").data)).active
    assert ws.max_row == 2 + total


def _column(page: str, label: str) -> list[str]:
    return [part.split("</td>")[0] for part in page.split(f'data-label="{label}">')[1:]]


def test_the_places_page_opens_one_township_s_villages_at_a_time(app, plan, client, auth):
    sync_modules()
    import_rows(*roster(8))  # 第1镇…第4镇, two villages each
    make_user("tr", "trainer", unit="yanhu-mz")
    auth.login("tr")
    page = client.get("/training/areas?county=yanhu").get_data(as_text=True)
    assert "第1镇" in page and "村（社区）2 个" in page and "第1镇第0村" not in page
    town = db_area("第1镇")
    opened = client.get(f"/training/areas?county=yanhu&township={town.id}").get_data(as_text=True)
    assert "第1镇第0村" in opened and "第1镇第4村" in opened and "第2镇第1村" not in opened
    assert 'name="target"' not in opened  # no row carries a merge list until it is being edited
    village = db_area("第1镇第0村")
    editing = client.get(f"/training/areas?county=yanhu&township={town.id}&edit={village.id}").get_data(as_text=True)
    assert editing.count('name="target"') == 1
    merge = editing.split(f'data-testid="place-forms-{village.id}"', 1)[1].split("</div>")[0].split("并入")[1]
    assert "第1镇第4村" in merge and "第2镇" not in merge  # its township's villages only


def test_a_township_s_forms_open_from_its_link_and_merge_from_there(app, plan, client, auth):
    """The places page draws one place's rename and merge forms at a time (a merge list on every row
    grew with the square of a county's townships); the link opens them, the merge still works."""
    sync_modules()
    import_rows(*roster(8))
    make_user("tr", "trainer", unit="yanhu-mz")
    auth.login("tr")
    first, second = db_area("第1镇"), db_area("第2镇")
    page = client.get("/training/areas?county=yanhu").get_data(as_text=True)
    assert f"edit={first.id}#area-{first.id}" in page and 'name="target"' not in page
    editing = client.get(f"/training/areas?county=yanhu&edit={first.id}").get_data(as_text=True)
    forms = editing.split(f'data-testid="place-forms-{first.id}"', 1)[1].split("</div>")[0]
    assert "改名" in forms and f'<option value="{second.id}">第2镇</option>' in forms
    response = auth.post(f"/training/areas/{first.id}/merge", data={"target": second.id})
    assert response.status_code == 302
    assert "第1镇</h2>" not in client.get("/training/areas?county=yanhu").get_data(as_text=True)


def test_sign_in_sheets_are_listed_a_page_at_a_time_newest_first(app, plan, client, auth):
    from portal.training.views import SHEETS_PAGE

    sync_modules()
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    for k in range(SHEETS_PAGE + 2):
        services.create_sheet(admin, module, county("yanhu"), None, today() - timedelta(days=k), f"会议室{k}", "讲师")
    make_user("tr", "trainer")
    auth.login("tr")
    first = client.get("/training/sessions").get_data(as_text=True)
    assert first.count('data-label="地点">') == SHEETS_PAGE and "会议室0<" in first and "下一页" in first
    second = client.get("/training/sessions?page=2").get_data(as_text=True)
    assert second.count('data-label="地点">') == 2 and f"会议室{SHEETS_PAGE + 1}<" in second and "下一页" not in second


def test_the_city_roster_with_stopped_people_counts_everyone_for_its_pages(app, plan, client, auth):
    """The roster's total with no condition at all (a city trainer, 含已停用): every person of every
    county, so the page links reach the last of them."""
    from portal.training.views import PAGE

    sync_modules()
    import_rows(*roster(PAGE + 5))
    make_user("tr", "trainer")
    auth.login("tr")
    first = client.get("/training/roster?inactive=1").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "下一页" in first
    second = client.get("/training/roster?inactive=1&page=2").get_data(as_text=True)
    assert second.count('data-label="姓名"') == 5
