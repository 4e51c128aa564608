"""The lookups' memo (portal/search/memo.py) and the id helpers the ranker reads a common word with."""
from portal.search import memo as memo_mod
from portal.search.memo import Memo
from portal.search.rows import id_bits, id_runs


def test_memo_keeps_costly_answers_only_and_hands_out_copies(monkeypatch):
    m = Memo(kept=2)
    monkeypatch.setattr(memo_mod, "COSTLY", 0.0)
    assert m.kept(("a",), lambda: {3, 1, 2}) == {1, 2, 3}
    got = m.kept(("a",), lambda: {99})   # answered from the memo, not asked again
    assert got == {1, 2, 3}
    got.add(7)                            # a caller's change does not reach the kept answer
    assert m.get(("a",)) == {1, 2, 3}
    m.put(("b",), 0)
    m.put(("c",), "")
    assert m.get(("a",)) is None and m.get(("b",)) == 0 and m.get(("c",)) == ""   # the oldest went first
    monkeypatch.setattr(memo_mod, "COSTLY", 60.0)
    m.clear()
    assert m.kept(("d",), lambda: 5) == 5 and len(m) == 0   # cheap: not kept


def test_id_bits_and_runs():
    bits = id_bits([0, 9, 17])
    assert [i for i in range(24) if (i >> 3) < len(bits) and bits[i >> 3] >> (i & 7) & 1] == [0, 9, 17]
    assert id_bits([]) == b""
    assert id_runs({1, 2, 5000, 5001, 9000}, gap=100) == [(1, 2), (5000, 5001), (9000, 9000)]
    assert id_runs(set(range(0, 100, 10)), gap=5, most=3) == [(0, 90)]
