"""Matrix, city roll-up, overdue list, exports, the API, the duty's coverage, clause and module pages."""
from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core import training_rules
from portal.core.time import today
from portal.extensions import db
from portal.models import Evidence, Trainee
from portal.training import services
from tests.conftest import instance_by_key, make_user
from tests.training.helpers import county, db_area, import_rows, sync_modules, trainee

ROWS = ("督导甲,儿童督导员,盐湖区,北城街道,,13800000001,,",
        "主任乙,儿童主任,盐湖区,北城街道,红旗社区,13800000002,,",
        "主任丙,儿童主任,盐湖区,北城街道,槐东社区,13800000003,,",
        "主任丁,儿童主任,盐湖区,东城街道,东郭村,13800000004,,",
        "主任戊,儿童主任,永济市,城西街道,西厢村,13800000005,,")


def setup_state():
    """盐湖区北城街道: 2 of its 儿童主任 assigned 信息摸底排查, 1 trained at a session; one overdue elsewhere."""
    sync_modules()
    import_rows(*ROWS)
    admin = make_user("adm", "admin")
    module = services.get_module("xinxi-modi-paicha")
    yanhu = county("yanhu")
    services.assign_cohort(admin, module, services.Cohort("director", yanhu.id, db_area("北城街道").id),
                           today() + timedelta(days=10))
    services.assign_people(admin, module, [trainee("13800000004")], today() - timedelta(days=2), backdated=True)
    sheet = services.create_sheet(admin, module, yanhu, db_area("北城街道"), today(), "会议室", "王老师")
    services.set_attendance(admin, sheet, trainee("13800000002"), True)
    return module


def test_matrix_counts_and_percentages(app, plan, client, auth):
    module = setup_state()
    from portal.training.figures import matrix

    report = matrix(county("yanhu"), db_area("北城街道"))
    m = report.matrix
    assert (m.total.completed, m.total.assigned, m.total.percent) == (1, 2, 50)
    assert m.cols[module.id].percent == 50
    make_user("ld", "leader")
    auth.login("ld")
    page = client.get(f"/training/reports/matrix?county=yanhu&township={db_area('北城街道').id}").get_data(as_text=True)
    assert 'data-testid="matrix-percent">50%' in page
    assert "✓" in page and "tr-completed" in page and "○" in page  # colour and symbol
    # modules nobody here was assigned read 「—」 (未安排), not 「0/0 0%」
    unassigned = '<span class="muted" title="未安排" aria-label="未安排">—</span>'
    assert f'data-testid="col-percent">{unassigned}' in page and f'data-testid="col-count">{unassigned}' in page
    assert ">0/0<" not in page and "0/1" in page  # a person assigned and not done still reads 0/1


def test_matrix_states_agree_with_each_trainees_own_page(app, plan):
    """Every state the matrix shows (started, overdue, done at a session, done without an assignment,
    a voided mark, not assigned) is the one the trainee's own page shows for that module."""
    module = setup_state()
    from portal.training.figures import matrix

    admin = make_user("adm2", "admin")
    services.mark_started(trainee("13800000003"), module)
    other = next(m for m in services.live_modules() if m.id != module.id)
    services.mark_completed(admin, trainee("13800000001"), other, today())  # never assigned
    wrong = services.mark_completed(admin, trainee("13800000003"), other, today())
    services.void_completion(admin, wrong, "登记错人")
    report = matrix(county("yanhu"))
    seen = {}
    for person, states in report.rows():
        own = {mod.id: state for _, mod, state, _ in services.assignments_of(db.session.get(Trainee, person.id))}
        assert states == [own.get(mod.id, training_rules.NOT_ASSIGNED) for mod in report.modules], person.name
        seen.update({(person.name, mod.id): s for mod, s in zip(report.modules, states, strict=True)})
    assert seen[("主任乙", module.id)] == training_rules.COMPLETED and seen[("主任丙", module.id)] == training_rules.IN_PROGRESS
    assert seen[("主任丁", module.id)] == training_rules.OVERDUE and seen[("督导甲", other.id)] == training_rules.COMPLETED
    assert seen[("主任丙", other.id)] == training_rules.NOT_ASSIGNED
    m = report.matrix
    # a completion of a module nobody assigned records the assignment: done in its row and column
    assert (m.total.assigned, m.total.completed, m.total.overdue, m.total.in_progress) == (4, 2, 1, 1)
    assert (m.cols[other.id].completed, m.cols[other.id].assigned) == (1, 1)


