"""The library list's filters — 效力位阶, 制定机关, jurisdiction, 公布 and 施行 date ranges — combine,
live in the URL, and answer a bad date with a message beside the form, never an error page."""
from __future__ import annotations

from datetime import date

from portal.policy import library_filter as lf

PLAN = "关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案"


def test_rank_is_read_from_maker_and_number_and_left_unsaid_when_they_do_not_tell():
    assert lf.rank_of("法律", ["全国人民代表大会常务委员会"], "") == lf.LAW
    assert lf.rank_of("条例", ["全国人民代表大会常务委员会"], "") == lf.LAW  # 户口登记条例 (1958)
    assert lf.rank_of("办法", ["国务院"], "国务院令第649号") == lf.ADMIN_REG
    assert lf.rank_of("条例", ["国务院"], "") == lf.ADMIN_REG
    assert lf.rank_of("办法", ["民政部"], "民政部令第14号") == lf.DEPT_RULE
    assert lf.rank_of("条例", ["山西省人民代表大会常务委员会"], "") == lf.LOCAL_REG
    assert lf.rank_of("办法", ["运城市人民政府"], "运城市人民政府令第3号") == lf.LOCAL_RULE
    assert lf.rank_of("实施方案", ["运城市民政局", "运城市教育局"], "运民发〔2021〕74号") == lf.NORMATIVE
    assert lf.rank_of("意见", ["国务院"], "国发〔2016〕13号") == lf.NORMATIVE
    assert lf.rank_of("条例", [], "") == ""  # maker not recorded: not guessed


def test_dates_read_as_people_write_them():
    assert lf.parse_day("2022年9月1日") == lf.parse_day("2022-09-01") == date(2022, 9, 1)
    assert lf.parse_day("1958") == date(1958, 1, 1) and lf.parse_day("1958年", end=True) == date(1958, 12, 31)
    for bad in ("2022-02-30", "9999", "1800-01-01", "二〇二二年", "昨天"):
        assert lf.parse_day(bad) is None, bad


def _rows(client, query: str) -> str:
    r = client.get("/policy/" + query)
    html = r.get_data(as_text=True)
    start = html.index('data-testid="policy-documents"')
    return r.status_code, html[start:html.index("</table>", start)]


def test_filters_combine_and_stay_in_the_url(library, staff):
    status, rows = _rows(staff.client, "?level=法律")
    assert status == 200 and "中华人民共和国未成年人保护法" in rows and PLAN not in rows and "社会救助暂行办法" not in rows
    status, rows = _rows(staff.client, "?level=行政法规")
    assert "社会救助暂行办法" in rows and "残疾人教育条例" in rows and "中华人民共和国民法典" not in rows
    _, rows = _rows(staff.client, "?level=部门规章")
    assert "中国公民收养子女登记办法" in rows and "社会救助暂行办法" not in rows
    _, rows = _rows(staff.client, "?place=yuncheng")
    assert PLAN in rows and "中华人民共和国民法典" not in rows
    _, rows = _rows(staff.client, "?place=national&issuer=国务院")
    assert "志愿服务条例" in rows and PLAN not in rows and "中华人民共和国民法典" not in rows
    # 公布 in 2020 and 施行 from 2021: 民法典 (2020-05-28, 2021-01-01) and 预防未成年人犯罪法
    _, rows = _rows(staff.client, "?issued_from=2020年1月1日&issued_to=2020-12-31&effective_from=2021")
    assert "中华人民共和国民法典" in rows and "中华人民共和国预防未成年人犯罪法" in rows
    assert "中华人民共和国未成年人保护法" not in rows and PLAN not in rows
    page = staff.client.get("/policy/?level=法律&issued_from=2020").get_data(as_text=True)
    assert '<option value="法律" selected>' in page and 'value="2020"' in page  # the form keeps the filters
    assert "符合条件的" in page


def test_a_bad_date_gets_a_chinese_message_never_a_500(library, staff):
    status, _ = _rows(staff.client, "?issued_from=2022-02-30")
    page = staff.client.get("/policy/?issued_from=2022-02-30").get_data(as_text=True)
    assert status == 400 and "公布日期（起）“2022-02-30”不是有效日期" in page
    page = staff.client.get("/policy/?effective_from=2024&effective_to=2020").get_data(as_text=True)
    assert "施行日期的起始日期晚于截止日期" in page
    r = staff.client.get("/policy/?issued_to=明年&level=宪法&place=moon&issuer=火星", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<h1>" not in html  # htmx swaps only a 200: the message is in the rows' part
    for message in ("公布日期（止）“明年”不是有效日期", "所选效力位阶无效", "所选地域无效", "所选制定机关不在法规库中"):
        assert message in html, message


def test_jurisdiction_is_the_place_the_maker_or_title_names():
    assert lf.place_of("关于加快推进我市儿童福利机构……的实施方案", ["运城市民政局", "运城市教育局"]) == "yuncheng"
    assert lf.place_of("山西省未成年人保护条例", ["山西省人民代表大会常务委员会"]) == "shanxi"
    assert lf.place_of("太原市养老服务条例", []) == "shanxi"
    assert lf.place_of("上海市未成年人保护条例", ["上海市人民代表大会常务委员会"]) == "other"
    assert lf.place_of("中华人民共和国民法典", ["全国人民代表大会"]) == "national"
    assert lf.place_of("社会救助暂行办法", ["国务院"]) == "national"
