"""A liaison may read another unit's 台账 and duties: those pages say whose they are and 只读, and
never call themselves 我的任务; the liaison's own pages carry no such mark."""
from __future__ import annotations

import re

from tests.conftest import instance_by_key
from tests.duties.test_workflow import liaison


def heading(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    h1 = re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", html, re.S).group(1))
    return title, " ".join(h1.split())


def test_another_units_board_and_duty_are_marked_read_only(app, plan):
    mz = liaison(app, "mz", "yanhu-mz")
    other = mz.client.get("/tasks/?unit=yongji-mz").get_data(as_text=True)
    title, h1 = heading(other)
    assert "我的任务" not in title and "我的任务" not in h1
    assert h1 == "永济市民政局 · 任务台账 只读" and "永济" in title
    assert 'data-testid="read-only-note"' in other and "不能办理" in other
    own = mz.client.get("/tasks/").get_data(as_text=True)
    assert heading(own)[1] == "盐湖区民政局 · 我的任务" and 'data-testid="read-only"' not in own
    everyone = mz.client.get("/tasks/?unit=").get_data(as_text=True)
    assert "我的任务" not in heading(everyone)[1]

    theirs = mz.client.get(f"/tasks/{instance_by_key('transfer-children@yongji-mz').id}").get_data(as_text=True)
    assert 'data-testid="read-only"' in theirs and "本任务由永济市民政局牵头，您可以查看，不能修改" in theirs
    assert 'action="/tasks/' not in theirs.split('id="work"')[1].split("</section>")[0]  # no forms to act with
    mine = mz.client.get(f"/tasks/{instance_by_key('transfer-children@yanhu-mz').id}").get_data(as_text=True)
    assert 'data-testid="read-only"' not in mine
