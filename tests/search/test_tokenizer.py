"""The tokenizer: ordinal positions, offsets, compounds before their parts, one load per process."""
from __future__ import annotations

import pickle

import pytest

from portal.search import tokenizer
from tests.search.conftest import fangan_records

TEXT = "适合家庭寄养的，要按照《家庭寄养管理办法》进行家庭寄养。指导开展儿童督导员、儿童主任业务培训"


def test_positions_are_ordinal_and_offsets_point_into_the_text():
    ana = tokenizer.ChineseAnalyzer()
    toks = [(t.text, t.pos, t.startchar, t.endchar, t.subword)
            for t in ana(TEXT, positions=True, chars=True)]
    main = [t for t in toks if not t[4]]
    assert [t[1] for t in main] == list(range(len(main)))
    for text, _, s, e, _ in toks:
        assert TEXT[s:e].lower() == text
    words = [t[0] for t in main]
    for w in ("家庭寄养", "儿童督导员", "儿童主任", "家庭寄养管理办法"):
        assert w in words, words


def test_compound_comes_before_its_parts_at_the_same_position():
    toks = list(tokenizer.tokens("儿童福利机构"))
    assert toks[0][:2] == ("儿童福利机构", 0) and toks[0][4] is False
    parts = [t for t in toks[1:]]
    assert {"儿童", "福利", "机构", "儿童福利"} <= {t[0] for t in parts}
    assert all(t[3] == 0 and t[4] for t in parts)


def test_query_mode_gives_main_words_only():
    ana = tokenizer.ChineseAnalyzer()
    assert [t.text for t in ana("儿童福利机构", mode="query")] == ["儿童福利机构"]


def test_fullwidth_is_normalised_without_moving_offsets():
    text = "ＤＮＡ采集２０２２年"
    got = tokenizer.words(text)
    assert ("dna", 0, 3) in got and any(w == "2022" for w, _, _ in got)


def test_segmenter_loaded_once_and_analyzer_pickles():
    assert tokenizer.segmenter() is tokenizer.segmenter()
    ana = pickle.loads(pickle.dumps(tokenizer.ChineseAnalyzer()))
    assert [t.text for t in ana("户随人走")] == ["户随人走"]


def test_rjieba_segments_exactly_like_jieba_with_the_user_dictionary():
    pytest.importorskip("rjieba")
    j, r = tokenizer.JiebaSegmenter(), tokenizer.RjiebaSegmenter()
    texts = [rec.text for rec in fangan_records()]
    for text in texts:
        text = tokenizer.normalise(text)
        assert [tuple(x) for x in r.tokenize(text)] == j.tokenize(text)
    for word in ("儿童督导员", "市福利院", "户随人走", "福利院", "督导"):
        assert r.has_word(word) == j.has_word(word)
