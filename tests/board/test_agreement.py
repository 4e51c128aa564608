"""The figures agree: the board page, the 通报 .xlsx and /api/progress each match what a plain
count over the database gives (computed here without the board's code)."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core.time import local_today
from portal.extensions import db
from portal.models import Duty, DutyInstance, IndicatorValue


def independent_figures() -> dict:
    today = local_today()
    live = (sa.select(DutyInstance.state, DutyInstance.deadline).join(Duty)
            .where(~DutyInstance.archived, ~Duty.archived))
    rows = db.session.execute(live).all()
    by_state: dict[str, int] = {}
    for state, _ in rows:
        by_state[state] = by_state.get(state, 0) + 1
    overdue = sum(1 for state, deadline in rows if state != "closed" and deadline is not None and today > deadline)
    latest: dict[tuple[int, str], int] = {}
    for iid, name, value in db.session.execute(
            sa.select(IndicatorValue.instance_id, IndicatorValue.name, IndicatorValue.value).order_by(IndicatorValue.id)):
        latest[(iid, name)] = value
    transfer_ids = set(db.session.scalars(sa.select(DutyInstance.id).join(Duty).where(Duty.key == "transfer-children")))
    children = sum(v for (iid, name), v in latest.items() if name == "移交儿童人数" and iid in transfer_ids)
    closed = by_state.get("closed", 0)
    return {"total": len(rows), "closed": closed, "in_progress": by_state.get("in_progress", 0),
            "blocked": by_state.get("blocked", 0), "overdue": overdue,
            "pct_complete": round(100 * closed / len(rows)), "children": children}


def test_board_xlsx_and_api_agree_with_the_database(varied, auth, client):
    auth.as_role("leader")
    expected = independent_figures()
    assert expected["children"] == varied["children"] and expected["closed"] == 2

    html = client.get("/board").get_data(as_text=True)
    shown = {k: int(v) for k, v in re.findall(r'data-figure="(\w+)">(\d+)', html)}
    for key in ("total", "closed", "in_progress", "blocked", "overdue", "pct_complete"):
        assert shown[key] == expected[key], key
    assert re.search(r'data-total="移交儿童人数">%d<' % expected["children"], html)

    api = client.get("/api/progress").get_json()
    t = api["totals"]
    assert (t["total"], t["closed"], t["overdue"], t["pct_complete"]) == (
        expected["total"], expected["closed"], expected["overdue"], expected["pct_complete"])
    assert t["by_state"]["blocked"] == expected["blocked"] and t["by_state"]["in_progress"] == expected["in_progress"]
    assert len(api["instances"]) == expected["total"]
    assert sum(c["indicators"].get("移交儿童人数", 0) for c in api["transfer"]) == expected["children"]
    assert sum(u["total"] for u in api["units"]) == expected["total"]

    response = client.get("/board/report.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    summary = {ws_row[0]: ws_row[1] for ws_row in wb["汇总"].iter_rows(min_row=3, values_only=True) if ws_row[0]}
    assert summary["任务总数"] == expected["total"] and summary["已销号"] == expected["closed"]
    assert summary["逾期（红灯）"] == expected["overdue"] and summary["完成率（已销号，%）"] == expected["pct_complete"]
    transfer = wb["移交进度"]
    headers = [c.value for c in transfer[2]]
    total_row = [r for r in transfer.iter_rows(min_row=3, values_only=True) if r[0] == "合计"][0]
    assert total_row[headers.index("移交儿童人数")] == expected["children"]
    assert wb["红灯"].max_row - 2 == expected["overdue"]
    assert wb["任务明细"].max_row - 2 == expected["total"]
