"""hit@3 on the public relevance set (must be 100%) and on our extended set, judged on the 方案;
hit@1 on the library set (article numbers and 文号, judged on the whole shipped library).

A query hits when one of its expected clause ids — or a finer anchor under one (3.1.1.2 under
3.1.1) — is among the top three results (the library set: ``doc:clause`` or ``doc:*``, first).
The figures are printed in the terminal summary.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.search import engine
from portal.search.build import build_index
from tests.search.conftest import HERE, RELEVANCE, shipped_records


def load(path: Path) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        query, expected = line.split("\t")
        rows.append((query, [e.strip() for e in expected.split(",") if e.strip()]))
    return rows


def is_hit(clause_id: str, expected: list[str]) -> bool:
    return any(clause_id == e or clause_id.startswith(e + ".") for e in expected)


def hit_at_3(index_dir, rows):
    hits, misses = 0, []
    for query, expected in rows:
        got = [r.clause_id for r in engine.search(index_dir, query, limit=3).results]
        if any(is_hit(c, expected) for c in got[:3]):
            hits += 1
        else:
            misses.append(f"{query!r}: expected {expected}, got {got}")
    return hits, misses


@pytest.mark.parametrize("name, threshold", [("queries_public.tsv", 1.0), ("queries_extended.tsv", 1.0)])
def test_hit_at_3(fangan_index, name, threshold):
    rows = load(HERE / name)
    assert len(rows) >= 10
    hits, misses = hit_at_3(fangan_index, rows)
    RELEVANCE[name] = (hits, len(rows), misses, "hit@3")
    print(f"\n{name}: hit@3 = {hits}/{len(rows)} = {100 * hits / len(rows):.1f}%")
    assert hits / len(rows) >= threshold, "\n".join(misses)


def test_is_hit_accepts_finer_anchor():
    assert is_hit("3.1.1.2", ["3.1.1"]) and is_hit("4.2", ["4.2"])
    assert not is_hit("3.1.10", ["3.1.1"]) and not is_hit("3.1", ["3.1.1"])


@pytest.fixture(scope="module")
def shipped_index(tmp_path_factory) -> Path:
    """Every document content/policy ships, in its current version."""
    d = tmp_path_factory.mktemp("search_shipped")
    build_index(d, shipped_records())
    return d


def test_library_set_hit_at_1(shipped_index):
    rows = load(HERE / "queries_library.tsv")
    assert len(rows) >= 20
    hits, misses = 0, []
    for query, expected in rows:
        got = [(r.doc, r.clause_id) for r in engine.search(shipped_index, query, limit=1).results]
        first = got[0] if got else ("", "")
        if any(e.split(":")[0] == first[0] and (e.endswith(":*") or is_hit(first[1], [e.split(":", 1)[1]]))
               for e in expected):
            hits += 1
        else:
            misses.append(f"{query!r}: expected {expected}, got {got}")
    RELEVANCE["queries_library.tsv"] = (hits, len(rows), misses, "hit@1")
    print(f"\nqueries_library.tsv: hit@1 = {hits}/{len(rows)} = {100 * hits / len(rows):.1f}%")
    assert hits == len(rows), "\n".join(misses)
