"""Every page that counts duties shows all plans or the one chosen (`?plan=`, one reader:
portal.web.query_args.plan_arg): home for each role, county pages, the 通报 on screen and as .xlsx and
.docx, the exports and monthly reports; a bad choice is said and ignored."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from portal.core.plan import PLAN_NUMBER
from portal.core.time import today
from portal.extensions import db
from portal.models import Plan
from portal.plans import publish
from tests.conftest import make_user
from tests.plans.helpers import ready_plan

OTHER = "运城市困境儿童关爱保护工作要点"
OTHER_DUTY = "建立关爱服务台账"  # per county: 盐湖区民政局 leads it
SEED_DUTY = "做好儿童移交工作"


def _published():
    other = ready_plan()
    assert publish.publish(other, actor=None) == []
    return other


def _seed_id() -> int:
    return db.session.scalar(sa.select(Plan.id).where(Plan.number == PLAN_NUMBER))


def _home_total(page: str) -> int:
    return int(re.search(r"共 (\d+) 项", page).group(1))


def test_home_counts_every_plan_or_the_one_chosen_for_each_role(client, auth, plan):
    other = _published()
    for role, unit in (("liaison", "yanhu-mz"), ("leader", None), ("admin", None)):
        make_user(f"home-{role}", role, unit=unit)
        auth.login(f"home-{role}")
        every = client.get("/").get_data(as_text=True)
        assert 'data-testid="plan-chooser"' in every, role
        one = client.get(f"/?plan={other.id}").get_data(as_text=True)
        seed = client.get(f"/?plan={_seed_id()}").get_data(as_text=True)
        assert f'<option value="{other.id}" selected>' in one
        assert f"方案：{OTHER}" in one
        # a liaison of 盐湖区民政局 has one instance of the other plan; the city has 14
        assert _home_total(one) == (1 if role == "liaison" else 14), role
        assert _home_total(every) == _home_total(one) + _home_total(seed), role
        assert f"plan={other.id}" in one  # the card's links keep the choice
        bad = client.get("/?plan=abc").get_data(as_text=True)
        assert "方案“abc”不在可选范围内，已忽略。" in bad and _home_total(bad) == _home_total(every)
        auth.post("/logout")


def test_the_bulletin_reports_one_plan_on_screen_and_in_both_files(client, auth, plan):
    from docx import Document
    from openpyxl import load_workbook

    other = _published()
    auth.as_role("admin")
    every = client.get("/board/report").get_data(as_text=True)
    assert 'data-testid="plan-chooser"' in every
    assert OTHER in every and "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案" in every
    page = client.get(f"/board/report?plan={other.id}").get_data(as_text=True)
    assert f"依据：《{OTHER}》（运民字〔2026〕9号）" in page
    assert re.search(r'data-figure="total">\s*14\s*<', page)
    assert "所选方案不含移交工作。" in page
    assert f"plan={other.id}" in page  # the download links keep the choice
    workbook = load_workbook(io.BytesIO(client.get(f"/board/report.xlsx?plan={other.id}").data))
    summary = {row[0]: row[1] for row in workbook["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["任务总数"] == 14 and OTHER in summary["依据"]
    details = [row[3] for row in workbook["任务明细"].iter_rows(min_row=3, values_only=True)]
    assert OTHER_DUTY in details and SEED_DUTY not in details
    text = "\n".join(p.text for p in Document(io.BytesIO(client.get(f"/board/report.docx?plan={other.id}").data))
                     .paragraphs)
    assert OTHER in text and "共有任务14项" in text
    seed = client.get(f"/board/report?plan={_seed_id()}").get_data(as_text=True)
    assert OTHER not in seed and "所选方案不含移交工作" not in seed


def test_a_county_page_shows_every_plan_or_the_one_chosen(client, auth, plan):
    other = _published()
    auth.as_role("admin")
    every = client.get("/board/counties/yanhu").get_data(as_text=True)
    assert OTHER_DUTY in every and 'data-testid="plan-chooser"' in every
    one = client.get(f"/board/counties/yanhu?plan={other.id}").get_data(as_text=True)
    assert OTHER_DUTY in one and SEED_DUTY not in one
    seed = client.get(f"/board/counties/yanhu?plan={_seed_id()}").get_data(as_text=True)
    assert OTHER_DUTY not in seed and SEED_DUTY in seed
    assert "方案“x”不在可选范围内" in client.get("/board/counties/yanhu?plan=x").get_data(as_text=True)


def test_the_monthly_report_prefill_names_each_plan_or_takes_the_one_chosen(app, plan):
    from portal.models import DutyInstance
    from portal.reports.services import current_month, month_activity
    from portal.units.services import unit_by_code
    from tests.conftest import instance_by_key
    from tests.duties.test_workflow import liaison

    other = _published()
    mz = liaison(app, "mz", "yanhu-mz")
    seed_inst = instance_by_key("transfer-children@yanhu-mz")
    other_inst = db.session.scalar(sa.select(DutyInstance).join(DutyInstance.duty).where(
        DutyInstance.unit_id == seed_inst.unit_id, DutyInstance.duty.has(plan_id=other.id)))
    mz.post(f"/tasks/{seed_inst.id}/notes", {"body": "召开部署会"})
    mz.post(f"/tasks/{other_inst.id}/notes", {"body": "建立台账模板"})
    unit, month = unit_by_code("yanhu-mz"), current_month()
    lines = month_activity(unit, month)
    assert lines[0] == f"【{PLAN_NUMBER}】" and "召开部署会" in lines[1]
    assert lines[2] == "【运民字〔2026〕9号】" and "建立台账模板" in lines[3]
    only = month_activity(unit, month, other.id)
    assert len(only) == 1 and OTHER_DUTY in only[0]
    page = mz.client.get(f"/reports/yanhu-mz/{month}?plan={other.id}").get_data(as_text=True)
    assert "建立台账模板" in page and "召开部署会" not in page and 'data-testid="plan-chooser"' in page


def test_exports_and_the_progress_api_take_the_plan_chosen(client, auth, plan):
    from openpyxl import load_workbook

    other = _published()
    auth.as_role("admin")
    for url in ("/duties/plan.xlsx", "/duties/division.xlsx", "/tasks/export.xlsx?unit="):
        sep = "&" if "?" in url else "?"
        titles = {c for row in load_workbook(io.BytesIO(client.get(f"{url}{sep}plan={other.id}").data)).active
                  .iter_rows(values_only=True) for c in row if isinstance(c, str)}
        assert OTHER_DUTY in titles and SEED_DUTY not in titles, url
        every = {c for row in load_workbook(io.BytesIO(client.get(url).data)).active
                 .iter_rows(values_only=True) for c in row if isinstance(c, str)}
        assert OTHER_DUTY in every and SEED_DUTY in every, url
    progress = client.get(f"/api/progress?plan={other.id}").get_json()
    assert progress["plan"] == other.id and progress["totals"]["total"] == 14
    assert {i["plan"] for i in progress["instances"]} == {other.id} and progress["transfer"] == []
    assert client.get("/api/progress").get_json()["totals"]["total"] > 14


def test_each_plan_s_clauses_show_the_duties_they_created_and_no_other_plan_s(client, auth, plan):
    other = _published()  # its clauses 2.1 and 2.2 share their ids with 74号's 二（一）、二（二）
    auth.as_role("leader")
    page = client.get(f"/plans/{other.id}").get_data(as_text=True)
    listed = page.split('id="clause-2.1"', 1)[1].split('id="clause-2.2"', 1)[0]
    assert "本条产生的任务" in listed and "开展困境儿童摸底排查" in listed and OTHER_DUTY not in listed
    assert OTHER_DUTY in page.split('id="clause-2.2"', 1)[1]
    assert 'href="#clause-2.1"' in page
    for cid in ("2", "2.1", "2.2"):  # 74号's own clause pages: its duties only
        seed = client.get(f"/policy/yunmin-2021-74/{cid}").get_data(as_text=True)
        assert "开展困境儿童摸底排查" not in seed and OTHER_DUTY not in seed, cid
    transfer = client.get("/policy/yunmin-2021-74/3.2.8").get_data(as_text=True)
    assert SEED_DUTY in transfer


def _one_of_each_plan():
    """The other plan, published, and 盐湖区民政局's instance of each plan (seed, other)."""
    from portal.models import DutyInstance
    from tests.conftest import instance_by_key

    other = _published()
    seed_inst = instance_by_key("transfer-children@yanhu-mz")
    other_inst = db.session.scalar(sa.select(DutyInstance).where(DutyInstance.duty.has(plan_id=other.id),
                                                                 DutyInstance.unit_id == seed_inst.unit_id))
    return other, seed_inst, other_inst


