"""A statute's 文号 and 发文单位 go with the date of their own act, and the edition shown is stated as
the revision it is, in its history line's words (docs/GAPS.md, "Library and search"): the importer
reads the history lines (portal.content.statute_import), the meta table shows them
(portal.policy.statute_meta). The statutes below are made up: test data, not the text of any real
regulation."""
import re
from datetime import date

from portal.content.importer import convert_text
from portal.content.statute_import import history_acts
from portal.policy.statute_meta import statute_rows
from tests.conftest import signed_in

BODY = "第一条　为了说明写法，制定本办法。\n第二条　本办法自2030年5月1日起施行。\n"


def _meta(text: str, file: str) -> dict:
    conv = convert_text(text, file, "x")
    assert conv.ok, conv.problems
    return conv.parsed.meta


def test_a_state_council_order_amended_by_a_decision_keeps_its_number_with_its_own_date():
    # the one-line history regulations are published with: the 公布 and the amendment on one line
    text = ("某某救助暂行办法\n（2030年2月21日中华人民共和国国务院令第901号公布　根据2032年3月2日"
            "《国务院关于修改部分行政法规的决定》修订）\n" + BODY)
    meta = _meta(text, "某某救助暂行办法(2032-03-02).md")
    assert meta["number"] == "国务院令第901号" and meta["issuers"] == ["国务院"]
    assert (meta["promulgated"], meta["promulgated_by"], meta["promulgated_as"]) == ("2030-02-21", "国务院", "公布")
    assert meta["revised_by"] == "2032年3月2日修订（《国务院关于修改部分行政法规的决定》）"
    assert (meta["edition"], meta["date"]) == ("2032-03-02", "2032-03-02")  # the text's version: unchanged


def test_a_ministry_order_keeps_the_ministry_and_its_date_through_state_council_revisions():
    # the LawRefBook layout: one statement a line, a stray 「）」 closing the last (its 「（」 cut off)
    text = ("# 某某登记办法\n\n2031年5月12日 国务院批准\n\n2031年5月25日 某某部令第7号发布\n\n"
            "2033年3月2日 《国务院关于修改部分行政法规的决定》第一次修订\n\n"
            "2035年7月20日 《国务院关于修改和废止部分行政法规的决定》第二次修订）\n\n<!-- INFO END -->\n\n" + BODY)
    meta = _meta(text, "某某登记办法(2035-07-20).md")
    assert meta["number"] == "某某部令第7号" and meta["issuers"] == ["某某部"]
    assert (meta["promulgated"], meta["promulgated_by"], meta["promulgated_as"]) == ("2031-05-25", "某某部", "发布")
    assert meta["revised_by"] == "2035年7月20日第二次修订（《国务院关于修改和废止部分行政法规的决定》）"
    # the earlier edition's file has its own revision line
    earlier = _meta(text.replace("\n\n2035年7月20日 《国务院关于修改和废止部分行政法规的决定》第二次修订）", ""),
                    "某某登记办法(2033-03-02).md")
    assert earlier["number"] == "某某部令第7号" and earlier["promulgated"] == "2031-05-25"
    assert earlier["revised_by"] == "2033年3月2日第一次修订（《国务院关于修改部分行政法规的决定》）"


def test_a_law_amended_by_the_standing_committee_names_the_committee_as_its_issuer():
    text = ("中华人民共和国某某法\n\n2030年4月12日 第二十届全国人民代表大会第四次会议通过\n\n"
            "2036年12月29日 第二十一届全国人民代表大会常务委员会第七次会议《关于修改〈中华人民共和国某某法〉"
            "等五部法律的决定》第二次修正\n\n<!-- INFO END -->\n\n" + BODY)
    meta = _meta(text, "某某法(2036-12-29).md")
    assert meta["number"] == "" and meta["issuers"] == ["全国人民代表大会常务委员会"]
    assert (meta["promulgated"], meta["promulgated_by"], meta["promulgated_as"]) == (
        "2030-04-12", "全国人民代表大会", "通过")
    assert meta["revised_by"] == ("2036年12月29日第二次修正（第二十一届全国人民代表大会常务委员会第七次会议"
                                  "《关于修改〈中华人民共和国某某法〉等五部法律的决定》）")
    rows = {r.label: r.value for r in statute_rows(meta["number"], meta["issuers"], date(2030, 4, 12),
                                                   "全国人民代表大会", "通过", date(2036, 12, 29), meta["revised_by"])}
    assert rows["发文单位"] == "全国人民代表大会常务委员会" and rows["通过日期"] == "2030年4月12日（全国人民代表大会）"
    assert rows["现行文本"].startswith("2036年12月29日第二次修正")


