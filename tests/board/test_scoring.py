"""考核: the pure score (parts, weights, bands, ranks), the office's settings form, the ranking on the
board, its page and in the 通报 (screen and .xlsx)."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.board import scoring
from portal.board.scoring import Facts, Weights
from portal.core import duty_rules
from portal.core.time import local_today
from portal.extensions import db
from portal.models import AssessmentSettings, AuditEntry, DutyInstance, DutyNote, MonthlyReport
from tests.conftest import extract_csrf, instance_by_key

# ---- the pure score -----------------------------------------------------------------------------

def test_each_part_is_a_share_and_what_does_not_apply_is_none():
    f = Facts(dated=4, on_time=3, overdue=2, overdue_days=30, close_requests=5, returns=1, reports_due=10,
              reports_on_time=9, training_pct=80)
    p = scoring.parts(f, Weights(overdue_cap_days=30))
    assert p == {"on_time": 0.75, "overdue": 0.5, "returns": 0.8, "reports": 0.9, "training": 0.8, "signoff": None}
    assert scoring.parts(Facts(), Weights()) == {"on_time": None, "overdue": 1.0, "returns": None, "reports": None,
                                                  "training": None, "signoff": None}
    capped = scoring.parts(Facts(overdue=1, overdue_days=400), Weights(overdue_cap_days=30))
    assert capped["overdue"] == 0.0


def test_the_score_is_the_weighted_mean_of_the_parts_that_apply():
    f = Facts(dated=4, on_time=3, overdue=2, overdue_days=30, close_requests=5, returns=1, reports_due=10,
              reports_on_time=9, training_pct=80)
    w = Weights(on_time=30, overdue=25, returns=15, reports=15, training=15, signoff=0, overdue_cap_days=30)
    assert scoring.score(f, w) == round(100 * (0.75 * 30 + 0.5 * 25 + 0.8 * 15 + 0.9 * 15 + 0.8 * 15) / 100, 1)
    # a city unit (no training) and no 销号 asked: those weights drop out, the rest share the whole
    g = Facts(dated=2, on_time=2, reports_due=4, reports_on_time=2)
    assert scoring.score(g, w) == round(100 * (1 * 30 + 1 * 25 + 0.5 * 15) / 70, 1)
    assert scoring.score(g, Weights(on_time=0, overdue=0, returns=10, reports=0, training=0)) is None
    only_on_time = Weights(on_time=1, overdue=0, returns=0, reports=0, training=0)
    assert scoring.score(f, only_on_time) == 75.0


def test_signoff_is_a_hook_scored_only_once_there_is_data_and_weight():
    f = Facts(dated=1, on_time=1)
    w = Weights(on_time=50, overdue=0, returns=0, reports=0, training=0, signoff=50, signoff_cap_hours=72)
    assert scoring.score(f, w) == 100.0  # no 签收 recorded: the part is left out
    assert scoring.score(Facts(dated=1, on_time=1, signoff_hours=36), w) == 75.0


def test_bands_and_competition_ranks():
    assert [scoring.band(v, 85, 70) for v in (85, 84.9, 70, 69.9, None)] == [
        duty_rules.GREEN, duty_rules.YELLOW, duty_rules.YELLOW, duty_rules.RED, duty_rules.GREY]
    assert scoring.ranks({"a": 90, "b": 95, "c": 90, "d": None, "e": 80}) == {"a": 2, "b": 1, "c": 2, "d": None, "e": 4}


def test_the_formula_is_written_in_chinese_with_the_weights_in_force():
    lines = scoring.formula_lines(Weights(on_time=40, overdue_cap_days=45), 90, 60)
    assert lines[0] == scoring.FORMULA
    assert "按时完成率（权重 40）" in lines[1] and "封顶天数 45 天" in lines[2]
    assert lines[-1].startswith("权重为 0 的项目不计分。得分 90 分及以上为绿，60 分及以上为黄")


# ---- the settings form --------------------------------------------------------------------------

FIELDS = {"w_on_time": "40", "w_overdue": "20", "w_returns": "10", "w_reports": "10", "w_training": "20",
          "w_signoff": "0", "overdue_cap_days": "60", "green_min": "90", "yellow_min": "75", "instruction_days": "5",
          "checkin_period": "quarterly"}


def post_settings(client, **changes):
    page = client.get("/board/assessment/settings").get_data(as_text=True)
    import re

    version = re.search(r'name="version"[^>]*value="(\d*)"', page).group(1)
    return client.post("/board/assessment/settings",
                       data={**FIELDS, "version": version, "csrf_token": extract_csrf(page), **changes})


def test_the_office_sets_the_weights_audited_and_the_ranking_follows(plan, auth, client):
    auth.as_role("admin")
    response = post_settings(client)
    assert response.status_code == 302
    row = db.session.get(AssessmentSettings, 1)
    assert (row.w_on_time, row.overdue_cap_days, row.green_min, row.instruction_days, row.checkin_period) == (
        40, 60, 90, 5, "quarterly")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "assessment_settings"))
    assert entry is not None and entry.after["w_on_time"] == 40
    page = client.get("/board/assessment").get_data(as_text=True)
    assert "按时完成率（权重 40）" in page and "得分 90 分及以上为绿，75 分及以上为黄" in page


def test_bad_settings_are_refused_with_a_message_and_nothing_saved(plan, auth, client):
    auth.as_role("admin")
    for changes, message in (({"w_on_time": "abc"}, "按时完成率权重应为 0 到 100 之间的整数"),
                             ({"yellow_min": "95"}, "黄色最低分不能高于绿色最低分"),
                             ({k: "0" for k in FIELDS if k.startswith("w_")}, "至少一项权重应大于 0")):
        response = post_settings(client, **changes)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert 'value="95"' in response.get_data(as_text=True) or "yellow_min" not in changes  # typed values kept
    assert db.session.get(AssessmentSettings, 1) is None


def test_a_save_made_from_an_older_version_is_refused(plan, auth, client):
    auth.as_role("admin")
    page = client.get("/board/assessment/settings").get_data(as_text=True)
    assert post_settings(client).status_code == 302
    stale = client.post("/board/assessment/settings",
                        data={**FIELDS, "w_on_time": "10", "version": "0", "csrf_token": extract_csrf(page)})
    assert stale.status_code == 422 and "其他人刚刚修改了考核设置" in stale.get_data(as_text=True)
    assert db.session.get(AssessmentSettings, 1).w_on_time == 40


# ---- the ranking --------------------------------------------------------------------------------

@pytest.fixture
def two_units(plan):
    """盐湖区民政局 closes its transfer duty on time; 永济市民政局's is returned once and overdue."""
    yanhu = instance_by_key("transfer-children@yanhu-mz")
    yongji = instance_by_key("transfer-children@yongji-mz")  # (expires what was loaded: change after it)
    yanhu.state, yanhu.closed_at = duty_rules.CLOSED, datetime.combine(yanhu.deadline - timedelta(days=1), datetime.min.time())
    now = datetime.combine(local_today(), datetime.min.time())
    db.session.add_all([DutyNote(instance_id=yongji.id, kind=duty_rules.NOTE_REQUEST_CLOSE, body="申请", at=now),
                        DutyNote(instance_id=yongji.id, kind=duty_rules.NOTE_RETURNED, body="退回", at=now)])
    db.session.commit()
    return yanhu, yongji


