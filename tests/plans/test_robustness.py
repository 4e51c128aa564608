"""Whatever text a plan file holds, reading and drafting give a document and problems, never an error."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.plan_text.drafting import draft_duties
from portal.plan_text.reader import read_plan

PIECES = ["一、", "二、", "（一）", "(二)", "1.", "2、", "（1）", "附件", "附件1", "牵头单位：", "责任单位:", "（", "）",
          "〔", "〕", "市民政局", "各县（市、区）", "牵头", "配合", "负责", "要", "2022年9月底前", "年底前", "长期坚持",
          "。", "；", "，", "、", "\n", "| 序号 | 工作任务 | 牵头单位 |", "|---|---|---|", "| 1 | 做好 | 市财政局 |",
          "2021年12月30日", "运城市民政局", "关于印发测试方案的通知", "做好工作", "0", "99", " "]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_any_text_reads_and_drafts_without_error(pieces):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.md"
        path.write_text("".join(pieces), encoding="utf-8")
        document = read_plan(path)
        duties = draft_duties(document, [])
    assert all(p.reason and p.line >= 1 for p in document.problems)
    ids = [c.id for c in document.clauses]
    assert len(ids) == len(set(ids))  # clause ids are unique
    assert all(d.clause for d in duties)
