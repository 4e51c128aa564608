"""The index against a linear scan of the same texts: every clause that holds a pasted fragment
is found, the one that holds it first; word queries find the clauses that hold every word first.

The corpus is real statute text from content/policy (small: a few hundred articles), so the test
stays fast and meets the same cuts and function words the benchmark does.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from portal.content.library import load_document
from portal.search import engine, tokenizer
from portal.search.build import build_index
from portal.search.query import STOPWORDS
from portal.search.records import Record, records_from_document
from tests.search.conftest import FANGAN, fangan_records

POLICY = FANGAN.parent
SEED = 7


def _statute_records(limit: int = 600) -> list[Record]:
    out: list[Record] = []
    for path in sorted(POLICY.glob("*.md")):
        if path == FANGAN or "@" in path.stem:
            continue
        doc = load_document(path, path.name)
        if not doc.problems:
            out += records_from_document(doc.parsed)
        if len(out) >= limit:
            break
    return out[:limit]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Record]]:
    recs = fangan_records() + _statute_records()
    d = tmp_path_factory.mktemp("search_differential")
    build_index(d, recs)
    return d, recs


def _hay(r: Record) -> str:
    """The clause as a reader sees it: a section with paragraphs holds their text too."""
    return " ".join(tokenizer.normalise(f"{r.title or ''}\n{r.context or r.text}").lower().split())


def _fragments(recs, n: int, rnd: random.Random):
    hays = [_hay(r) for r in recs]
    out = []
    for i in rnd.sample(range(len(recs)), len(recs)):
        text = recs[i].text
        if len(text) < 20:
            continue
        size = rnd.randint(8, 14)
        start = rnd.randrange(0, len(text) - size)
        frag = text[start:start + size].strip()
        if len(frag) < 8:
            continue
        needle = " ".join(tokenizer.normalise(frag).lower().split())
        holders = {(recs[j].doc_id, recs[j].clause_id) for j, h in enumerate(hays) if needle in h}
        assert holders
        out.append((frag, holders))
        if len(out) >= n:
            break
    return out


def test_every_clause_holding_a_fragment_is_found_and_ranked_first(corpus):
    directory, recs = corpus
    assert len(recs) > 300
    for frag, holders in _fragments(recs, 60, random.Random(SEED)):
        res = engine.search(directory, frag, limit=100)
        got = [(h.doc, h.clause_id) for h in res.results]
        assert set(got[:len(holders)]) == holders, (frag, got[:5], holders)
        # the fragment is marked in the first result's snippet
        assert "<mark>" in res.results[0].snippet


def test_clauses_holding_every_word_rank_above_the_others(corpus):
    directory, recs = corpus
    rnd = random.Random(SEED + 1)
    checked = 0
    for r in rnd.sample(recs, 80):
        words = [w for w, _, _ in tokenizer.words(r.text) if len(w) >= 2 and not w.isdigit() and w not in STOPWORDS]
        if len(words) < 4:
            continue
        query = " ".join(rnd.sample(sorted(set(words)), 2))
        res = engine.search(directory, query, limit=100)
        terms = query.split()
        has_all = [all(t in _hay(next(x for x in recs if (x.doc_id, x.clause_id) == (h.doc, h.clause_id)))
                       for t in terms) for h in res.results]
        # once a result misses a word, no later result holds them all
        assert has_all == sorted(has_all, reverse=True), query
        assert (r.doc_id, r.clause_id) in {(h.doc, h.clause_id) for h in res.results}, query
        checked += 1
    assert checked >= 30