def test_the_office_queue_shows_every_plan_s_requests_or_the_one_chosen(client, auth, plan):
    other, seed_inst, other_inst = _one_of_each_plan()
    for inst in (seed_inst, other_inst):
        inst.state = "requested"
    db.session.commit()
    auth.as_role("admin")
    every = client.get("/supervision/").get_data(as_text=True)
    assert SEED_DUTY in every and OTHER_DUTY in every and 'data-testid="plan-chooser"' in every
    one = client.get(f"/supervision/?plan={other.id}").get_data(as_text=True)
    assert OTHER_DUTY in one and SEED_DUTY not in one
    home = client.get(f"/?plan={other.id}").get_data(as_text=True)
    assert f"/supervision/?plan={other.id}" in home
    assert re.search(r'data-testid="waiting-closes"><strong>1</strong>', home)


def test_urging_every_late_duty_urges_only_the_plan_chosen(client, auth, plan):
    """催办全部逾期任务 from the 台账 or 督办 with one plan chosen goes to that plan's late duties only."""
    from datetime import timedelta

    from portal.models import Urge

    other, seed_inst, other_inst = _one_of_each_plan()
    for inst in (seed_inst, other_inst):
        inst.deadline = today() - timedelta(days=5)
    db.session.commit()
    auth.as_role("admin")
    for page_url, testid in ((f"/tasks/?plan={other.id}&unit=", "urge-overdue"), (f"/duban/?plan={other.id}", "urge-all-overdue")):
        link = re.search(rf'<a [^>]*href="([^"]+)"[^>]*data-testid="{testid}"', client.get(page_url).get_data(as_text=True))
        assert link and f"plan={other.id}" in link.group(1) and "scope=overdue" in link.group(1), page_url
    page = client.get(f"/duban/urge?scope=overdue&plan={other.id}").get_data(as_text=True)
    assert f"《{OTHER}》的全部逾期任务" in page and OTHER_DUTY in page and SEED_DUTY not in page
    body = "〔单位〕：你单位〔事项〕已逾期，请抓紧办理。〔链接〕"
    sent = auth.post(f"/duban/urge?scope=overdue&plan={other.id}", data={"subject": "催办：〔事项〕", "body": body})
    assert sent.status_code == 302
    urged = set(db.session.scalars(sa.select(Urge.instance_id)))
    assert other_inst.id in urged and seed_inst.id not in urged
