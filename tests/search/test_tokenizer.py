"""The tokenizer: offsets into the text, compounds before their parts, search-mode index words,
one load per process."""
from __future__ import annotations

import pytest

from portal.search import tokenizer
from tests.search.conftest import fangan_records

TEXT = "适合家庭寄养的，要按照《家庭寄养管理办法》进行家庭寄养。指导开展儿童督导员、儿童主任业务培训"


def test_words_have_offsets_into_the_text():
    got = tokenizer.words(TEXT)
    for text, s, e in got:
        assert TEXT[s:e].lower() == text
    words = [w for w, _, _ in got]
    for w in ("家庭寄养", "儿童督导员", "儿童主任", "家庭寄养管理办法"):
        assert w in words, words


def test_compound_comes_before_its_parts_at_the_same_position():
    toks = list(tokenizer.tokens("儿童福利机构"))
    assert toks[0][:2] == ("儿童福利机构", 0) and toks[0][4] is False
    parts = [t for t in toks[1:]]
    assert {"儿童", "福利", "机构", "儿童福利"} <= {t[0] for t in parts}
    assert all(t[3] == 0 and t[4] for t in parts)


def test_index_text_holds_each_word_and_its_parts():
    words = tokenizer.index_text("指导开展儿童督导员业务培训").split()
    assert "儿童督导员" in words and "督导" in words and "儿童" in words
    assert tokenizer.index_text("ＤＮＡ采集").split()[0] == "DNA"  # folded to ASCII (the index lower-cases)


def test_fullwidth_is_normalised_without_moving_offsets():
    text = "ＤＮＡ采集２０２２年"
    got = tokenizer.words(text)
    assert ("dna", 0, 3) in got and any(w == "2022" for w, _, _ in got)


def test_segmenter_loaded_once_with_the_user_dictionary():
    assert tokenizer.segmenter() is tokenizer.segmenter()
    assert [w for w, _, _ in tokenizer.words("户随人走")] == ["户随人走"]


def test_rjieba_segments_exactly_like_jieba_with_the_user_dictionary():
    pytest.importorskip("rjieba")
    j, r = tokenizer.JiebaSegmenter(), tokenizer.RjiebaSegmenter()
    texts = [rec.text for rec in fangan_records()]
    for text in texts:
        text = tokenizer.normalise(text)
        assert [tuple(x) for x in r.tokenize(text)] == j.tokenize(text)
    for word in ("儿童督导员", "市福利院", "户随人走", "福利院", "督导"):
        assert r.has_word(word) == j.has_word(word)
    for text in texts[:20]:
        text = tokenizer.normalise(text)
        assert list(r.cut_for_search(text)) == j.cut_for_search(text)
