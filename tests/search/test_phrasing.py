"""Query understanding's pure parts (issue 22): question frames, the everyday-phrasing vocabulary,
look-alike characters and fuzzy pinyin — and the content files they read stay honest."""
from __future__ import annotations

from pathlib import Path

from portal.content.library import load_document
from portal.search import phrasing, spelling, tokenizer

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = [phrasing.Entry(1, ("上小学", "上学"), ("入学", "义务教育"), ()),
           phrasing.Entry(2, ("孩子",), ("未成年人",), ()),
           phrasing.Entry(3, ("几岁",), ("周岁",), ())]


def test_a_question_frame_is_not_searched():
    assert "不能" not in phrasing.plain_question("学校周边能不能开网吧")
    assert phrasing.plain_question("义务教育收不收学费") == "义务教育收学费"
    assert phrasing.plain_question("可不可以").strip() == "可以"
    assert phrasing.plain_question("网吧") == "网吧"            # 吧 of a word is no particle
    assert phrasing.plain_question("能领低保吗？").strip(" ？") == "能领低保"
    assert phrasing.plain_question("收养要去哪里登记").split() == ["收养要去", "登记"]


def test_asking_whether_it_is_against_the_law_or_how_to_handle_it_is_a_frame():
    """违法吗 / 怎么处理 ask; the statutes answer with 不得 or with what is to be done, rarely with 违法 or 处理
    (session 13: 工厂招童工违法吗 searched 违法 and reached the penalty articles, not the ban)."""
    assert phrasing.plain_question("工厂招童工违法吗").split() == ["工厂招童工"]
    assert phrasing.plain_question("亲戚争着当监护人怎么处理").split() == ["亲戚争着当监护人"]
    assert phrasing.plain_question("学校违法收费").split() == ["学校违法收费"]   # 违法 that says what is asked stays


def test_what_a_definition_question_asks():
    assert phrasing.asked("严重不良行为有哪些") == ["严重不良行为"]
    assert phrasing.asked("什么是不良行为") == ["不良行为"]


def test_phrases_found_longest_first_never_overlapping():
    found = phrasing.matches("孩子几岁上小学", ENTRIES)
    assert [(s, e) for s, e, _ in found] == [(0, 2), (2, 4), (4, 7)]   # 上小学, not 上学 inside it
    assert found[2][2] == ("入学", "义务教育")


def test_a_phrase_lends_its_statute_words_to_the_word_inside_it():
    text = "孩子几岁上小学"
    words, extra = phrasing.attach(text, ["孩子", "几岁", "上", "小学"], phrasing.matches(text, ENTRIES))
    assert words == ["孩子", "几岁", "小学"]                    # 上 is part of 上小学, not a word
    assert extra == {"孩子": ("未成年人",), "几岁": ("周岁",), "小学": ("入学", "义务教育")}


def test_a_phrase_of_single_characters_is_a_word_of_its_own():
    entries = [phrasing.Entry(1, ("能不能",), ("不得", "禁止"), ())]
    words, extra = phrasing.attach("能不能去", ["去"], phrasing.matches("能不能去", entries))
    assert words == ["去", "能不能"] and extra == {"能不能": ("不得", "禁止")}


def test_lone_characters_leave_a_question_with_two_words():
    assert phrasing.without_single(["孩子", "玩", "网络游戏"]) == ["孩子", "网络游戏"]
    assert phrasing.without_single(["童", "工"]) == ["童", "工"]
    assert phrasing.without_single(["迁", "户口"]) == ["迁", "户口"]


def test_every_statute_word_of_the_phrasing_file_is_written_where_it_says():
    texts = {}
    for path in (ROOT / "content" / "policy").glob("*.md"):
        if "@" not in path.stem:
            doc = load_document(path, path.name)
            texts.update({(doc.parsed.meta["id"], c.id): c.text for c in doc.parsed.clauses})
    entries = phrasing.read(tokenizer.search_dir() / phrasing.PHRASING_NAME)
    assert len(entries) >= 20
    for e in entries:
        assert e.typed and e.words and e.sources, f"phrasing.txt:{e.line}: typed forms, statute words and sources"
        quoted = [texts[tuple(s.split(":", 1))] for s in e.sources if tuple(s.split(":", 1)) in texts]
        assert len(quoted) == len(e.sources), f"phrasing.txt:{e.line}: a source is no clause of the library"
        for w in e.words:
            assert any(w in q for q in quoted), f"phrasing.txt:{e.line}: {w} is not written in {e.sources}"


def test_lookalike_characters(tmp_path):
    f = tmp_path / "lookalike.txt"
    f.write_text("# comment\n未末\n己已巳\n", encoding="utf-8")
    table = spelling.read_lookalikes(f)
    assert table["末"] == "未" and table["已"] == "己巳"
    assert spelling.lookalike_variants("末成年人", table) == ["未成年人"]
    assert spelling.lookalike_variants("保护", table) == []
    shipped = spelling.read_lookalikes(tokenizer.search_dir() / spelling.LOOKALIKE_NAME)
    assert "未" in shipped["末"] and "令" in shipped["今"]


def test_fuzzy_pinyin_spellings():
    spelled = {" ".join(ts) for _, ts in spelling.fuzzy_spellings(["sou", "yang"])}
    assert "shou yang" in spelled and "sou yan" in spelled
    first = spelling.fuzzy_spellings(["xueshen", "qilin"])
    assert first[0][0] == 1 and ["xuesheng", "qiling"] in [ts for _, ts in first]
    assert all(n <= spelling.MAX_FUZZY for n, _ in spelling.fuzzy_spellings(["zi", "ci", "si", "lan"]))
    assert not any("zhhi" in t for _, ts in spelling.fuzzy_spellings(["zhi"]) for t in ts)


def test_a_phrase_inside_a_longer_word_lends_it_the_statutes_words_in_its_place():
    text = "留守儿童有哪些关爱服务"
    entries = [phrasing.Entry(1, ("儿童",), ("未成年人",), ())]
    words, extra = phrasing.attach(text, ["留守儿童", "关爱服务"], phrasing.matches(text, entries))
    assert words == ["留守儿童", "关爱服务"] and extra == {"留守儿童": ("留守未成年人",)}
