"""Citation detection and resolution (pure)."""
import pytest

from portal.content.citations import (
    LibraryEntry,
    RegisterEntry,
    Resolver,
    cn_to_int,
    find_citations,
    int_to_cn,
)


@pytest.mark.parametrize("typed", ["晋民发〔2021〕42号", "晋民发[2021]42号", "晋民发【2021】42号",
                                   "晋民发(2021)42号", "晋民发（2021）42号", "晋民发〔 2021 〕42 号"])
def test_number_bracket_variants_normalise(typed):
    found = find_citations(f"根据{typed}文件要求")
    assert [(c.kind, c.number) for c in found] == [("number", "晋民发〔2021〕42号")]


def test_bare_number_keeps_only_its_prefix():
    assert find_citations("按照运民发〔2021〕74号执行")[0].text == "运民发〔2021〕74号"
    # a known number wins over the lead-word heuristic
    found = find_citations("印发晋民发[2021]42号", known_numbers=["晋民发〔2021〕42号"])
    assert found[0].number == "晋民发〔2021〕42号"


def test_title_with_number_and_article():
    text = "省民政厅等14部门《关于进一步推进儿童福利机构优化提质和创新转型高质量发展的意见》（晋民发〔2021〕42号），进一步"
    (c,) = find_citations(text)
    assert c.title.startswith("关于进一步推进") and c.number == "晋民发〔2021〕42号"
    assert c.text.endswith("42号）") and c.article is None

    (c,) = find_citations("依照《儿童福利机构管理办法》第八条第（三）项办理")
    assert (c.title, c.article, c.item, c.clause) == ("儿童福利机构管理办法", 8, 3, "a8.3")
    (c,) = find_citations("《家庭寄养管理办法》第一百零五条")
    assert c.clause == "a105"


def test_phrases_and_order():
    text = "要按照《家庭寄养管理办法》进行，落实好残疾儿童康复救助制度。"
    found = find_citations(text, phrases=["残疾儿童康复救助制度"])
    assert [c.kind for c in found] == ["title", "phrase"]
    assert text[found[1].start:found[1].end] == "残疾儿童康复救助制度"


@pytest.mark.parametrize("n, cn", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九"),
                                   (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1001, "一千零一")])
def test_chinese_numerals_round_trip(n, cn):
    assert int_to_cn(n) == cn
    assert cn_to_int(cn) == n


@pytest.mark.parametrize("typed, n", [("十", 10), ("十一", 11), ("一十一", 11), ("二十", 20), ("一百零五", 105),
                                      ("一百一十", 110), ("一千零九十八", 1098), ("一千零一十", 1010), ("一千二百六十", 1260),
                                      ("两百", 200), ("两千零二", 2002), ("一〇九八", 1098), ("一千〇九十八", 1098),
                                      ("八", 8), ("1098", 1098), ("１０９８", 1098)])
def test_chinese_numerals_as_people_write_them(typed, n):
    assert cn_to_int(typed) == n


@pytest.mark.parametrize("typed", ["", "十十", "十百", "百", "千二", "二百五", "一千五", "一百零", "一千零零八", "零八",
                                   "一二百", "第八", "8条", "一百十"])
def test_what_is_no_number_is_refused(typed):
    with pytest.raises(ValueError):
        cn_to_int(typed)


def test_resolver_prefers_full_text_then_register():
    reg = [RegisterEntry("jy", "家庭寄养管理办法"), RegisterEntry("jin", "某意见", "晋民发〔2021〕42号")]
    r = Resolver([], reg)
    (c,) = r.find("按照《家庭寄养管理办法》第三条")
    t = r.resolve(c)
    assert (t.register_key, t.doc_id, t.clause) == ("jy", None, None)
    (c,) = r.find("见晋民发[2021]42号")
    assert r.resolve(c).register_key == "jin"
    r = Resolver([LibraryEntry("jiating-jiyang", "家庭寄养管理办法")], reg)
    (c,) = r.find("按照《家庭寄养管理办法》第三条")
    t = r.resolve(c)
    assert (t.register_key, t.doc_id, t.clause) == ("jy", "jiating-jiyang", "a3")
    assert not r.resolve(r.find("《没有的办法》")[0]).resolved