def test_a_text_with_only_its_promulgation_line_states_no_revision():
    text = "某某康复条例\n\n2030年2月7日 中华人民共和国国务院令第902号公布\n\n<!-- INFO END -->\n\n" + BODY
    original = _meta(text, "某某康复条例(2030-02-07).md")
    assert (original["promulgated"], original["edition"]) == ("2030-02-07", "2030-02-07")
    assert "revised_by" not in original  # the edition is the promulgated text
    later = _meta(text, "某某康复条例(2031-09-18).md")  # a later version, its amendment not stated in the text
    assert later["number"] == "国务院令第902号" and later["promulgated"] == "2030-02-07"
    assert later["edition"] == "2031-09-18" and "revised_by" not in later
    rows = statute_rows(later["number"], later["issuers"], date(2030, 2, 7), "国务院", "公布", date(2031, 9, 18), "")
    shown = [(r.label, r.value, r.note) for r in rows]
    assert shown[:3] == [("文号", "国务院令第902号", ""), ("发文单位", "国务院", ""), ("公布日期", "2030年2月7日", "")]
    assert shown[3][:2] == ("现行文本", "2031年9月18日版本") and "未载明" in shown[3][2]
    rows = statute_rows("国务院令第902号", ["国务院"], date(2030, 2, 7), "国务院", "公布", date(2030, 2, 7), "")
    assert rows[-1].value == "2030年2月7日公布的文本"


def test_a_law_whose_edition_the_text_does_not_attribute_shows_its_original_body_as_such():
    rows = statute_rows("", ["全国人民代表大会"], date(2030, 4, 12), "全国人民代表大会", "通过", date(2031, 1, 1), "")
    assert [r.label for r in rows] == ["通过机关", "通过日期", "现行文本"]
    rows = statute_rows("", [], None, "", "", date(2031, 1, 1), "")  # no history at all: nothing claimed
    assert [(r.label, r.missing) for r in rows[:2]] == [("发文单位", True), ("公布日期", True)]


def test_history_statements_are_split_at_each_date():
    acts = history_acts(["（2030年2月21日中华人民共和国国务院令第901号公布　根据2032年3月2日《国务院关于修改部分"
                         "行政法规的决定》修订　自2030年5月1日起施行）"])
    assert [(a.day, a.word) for a in acts] == [("2030-02-21", "公布"), ("2032-03-02", "修订"), ("2030-05-01", "")]
    assert acts[1].text == "《国务院关于修改部分行政法规的决定》修订"


def _rows(page: str, testid: str) -> dict[str, str]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', page, re.S).group(1)
    return {th: re.sub(r"<[^>]+>", "", td).strip() for th, td in
            re.findall(r"<tr[^>]*><th>(.*?)</th><td[^>]*>(.*?)</td></tr>", table, re.S)}


def test_the_shipped_social_assistance_measures_show_order_649_with_its_own_date(app, library):
    client = signed_in(app, "meta-staff", "staff").client
    rows = _rows(client.get("/policy/shehui-jiuzhu-zanxing-banfa").get_data(as_text=True), "doc-meta")
    assert rows["文号"] == "国务院令第649号" and rows["发文单位"] == "国务院" and rows["公布日期"] == "2014年2月21日"
    # the 2019 edition stands apart, as what the text says of it (its history line does not state the decision)
    assert rows["现行文本"].startswith("2019年3月2日版本") and "未载明" in rows["现行文本"]
    assert "成文日期" not in rows and not any("2019" in v for k, v in rows.items() if k in ("文号", "公布日期"))
    # a law: the edition's body, the original 通过 with its own
    rows = _rows(client.get("/policy/yiwu-jiaoyu-fa").get_data(as_text=True), "doc-meta")
    assert rows["发文单位"] == "全国人民代表大会常务委员会" and rows["通过日期"] == "1986年4月12日（全国人民代表大会）"
    assert rows["现行文本"].startswith("2018年12月29日第二次修正（第十三届全国人民代表大会常务委员会")
    # an earlier edition shows its own file's pairs
    page = client.get("/policy/zhongguo-gongmin-shouyang-zinv-dengji-banfa/v/2019-03-02").get_data(as_text=True)
    rows = _rows(page, "edition-meta")
    assert rows["文号"] == "民政部令第14号" and rows["发布日期"] == "1999年5月25日"
    assert rows["本版本"].startswith("2019年3月2日版本")
    rows = _rows(client.get("/policy/zhongguo-gongmin-shouyang-zinv-dengji-banfa").get_data(as_text=True), "doc-meta")
    assert rows["现行文本"] == "2023年7月20日第二次修订（《国务院关于修改和废止部分行政法规的决定》）"
    # the library list pairs the 令号 with its date too
    listing = client.get("/policy/").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", listing, re.S) if "社会救助暂行办法" in r)
    assert "国务院令第649号" in row and 'data-label="公布日期">2014年2月21日<' in row
    data = client.get("/api/policy/shehui-jiuzhu-zanxing-banfa").get_json()
    assert (data["number"], data["promulgated"], data["date"]) == ("国务院令第649号", "2014-02-21", "2019-03-02")
