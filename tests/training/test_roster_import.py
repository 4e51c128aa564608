"""Roster import: malformed files, per-row problems, all or nothing, updates by phone, scope, CLI, page."""
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from portal.models import AuditEntry, Trainee, TrainingPlace
from portal.training.roster import import_roster
from portal.training.roster_file import HEADERS
from tests.conftest import count, make_user
from tests.training.helpers import HEADER, csv_bytes, import_rows, trainee

GOOD = ("张三,儿童督导员,盐湖区,北城街道,,13800000001,,",
        "李四,儿童主任,盐湖区,北城街道,红旗社区,13800000002,,备注",
        "王五,儿童主任,永济市,城西街道,西厢村,13800000003,,")


def xlsx(rows, merge: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    if merge:
        ws.merge_cells(merge)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def problems(data: bytes, name: str = "r.xlsx", user=None) -> list[str]:
    result = import_roster(data, name, user, dry_run=True)
    return [str(p) for p in result.problems]


def test_the_template_has_the_chinese_headers_in_order(app):
    from portal.training.roster_file import template_workbook

    ws = load_workbook(BytesIO(template_workbook())).worksheets[0]
    assert [c.value for c in ws[1]] == ["姓名", "角色", "县（市、区）", "乡镇（街道）", "村（社区）", "手机号", "账号", "备注"]
    assert ws.max_row == 1  # no example rows, no pre-made empty rows (rows appended land on row 2)


def test_good_xlsx_imports_areas_and_people(app):
    data = xlsx([HEADERS, *[r.split(",") for r in GOOD]])
    result = import_roster(data, "花名册.xlsx", None, dry_run=False)
    assert result.ok and (result.created, result.updated) == (3, 0)
    li = trainee("13800000002")
    assert (li.name, li.post, li.county.code, li.township.name, li.village.name) == ("李四", "director", "yanhu", "北城街道", "红旗社区")
    assert trainee("13800000001").village is None
    assert count(TrainingPlace) == 4  # 北城街道, 红旗社区, 城西街道, 西厢村


def test_phone_typed_as_number_in_excel_is_read(app):
    data = xlsx([HEADERS, ["张三", "儿童督导员", "盐湖区", "北城街道", None, 13800000001]])
    assert import_roster(data, "r.xlsx", None, dry_run=False).ok
    assert trainee("13800000001") is not None


def test_every_bad_row_reported_with_row_column_reason_and_nothing_imported(app):
    data = csv_bytes(GOOD[0],
                     ",儿童主任,盐湖区,北城街道,红旗社区,13800000009,,",  # row 3: no name
                     "赵六,儿童主任,火星县,北城街道,红旗社区,13800000010,,",  # row 4: unknown county
                     "钱七,儿童主任,盐湖区,北城街道,红旗社区,1380000,,",  # row 5: phone malformed
                     "孙八,儿童主任,盐湖区,北城街道,红旗社区,13800000001,,",  # row 6: duplicate of row 2
                     "周九,儿童主任,盐湖区,北城街道,,13800000011,,",  # row 7: director without village
                     "吴十,校长,盐湖区,北城街道,,13800000012,,")  # row 8: unknown role
    got = problems(data, "r.csv")
    assert got == ["row 3, 姓名: 必填", "row 4, 县（市、区）: 未知的县（市、区）“火星县”",
                   "row 5, 手机号: “1380000”不是11位手机号", "row 6, 手机号: 与第2行重复",
                   "row 7, 村（社区）: 儿童主任必须填写所在村（社区）", "row 8, 角色: “校长”不是儿童督导员或儿童主任"]
    assert import_roster(data, "r.csv", None, dry_run=False).problems
    assert count(Trainee) == 0 and count(TrainingPlace) == 0


def test_wrong_headers(app):
    data = xlsx([["姓名", "手机号", "县（市、区）", "乡镇（街道）", "村（社区）", "角色"], ["张三"]])
    got = problems(data)
    assert got[0] == "row 1, 第2列: 表头应为“角色”，实际为“手机号”；请使用下载的模板"
    assert all(p.startswith("row 1, ") for p in got)


def test_empty_sheet(app):
    assert problems(xlsx([])) == ["row 1: 表格为空：第1行应为表头，从第2行起每行一人"]
    assert problems(xlsx([HEADERS])) == ["row 2: 表格只有表头，没有人员"]
    assert problems(b"", "r.csv") == ["row 1: 表格为空：第1行应为表头，从第2行起每行一人"]


def test_merged_cells(app):
    data = xlsx([HEADERS, ["张三", "儿童主任", "盐湖区", "北城街道", "红旗社区", "13800000001"],
                 ["李四", "儿童主任", "盐湖区", "", "红旗社区", "13800000002"]], merge="D2:D3")
    assert problems(data) == ["row 2, 乡镇（街道）: 有合并单元格（D2:D3），请取消合并并逐行填写"]


def test_xls_renamed_xlsx(app):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    assert problems(ole) == ["row 0: 这是旧版 Excel（.xls）文件改了扩展名，请在 Excel 中另存为 .xlsx 后导入"]
    assert "不是有效的 .xlsx" in problems(b"just some text")[0]


def test_twenty_megabyte_file_refused_with_a_clear_message(app):
    big = csv_bytes(*GOOD) + b"#" * (20 * 1024 * 1024)
    assert problems(big, "r.csv") == ["row 0: 文件大小 20 MB，超过 5 MB 上限，请分县（市、区）分批导入"]


def test_gbk_csv_from_chinese_excel(app):
    assert import_roster(csv_bytes(*GOOD).decode("utf-8").encode("gb18030"), "r.csv", None, dry_run=False).ok


def test_reimport_updates_by_phone_and_never_duplicates(app):
    import_rows(*GOOD)
    result = import_rows("张三丰,儿童督导员,盐湖区,北城街道,,13800000001,,", *GOOD[1:])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert count(Trainee) == 3 and trainee("13800000001").name == "张三丰"
    assert count(AuditEntry) > 0


def test_two_spellings_are_merged_and_old_spelling_lands_on_the_survivor(app, client, auth):
    import_rows("甲,儿童主任,盐湖区,北城街道,红旗社区,13800000001,,", "乙,儿童主任,盐湖区,北城办事处,红旗社区,13800000002,,")
    user = make_user("tr", "trainer")
    auth.login("tr")
    from tests.training.helpers import db_area

    source, target = db_area("北城办事处"), db_area("北城街道")
    response = auth.post(f"/training/areas/{source.id}/merge", data={"target": target.id})
    assert response.status_code == 302
    assert trainee("13800000002").township.name == "北城街道"
    import_rows("丙,儿童督导员,盐湖区,北城办事处,,13800000003,,", user=user)
    assert trainee("13800000003").township.name == "北城街道"


def test_county_trainer_cannot_import_another_county(app):
    user = make_user("yh", "trainer", unit="yanhu-mz")
    got = [str(p) for p in import_roster(csv_bytes(*GOOD), "r.csv", user, dry_run=True).problems]
    assert got == ["row 4, 县（市、区）: 永济市不在您负责的范围内"]


def test_accounts_link_or_create_trainee_logins_never_staff(app):
    make_user("staffer", "staff")
    got = problems(csv_bytes("张三,儿童主任,盐湖区,北城街道,红旗社区,13800000001,staffer,"), "r.csv")
    assert got == ["row 2, 账号: “staffer”是工作人员账号，不能用作学员账号"]
    result = import_rows("张三,儿童主任,盐湖区,北城街道,红旗社区,13800000001,zhangsan,")
    assert result.new_accounts == ["zhangsan"]
    assert trainee("13800000001").user.roles == ["trainee"]


def test_cli_import_roster(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(GOOD[0], "李四,儿童主任,盐湖区,北城街道,,13800000002,,"))
    result = runner.invoke(args=["portal", "import-roster", str(bad)])
    assert result.exit_code == 1
    assert "row 3, 村（社区）: 儿童主任必须填写所在村（社区）" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD))
    result = runner.invoke(args=["portal", "import-roster", str(good), "--dry-run"])
    assert result.exit_code == 0 and "3 created" in result.output and count(Trainee) == 0
    result = runner.invoke(args=["portal", "import-roster", str(good)])
    assert result.exit_code == 0 and count(Trainee) == 3


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_page_preview_then_confirm(app, client, auth, name):
    make_user("tr", "trainer")
    auth.login("tr")
    data = csv_bytes(*GOOD) if name.endswith(".csv") else xlsx([HEADERS, *[r.split(",") for r in GOOD]])
    page = auth.post("/training/roster/import", data={"file": (BytesIO(data), name)},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "检查通过" in page and "新增 3 人" in page and count(Trainee) == 0
    import re

    token = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)
    response = auth.post("/training/roster/import/confirm", data={"token": token})
    assert response.status_code == 302 and count(Trainee) == 3
    # the same upload cannot be applied twice: refused beside the upload form, nothing imported again
    again = auth.post("/training/roster/import/confirm", data={"token": token})
    assert again.status_code == 422 and count(Trainee) == 3
    refused = again.get_data(as_text=True).split('data-testid="form-refused"')[1].split("</p>")[0]
    assert "导入已过期或已完成，请重新上传花名册。" in refused


