"""A sentence pasted from a law that is *nearly* as written — two words swapped, a character
dropped or added, other punctuation — still lands its article in the top three, on the library
the portal ships (long articles full of common words compete with it)."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from portal.content.library import load_document
from portal.search import engine, tokenizer
from portal.search.build import build_index
from portal.search.records import records_from_document

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261130

# (query as a user pasted it, document, article)
CASES = [
    # 未成年人保护法第九十二条, two words swapped / one character changed / other punctuation
    ("具有下列情形之一的，应当民政部门依法对未成年人进行临时监护", "weichengnianren-baohu-fa", "a92"),
    ("具有下列情形之一的，民政部门应当依法对未成年人实行临时监护", "weichengnianren-baohu-fa", "a92"),
    ("具有下列情形之一的 民政部门应当依法对未成年人进行临时监护。", "weichengnianren-baohu-fa", "a92"),
    ("具有下列情形之一的，民政部门应依法对未成年人进行临时监护", "weichengnianren-baohu-fa", "a92"),
    # 民法典第十七条, with its heading pasted along (第十七条 is in every law: the passage decides)
    ("第十七条　以上十八周岁的自然人为成年人", "minfadian", "a17"),
    ("第十七条　十八周岁以上的自人为成年人", "minfadian", "a17"),
]


@pytest.fixture(scope="module")
def shipped():
    records = []
    for path in sorted((ROOT / "content" / "policy").glob("*.md")):
        if "@" in path.stem:  # earlier versions are not searched
            continue
        doc = load_document(path, path.name)
        assert not doc.problems, doc.problems
        records += records_from_document(doc.parsed)
    return records


@pytest.fixture(scope="module")
def shipped_index(shipped, tmp_path_factory):
    d = tmp_path_factory.mktemp("search_shipped")
    build_index(d, shipped)
    return d


def top3(index_dir, q: str) -> list[tuple[str, str]]:
    return [(h.doc, h.clause_id.split(".")[0]) for h in engine.search(index_dir, q, limit=3).results]


@pytest.mark.parametrize("q, doc, article", CASES)
def test_near_verbatim_passage_finds_its_article(shipped_index, q, doc, article):
    assert (doc, article) in top3(shipped_index, q)


def _perturb(rnd: random.Random, s: str, kind: str) -> str | None:
    if kind == "swap":  # two neighbouring words change places
        ws = [w for w, _, _ in tokenizer.segmenter().tokenize(s)]
        pairs = [i for i in range(len(ws) - 1)
                 if len(ws[i]) >= 2 and len(ws[i + 1]) >= 2 and tokenizer.WORD_CHAR.match(ws[i])
                 and tokenizer.WORD_CHAR.match(ws[i + 1])]
        if not pairs:
            return None
        i = rnd.choice(pairs)
        ws[i], ws[i + 1] = ws[i + 1], ws[i]
        return "".join(ws)
    i = rnd.randrange(3, len(s) - 3)
    if kind == "drop":
        return s[:i] + s[i + 1:]
    if kind == "add":
        return s[:i] + "的" + s[i:]
    return s.replace("，", " ").replace("、", "，") + "。"  # other punctuation


def test_sampled_near_verbatim_passages_hit_at_3(shipped, shipped_index):
    """80 articles (fixed seed), a sentence of 16–40 characters from each, four kinds of change."""
    rnd = random.Random(SEED)
    articles = [r for r in shipped if r.doc_id != "yunmin-2021-74" and re.fullmatch(r"a\d+", r.clause_id)]
    asked, misses = 0, []
    for r in rnd.sample(articles, 80):
        pieces = [p for p in re.split(r"[。；\n]", r.text) if 16 <= len(p) <= 40]
        if not pieces:
            continue
        sentence = rnd.choice(pieces)
        for kind in ("swap", "drop", "add", "punct"):
            q = _perturb(rnd, sentence, kind)
            if q is None:
                continue
            asked += 1
            if (r.doc_id, r.clause_id) not in top3(shipped_index, q):
                misses.append(f"{kind}: {q} ({r.doc_id} {r.clause_id})")
    assert asked >= 150
    assert len(misses) <= asked // 50, "\n".join(misses)  # at least 98%