def test_the_ranking_scores_units_from_their_records(two_units, auth, client):
    yanhu, yongji = two_units
    from portal.board import assessment, services

    on = local_today()
    ranked = {r.name: r for r in assessment.ranking(services.load_rows(on), on, 25)}
    y, j = ranked["盐湖区民政局"], ranked["永济市民政局"]
    assert j.facts.close_requests == 1 and j.facts.returns == 1 and j.parts["returns"] == 0.0
    assert y.facts.on_time >= 1 and y.parts["returns"] is None
    assert y.score > j.score and y.rank < j.rank
    auth.as_role("leader")
    board = client.get("/board").get_data(as_text=True)
    block = board.split('data-testid="board-ranking"')[1].split("</section>")[0]
    assert "考核排名" in block and "盐湖区民政局" in block and block.index("盐湖区民政局") < block.index("永济市民政局")
    page = client.get("/board/assessment").get_data(as_text=True)
    assert scoring.FORMULA in page and "销号退回" in page


def test_the_report_and_its_xlsx_carry_the_ranking(two_units, auth, client):
    from openpyxl import load_workbook

    auth.as_role("leader")
    html = client.get("/board/report").get_data(as_text=True)
    section = html.split('data-testid="report-ranking"')[1].split("</section>")[0]
    assert "六、考核排名" in section and "盐湖区民政局" in section and scoring.FORMULA in section
    book = load_workbook(io.BytesIO(client.get("/board/report.xlsx").data))
    ws = book["考核排名"]
    names = [row[1].value for row in ws.iter_rows(min_row=3)]
    assert names.index("盐湖区民政局") < names.index("永济市民政局")
    bands = {row[3].value for row in ws.iter_rows(min_row=3)}
    assert bands <= set(scoring.BAND_LABELS.values()) and bands
    assert book["计分办法"]["A1"].value == scoring.FORMULA


