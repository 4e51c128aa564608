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


def test_a_sheet_written_directly_reads_back_as_the_streamed_writer_s():
    """`sheet_file` (the training lists that grow with the roster) gives the same file a reader sees as
    `write_sheet`: values, safe text, dates, fills, wrapping, the merged title and the frozen header."""
    rows = [["王芳", "=1+1", "甲 & <乙>", date(2022, 9, 1), datetime(2022, 9, 1, 8, 30), 3, 33.3, None, True],
            ["李娜", "@x", "", date(2023, 1, 2), None, 0, 0.5, "✓ 已完成", False]]
    headers = ["姓名", "公式", "说明", "日期", "时间", "数", "率", "状态", "是否"]
    widths = [10, 10, 30, 14, 16, 6, 8, 12, 6]

    def fills(_i, j, v):
        return "C6EFCE" if j == 7 and v else None

    wb = xlsx.new_book()
    xlsx.write_sheet(wb, "名单/甲", headers, widths, rows, title="标题（截至2026年12月7日）", fills=fills, wrap=[2],
                     auto_filter=False)
    streamed = load_workbook(io.BytesIO(xlsx.to_bytes(wb))).active
    direct = load_workbook(io.BytesIO(xlsx.sheet_file("名单/甲", headers, widths, rows, title="标题（截至2026年12月7日）",
                                                      fills=fills, wrap=[2]))).active
    assert [[c.value for c in r] for r in direct.iter_rows()] == [[c.value for c in r] for r in streamed.iter_rows()]
    assert direct["B3"].value == "'=1+1" and direct["C3"].value == "甲 & <乙>"
    assert direct.title == streamed.title == "名单／甲"
    assert direct.freeze_panes == "A3" and [str(r) for r in direct.merged_cells.ranges] == ["A1:I1"]
    assert direct["A1"].font.b and direct["A2"].font.b and direct["A2"].fill.fgColor.rgb[-6:] == "EEF1F5"
    assert [direct.cell(r, 4).number_format for r in (3, 4)] == [xlsx.DATE_FORMAT, xlsx.DATE_FORMAT]
    assert direct["E3"].number_format == xlsx.DATETIME_FORMAT
    assert direct["H4"].fill.fgColor.rgb[-6:] == "C6EFCE" and direct["H3"].fill.fill_type is None
    assert direct["C3"].alignment.wrap_text and not direct["A3"].alignment.wrap_text
    assert [direct.column_dimensions[c].width for c in "ACI"] == [10, 30, 6]


def test_the_short_path_for_plain_cells_writes_what_the_general_one_writes():
    """Long lists take `_plain_cell` for plain text and whole numbers; it must agree with `_value_cell`
    wherever it answers, and leave to it whatever needs cleaning, guarding or a format."""
    answered = 0
    for value in ["abc", "中文", "a<b&c>", "line\nbreak", "'q", 0, 5, -3,
                  "", "=1+1", "-x", "@x", "x\x01y", "\u2028", "x" * 40000, True, False, 1.5, None,
                  date(2024, 1, 2), datetime(2024, 1, 2, 3, 4)]:
        fast = xlsx._plain_cell(value)
        if fast:
            answered += 1
            assert fast == xlsx._value_cell("", value, 0), value
    assert answered == 8  # the plain texts and ints; the rest go the general way
    rows = [["=cmd", "ok", 3, None, date(2024, 5, 6), "bad\x07"]]
    book = load_workbook(io.BytesIO(xlsx.sheet_file("s", list("ABCDEF"), [8] * 6, rows, title="t")))
    assert [c.value for c in book.active[3]] == ["'=cmd", "ok", 3, None, datetime(2024, 5, 6), "bad"]


def test_a_long_list_names_a_cell_s_place_only_after_a_left_out_cell():
    """The references (r="E5"), a new number in every cell, were over half of a long list's compressed
    size: a cell says where it is only when an empty cell before it was left out, and every reader
    still finds each value in its column."""
    import zipfile

    rows = [["甲", 1, "x"], ["乙", None, "y"], [None, None, "z"]]
    data = xlsx.sheet_file("s", list("ABC"), [8] * 3, rows, title="t")
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    body = sheet.split('<row r="3">', 1)[1]
    assert body.count(' r="') == 2 + 2  # rows 4 and 5, and the cells after a gap: C4 and C5
    assert '<c r="C4"' in body and '<c r="C5"' in body
    book = load_workbook(io.BytesIO(data))
    assert [[c.value for c in row] for row in book.active.iter_rows(min_row=3)] == \
        [["甲", 1, "x"], ["乙", None, "y"], [None, None, "z"]]
