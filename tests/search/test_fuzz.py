"""Bad input never raises: property test over arbitrary strings and paging values."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.search import engine

NASTY = ["", " ", "\t\n", "x" * 2000, "户口" * 1000, '"', '"家庭寄养', "（（（", "】】", "《未闭合",
         "AND OR NOT", "* ? ~ ^", "body:x", "title:户口^3", "clause_id:3.1.1", "户口~2", "迁*",
         "\x00\x07\x1b[31m", "😀👶🏻", "'; DROP TABLE clauses; --", "1 OR 1=1", "<script>alert(1)</script>",
         "\ud800", "第〇条", "第一百零八条", "十（十）99", "运民发〔2021〕", "〔2021〕74号", "号号号"]
queries = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                    st.text(alphabet="户口迁移家庭寄养的了吗\"“”《》〔〕[]()（）AND OR*?~^: 一二三第条", max_size=60))
numbers = st.one_of(st.none(), st.integers(min_value=-10 ** 12, max_value=10 ** 12), st.sampled_from(["", "x", "1e9"]))


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, limit=numbers, page=numbers, dept=st.one_of(st.none(), st.text(max_size=10)))
def test_search_never_raises(library_index, q, limit, page, dept):
    res = engine.search(library_index, q, dept=dept, limit=limit, page=page)
    assert res.error is None, res
    assert isinstance(res.total, int) and res.total >= 0
    assert len(res.results) <= engine.MAX_LIMIT
    for r in res.results:
        assert "<script" not in r.snippet
        assert r.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