def test_monthly_reports_on_time_count_and_late_ones_do_not(plan):
    from portal.board import assessment, services
    from portal.models import Unit

    on = date(local_today().year, 12, 31) if local_today().month == 12 else local_today()
    months = assessment.report_months(on, 25)
    if not months:  # January before the 25th: nothing due yet this year
        return
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    (m1, d1) = months[0]
    db.session.add(MonthlyReport(unit_id=unit.id, month=m1, status="submitted",
                                 submitted_at=datetime.combine(d1 - timedelta(days=1), datetime.min.time())))
    if len(months) > 1:
        m2, d2 = months[1]
        db.session.add(MonthlyReport(unit_id=unit.id, month=m2, status="submitted",
                                     submitted_at=datetime.combine(d2 + timedelta(days=3), datetime.min.time())))
    db.session.commit()
    facts = assessment.stored_facts(on, 25)
    assert facts.months == len(months) and facts.reported[unit.id] == 1
    ranked = {r.code: r for r in assessment.ranking(services.load_rows(on), on, 25)}
    assert ranked["yanhu-mz"].facts.reports_on_time == 1
    assert db.session.scalar(sa.select(sa.func.count(DutyInstance.id))) > 0


def test_signoff_speed_is_read_from_this_years_urges_and_their_signoffs(plan):
    """签收及时性: hours from each 催办 to the unit's 签收, capped; an unsigned one counts at the cap once the
    cap has passed and is not judged before."""
    from portal.board import assessment, services
    from portal.core.time import utcnow
    from portal.models import Acknowledgement, Unit, Urge

    yanhu = db.session.scalar(sa.select(Unit).where(Unit.code == "yanhu-mz"))
    jiang = db.session.scalar(sa.select(Unit).where(Unit.code == "jiangxian-mz"))
    now = utcnow()
    signed = Urge(unit_id=yanhu.id, subject="催办：甲", at=now - timedelta(hours=50))
    never = Urge(unit_id=yanhu.id, subject="催办：乙", at=now - timedelta(hours=100))
    fresh = Urge(unit_id=jiang.id, subject="催办：丙", at=now - timedelta(hours=2))
    db.session.add_all([signed, never, fresh])
    db.session.flush()
    db.session.add(Acknowledgement(kind="urge", object_id=signed.id, unit_id=yanhu.id, at=signed.at + timedelta(hours=24)))
    db.session.commit()
    on = local_today()
    facts = assessment.stored_facts(on, 25)
    hours, judged = facts.signoff[yanhu.id]
    assert judged == 2 and 24 + 72 - 1 <= hours <= 24 + 72  # 24 h to sign; the unsigned one at the 72 h cap
    assert jiang.id not in facts.signoff  # two hours old and unsigned: not judged yet
    ranked = {r.code: r for r in assessment.ranking(services.load_rows(on), on, 25)}
    assert ranked["yanhu-mz"].facts.signoff_hours == pytest.approx(48, abs=1)
    assert ranked["yanhu-mz"].parts[scoring.SIGNOFF] == pytest.approx(1 - 48 / 72, abs=0.02)
    assert ranked["jiangxian-mz"].facts.signoff_hours is None
