"""Two liaisons edit the same 进展报告: the second saver sees the colleague's saved text (who, when)
beside their own, still unsaved in the boxes; saving again does not overwrite the colleague's draft;
only ticking 「以我填写的内容覆盖」 does."""
from __future__ import annotations

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.models import MonthlyReport
from portal.reports.services import STALE
from tests.factories import gen_liaison, gen_session

URL = "/reports/yanhu-mz/2026-11"


def form(progress: str, version, **extra) -> dict:
    return {"progress": progress, "problems": "", "next_steps": "下月继续", "version": str(version), "submit": "0",
            **extra}


def stored() -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(MonthlyReport.progress))


def cell(html: str, testid: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'data-testid="{testid}">(.*?)</td>', html, re.S).group(1)).strip()


def test_a_conflict_shows_both_versions_and_a_resave_never_overwrites_unasked(app, plan):
    first = gen_session(app, gen_liaison("rep-a"))
    second = gen_session(app, gen_liaison("rep-b"))
    assert first.post(URL, form("甲：完成移交人员梳理。", 0)).status_code == 302
    refused = second.post(URL, form("乙：召开推进会，部署档案整理。", 0))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and STALE in html
    panel = html.split('data-testid="conflict"')[1].split("</section>")[0]
    assert "测试rep-a" in panel and "保存了新的内容" in panel and "年" in panel  # who and when
    assert cell(html, "theirs-progress") == "甲：完成移交人员梳理。"
    assert cell(html, "mine-progress") == "乙：召开推进会，部署档案整理。"
    assert ">乙：召开推进会，部署档案整理。</textarea>" in html  # the boxes still hold what was typed
    assert 'name="version" value="0"' in html  # still the version it was edited from
    token = re.search(r'name="overwrite" value="(\d+)"', html).group(1)

    again = second.post(URL, form("乙：召开推进会，部署档案整理。", 0))  # the same form saved again
    assert again.status_code == 422 and stored() == "甲：完成移交人员梳理。"

    chosen = second.post(URL, form("乙：召开推进会，部署档案整理。", 0, overwrite=token))
    assert chosen.status_code == 302 and stored() == "乙：召开推进会，部署档案整理。"


def test_a_choice_made_against_a_version_that_moved_on_is_refused_again(app, plan):
    first = gen_session(app, gen_liaison("rep-c"))
    second = gen_session(app, gen_liaison("rep-d"))
    first.post(URL, form("第一稿", 0))
    html = second.post(URL, form("我的稿", 0)).get_data(as_text=True)
    token = re.search(r'name="overwrite" value="(\d+)"', html).group(1)
    version = db.session.scalar(sa.select(MonthlyReport.version))
    first.post(URL, form("第二稿", version))  # the colleague saves once more meanwhile
    late = second.post(URL, form("我的稿", 0, overwrite=token))
    assert late.status_code == 422 and cell(late.get_data(as_text=True), "theirs-progress") == "第二稿"
    assert stored() == "第二稿"