def test_page_lists_problems_in_chinese(app, client, auth):
    make_user("tr", "trainer")
    auth.login("tr")
    data = (HEADER + "张三,儿童督导员,盐湖区,北城街道,,123,,\n").encode()
    response = auth.post("/training/roster/import", data={"file": (BytesIO(data), "r.csv")},
                         content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # refused: the problems under the upload form, in its card
    assert "第2行，手机号：“123”不是11位手机号" in page and "本次未导入任何数据" in page
    assert page.index("上传并预览") < page.index('data-testid="import-problems"') < page.index("第2行")


def test_preview_lists_every_new_place_not_thirty_and_etc(app, client, auth):
    """Issue 21: the list of new places was cut after 30 with 「等」; a trainer checks each for typos."""
    make_user("tr", "trainer")
    auth.login("tr")
    rows = [f"主任{n},儿童主任,盐湖区,北城街道,新村{n:02d},139{n:08d},," for n in range(40)]
    page = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*rows)), "r.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    listed = page.split('data-testid="import-new-places"')[1].split("</details>")[0]
    assert "将新增的地名 41 个" in listed  # the township and its 40 villages
    for n in range(40):
        assert f"新村{n:02d}" in listed
    assert "等" not in listed.split("</summary>")[1]


def test_preview_flags_places_the_gazetteer_puts_elsewhere_or_does_not_know(app, client, auth):
    """Issue 21: 盐湖区 / 蒲州镇 / 西厢村 was accepted although 蒲州镇 is in 永济市."""
    make_user("tr", "trainer")
    auth.login("tr")
    rows = ["甲,儿童主任,盐湖区,蒲州镇,西厢村,13900000001,,",  # the township is 永济市's
            "乙,儿童主任,永济市,蒲州镇,西厢村,13900000002,,",  # right: 西厢村委会 of 蒲州镇
            "丙,儿童主任,永济市,蒲州镇,红旗社区,13900000003,,",  # no such village there
            "丁,儿童主任,盐湖区,北城街道,不存在村,13900000004,,"]  # a real township, an unknown village
    page = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*rows)), "r.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    flags = page.split('data-testid="place-flags"')[1].split("</section>")[0]
    assert "第2行 盐湖区蒲州镇：蒲州镇在国家统计局区划中属于永济市，不属于盐湖区" in flags
    assert "第4行 永济市蒲州镇红旗社区：国家统计局区划中永济市蒲州镇没有名为「红旗社区」的村（社区）" in flags
    assert "不存在村" in flags and "第3行" not in flags and "盐湖区蒲州镇西厢村" not in flags
    assert "已核对地名，确认导入" in page and count(Trainee) == 0


def test_gazetteer_is_the_real_one_and_reads_village_committees_as_the_roster_writes_them():
    from pathlib import Path

    from portal.content.gazetteer import parse_gazetteer, short_village

    path = Path(__file__).parents[2] / "content" / "gazetteer" / "yuncheng.csv"
    gaz, problems = parse_gazetteer(path.read_bytes(), str(path))
    assert problems == [] and len(gaz.towns) == 13 and sum(len(t) for t in gaz.towns.values()) > 150
    assert gaz.problem("永济市", "蒲州镇", "西厢村") is None and gaz.problem("盐湖区", "北城街道") is None
    assert short_village("西厢村委会") == "西厢村" and short_village("红旗社区居委会") == "红旗社区"
    assert short_village("崇相西社区居民委员会") == "崇相西社区"