def test_xlsx_exports_have_title_row_headers_and_frozen_header(app, plan, client, auth):
    setup_state()
    make_user("tr", "trainer")
    auth.login("tr")
    for url, header in [("/training/reports/matrix?county=yanhu&format=xlsx", "姓名"),
                        ("/training/reports/city?format=xlsx", "县（市、区）"),
                        ("/training/reports/city?by=module&format=xlsx", "培训模块"),
                        ("/training/reports/overdue?format=xlsx", "序号"),
                        ("/training/coverage/yanhu.xlsx", "培训模块")]:
        response = client.get(url)
        assert response.status_code == 200, url
        ws = load_workbook(BytesIO(response.data)).active
        assert f"（截至{today().year}年" in ws["A1"].value, url
        assert ws["A2"].value == header and ws.freeze_panes == "A3", url
    ws = load_workbook(BytesIO(client.get("/training/reports/overdue?format=xlsx").data)).active
    assert [ws.cell(3, c).value for c in (2, 6)] == ["主任丁", "13800000004"]  # a city trainer sees phones
    ws = load_workbook(BytesIO(client.get(f"/training/reports/matrix?county=yanhu&township={db_area('北城街道').id}"
                                          "&format=xlsx").data)).active
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "完成率(%)" and 50 in last and "—" in last and 0 not in last  # 「—」: nobody assigned


def test_city_rollup_and_api(app, plan, client, auth):
    setup_state()
    make_user("ld", "leader")
    auth.login("ld")
    data = client.get("/api/training").get_json()
    assert {"id", "title", "audience", "clause_ids"} <= set(data["modules"][0])
    yanhu = next(c for c in data["counties"] if c["county"] == "盐湖区")
    assert (yanhu["assigned"], yanhu["completed"], yanhu["overdue"]) == (3, 1, 1)
    assert yanhu["by_role"]["儿童主任"]["assigned"] == 3
    module = next(m for m in data["by_module"] if m["id"] == "xinxi-modi-paicha")
    assert (module["assigned"], module["completed"]) == (3, 1)
    page = client.get("/training/reports/city").get_data(as_text=True)
    assert "盐湖区" in page and "33%" in page


def test_duty_page_shows_the_same_coverage_and_attaches_the_sheet(app, plan, client, auth):
    setup_state()
    inst = instance_by_key("grassroots-training@yanhu-mz")
    make_user("lia", "liaison", unit="yanhu-mz")
    auth.login("lia")
    page = client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert 'data-testid="duty-coverage"' in page
    assert 'data-testid="coverage-xinxi-modi-paicha-director">1/3<' in page  # 1 trained of 3 儿童主任 in 盐湖区
    response = auth.post(f"/training/coverage/attach/{inst.id}")
    assert response.status_code == 302
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.instance_id == inst.id))
    assert evidence.filename.startswith("盐湖区培训覆盖情况") and evidence.filename.endswith(".xlsx")
    other = instance_by_key("child-info@yanhu-mz")
    assert 'data-testid="duty-coverage"' not in client.get(f"/tasks/{other.id}").get_data(as_text=True)
    assert auth.post(f"/training/coverage/attach/{other.id}").status_code == 404


def test_clause_page_lists_related_training_and_module_links_clauses(app, plan, client, auth):
    setup_state()
    make_user("st", "staff")
    auth.login("st")
    clause = client.get("/policy/yunmin-2021-74/3.2.10").get_data(as_text=True)
    assert 'data-testid="clause-training"' in clause and "/training/modules/xinxi-modi-paicha" in clause
    page = client.get("/training/modules/xinxi-modi-paicha").get_data(as_text=True)
    assert 'href="/policy/yunmin-2021-74/3.2.10"' in page and "三（二）10" in page
    assert "<script" not in page.split('data-testid="module-body"')[1].split("</article>")[0]


def test_module_references_render_as_clause_links(app, plan):
    from portal.models import TrainingModule
    from portal.training.learn_views import module_html

    m = TrainingModule(key="x", title="t", body="见[[3.2.10]]与[[weichengnianren-baohu-fa:a92]]。<script>x</script>",
                       references=[[None, "3.2.10"], ["weichengnianren-baohu-fa", "a92"]])
    with app.test_request_context():
        html = module_html(m)
    assert '<a href="/policy/yunmin-2021-74/3.2.10" rel="noopener noreferrer">三（二）10</a>' in html
    assert "第九十二条" in html and "<script>" not in html  # a statute not yet imported: its label, no link
