"""The shared .xlsx writer (portal/xlsx.py): streamed rows keep every style they were given — dates in
the Chinese formats, wrapped text, fills — though a style is registered once and copied after."""
import io
from datetime import date, datetime

from openpyxl import load_workbook

from portal import xlsx


def test_every_styled_cell_keeps_its_style_and_the_title_and_header_stay_put():
    wb = xlsx.new_book()
    rows = [[date(2022, 9, 1), "说明甲", "✓ 已完成"], [datetime(2022, 9, 1, 8, 30), "说明乙", "○ 未开始"],
            [date(2023, 1, 2), "说明丙", "✓ 已完成"]]
    _, n = xlsx.write_sheet(wb, "清单", ["日期", "说明", "状态"], [14, 30, 12], rows, title="标题（截至2026年12月7日）",
                            wrap=[1], fills=lambda _i, _j, v: "D4EDDA" if str(v).startswith("✓") else None)
    ws = load_workbook(io.BytesIO(xlsx.to_bytes(wb))).active
    assert n == 3 and ws["A1"].value.startswith("标题") and ws["A2"].value == "日期" and ws.freeze_panes == "A3"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    formats = [ws.cell(r, 1).number_format for r in (3, 4, 5)]
    assert formats == [xlsx.DATE_FORMAT, xlsx.DATETIME_FORMAT, xlsx.DATE_FORMAT]
    assert all(ws.cell(r, 2).alignment.wrap_text for r in (3, 4, 5))
    assert [ws.cell(r, 3).fill.fgColor.rgb[-6:] for r in (3, 5)] == ["D4EDDA", "D4EDDA"]
    assert ws.cell(4, 3).fill.fill_type is None and not ws.cell(3, 3).alignment.wrap_text
    assert ws.auto_filter.ref == "A2:C5"
