"""Every page that counts duties shows all plans or the one chosen (`?plan=`, one reader:
portal.web.query_args.plan_arg): home for each role, county pages, the 通报 on screen and as .xlsx and
.docx, the exports and monthly reports; a bad choice is said and ignored."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from portal.core.plan import PLAN_NUMBER
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
