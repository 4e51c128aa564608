"""content/search/colloquial.txt maps everyday words to the statutes' words: every word it gives is
written in the clauses it names (no invented law), every everyday word stays one word in a query."""
from __future__ import annotations

from pathlib import Path

from portal.content.library import load_document
from portal.search import jurisdiction, pinyin, query, tokenizer

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "content" / "policy"


def _texts() -> dict[tuple[str, str], str]:
    out = {}
    for path in POLICY.glob("*.md"):
        if "@" in path.stem:
            continue
        doc = load_document(path, path.name)
        for c in doc.parsed.clauses:
            out[(doc.parsed.meta["id"], c.id)] = c.text
    return out


def test_every_statute_word_is_written_in_a_clause_it_names():
    texts = _texts()
    entries = query.read_colloquial(tokenizer.search_dir() / query.COLLOQUIAL_NAME)
    assert len(entries) >= 20
    for line, word, targets, sources in entries:
        assert targets and sources, f"colloquial.txt:{line}: {word} needs statute words and where they are written"
        quoted = []
        for src in sources:
            doc, _, clause = src.partition(":")
            assert (doc, clause) in texts, f"colloquial.txt:{line}: no clause {src}"
            quoted.append(texts[(doc, clause)])
        for t in targets:
            assert any(t in q for q in quoted), f"colloquial.txt:{line}: {t} is not written in {' '.join(sources)}"


def test_everyday_words_stay_whole_in_a_query():
    for line, word, _, _ in query.read_colloquial(tokenizer.search_dir() / query.COLLOQUIAL_NAME):
        assert [w for w, _, _ in tokenizer.words(word)] == [word], f"colloquial.txt:{line}: {word} is cut; add it to userdict.txt"


def test_jurisdiction_of_documents():
    assert jurisdiction.of("上海市未成年人保护条例") == "上海"
    assert jurisdiction.of("德州市养老服务条例") == "德州"
    assert jurisdiction.of("关于加快推进我市儿童福利机构优化提质和创新转型高质量发展的实施方案",
                           "运城市民政局、运城市委编办") == "运城"
    assert jurisdiction.of("关于进一步推进儿童福利机构优化提质和创新转型高质量发展的意见", "晋民发〔2021〕42号") == "山西"
    assert jurisdiction.of("中华人民共和国未成年人保护法", "全国人民代表大会常务委员会") == "全国"
    assert jurisdiction.of("社会救助暂行办法", "国务院") == "全国"
    assert jurisdiction.of("城市居民最低生活保障条例") == "全国"
    assert jurisdiction.rank("上海") == 1 and jurisdiction.rank("山西") == 0 and jurisdiction.rank("运城") == 0
    assert jurisdiction.rank("上海", jurisdiction.places_named(["上海", "未成年人"])) == 0


def test_pinyin_keys():
    assert {"f:changqi", "f:zhangqi"} <= set(pinyin.keys("长期"))
    assert pinyin.keys("临时监护", initials=True) == ["i:lsjh"]
    assert pinyin.first_key("卖烟") == "f:maiyan"   # not maiyin: 卖烟 never reads as 卖淫
    assert pinyin.letters("Lü ZHI") == "luzhi"
