"""The search blueprint: page, htmx partial, JSON API, bad input, and the index lifecycle."""
from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument
from portal.search import build, engine, services, store
from tests.conftest import AuthActions, make_user

FANGAN = "yunmin-2021-74"
API_KEYS = {"query", "total", "took_ms", "results"}
RESULT_KEYS = {"doc", "doc_title", "clause_id", "label", "url", "snippet", "copies"}


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def hits(html: str) -> list[str]:
    return re.findall(r'data-testid="search-hit" data-clause="([^"]+)"', html)


# ---------------------------------------------------------------- page


def test_page_shows_ranked_highlighted_results_with_count_and_time(user_client):
    response = user_client.get("/search", query_string={"q": "户口迁移"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and 'id="search-results"' in html
    assert hits(html)[0] in ("3.1.1", "3.1.1.1")
    assert 'href="/policy/yunmin-2021-74/3.1.1#3.1.1.1"' in html
    assert re.search(r"<mark>[^<]*(户口|户籍)[^<]*</mark>", html) and "<mark>迁移</mark>" in html
    assert re.search(r'找到 <strong data-testid="search-total">\d+</strong> 条', html) and "毫秒" in html
    assert "关于加快推进我市儿童福利机构" in html  # grouped under its document
    # the header box keeps the query on the search page
    assert re.search(r'data-testid="header-search"', html)


def test_page_without_query_explains_and_header_box_is_for_users_only(user_client, client):
    html = user_client.get("/search").get_data(as_text=True)
    assert 'data-testid="search-help"' in html and not hits(html)
    home = user_client.get("/").get_data(as_text=True)
    assert 'class="header-search"' in home and 'action="/search"' in home and 'name="q"' in home
    user_client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)})
    login_page = client.get("/login").get_data(as_text=True)
    assert 'class="header-search"' not in login_page


def test_htmx_gets_the_partial_only_for_the_results_target(user_client):
    q = {"q": "户口迁移"}
    partial = user_client.get("/search", query_string=q, headers={"HX-Request": "true", "HX-Target": "search-results"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body and "<mark>" in body
    assert "HX-Request" in partial.headers["Vary"] and "HX-Target" in partial.headers["Vary"]
    # the header box swaps <main>: a full page; so do boosted navigation and history restore
    for headers in ({"HX-Request": "true", "HX-Target": "main"},
                    {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "search-results"},
                    {"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "search-results"},
                    {}):
        full = user_client.get("/search", query_string=q, headers=headers).get_data(as_text=True)
        assert "<html" in full and 'id="main"' in full, headers


def test_filters_by_document_department_and_validity(user_client):
    all_ids = hits(user_client.get("/search?q=户口").get_data(as_text=True))
    assert all_ids
    police = api(user_client, q="户口", dept="公安", limit=50)
    assert 1 <= police["total"] < api(user_client, q="户口", limit=50)["total"] or police["total"] >= 1
    direct = engine.search(services.index_dir(), "户口", dept="公安", limit=50)
    assert [r.clause_id for r in direct.results] == [r["clause_id"] for r in police["results"]]
    assert all("公安" in r.departments for r in direct.results)
    only = api(user_client, q="户口", doc=FANGAN, limit=100)
    assert 1 <= only["total"] <= api(user_client, q="户口")["total"]
    assert {r["doc"] for r in only["results"]} == {FANGAN}
    assert api(user_client, q="户口", doc="no-such-doc")["total"] == 0
    html = user_client.get("/search?q=户口&validity=已废止").get_data(as_text=True)
    assert not hits(html) and 'data-testid="search-suggestion"' in html  # suggests dropping the filter
    html = user_client.get("/search?q=户口&validity=现行有效&dept=公安").get_data(as_text=True)
    assert hits(html) and "已筛选" in html and "清除筛选" in html


def test_pagination(user_client):
    first = user_client.get("/search?q=儿童").get_data(as_text=True)
    second = user_client.get("/search?q=儿童&page=2").get_data(as_text=True)
    assert 'data-testid="search-pages"' in first and "下一页" in first
    links = [re.findall(r'class="search-hit-title" href="([^"]+)"', html) for html in (first, second)]
    assert len(links[0]) == 10 and links[1] and not set(links[0]) & set(links[1])  # clause ids repeat across laws
    assert "上一页" in second and "第 2 /" in second
    assert user_client.get("/search?q=儿童&page=999999").status_code == 200


def test_no_hits_suggests_something(user_client):
    html = user_client.get("/search", query_string={"q": '"家庭寄样"'}).get_data(as_text=True)
    assert not hits(html) and 'data-testid="search-suggestion"' in html and "家庭寄养" in html
    data = api(user_client, q='"家庭寄样"')
    assert data["total"] == 0 and data["suggestion"] == "家庭寄养"


# ---------------------------------------------------------------- API


def test_api_shape_and_rank_order(user_client):
    data = api(user_client, q="户口迁移", limit=5)
    assert API_KEYS <= set(data) and data["query"] == "户口迁移"
    assert isinstance(data["total"], int) and isinstance(data["took_ms"], float)
    assert 1 <= len(data["results"]) <= 5
    for r in data["results"]:
        assert set(r) == RESULT_KEYS
        assert r["url"].startswith(f"/policy/{r['doc']}/")
    assert data["results"][0]["clause_id"] in ("3.1.1", "3.1.1.1")
    # the same order as the engine (rank order)
    direct = engine.search(services.index_dir(), "户口迁移", limit=5)
    assert [r["clause_id"] for r in data["results"]] == [r.clause_id for r in direct.results]
    cited = api(user_client, q="三（二）8")
    assert cited["results"][0]["clause_id"] == "3.2.8"


def test_api_links_open_the_clause(user_client):
    for r in api(user_client, q="户口迁移", limit=5)["results"]:
        path = r["url"].split("#")[0]
        assert user_client.get(path).status_code == 200, r["url"]


@pytest.mark.parametrize("limit, expect_len, notice", [
    ("-1", 10, True), (str(10 ** 9), 100, True), ("abc", 10, True), ("0", 10, True), ("3", 3, False), ("", 10, False),
])
def test_api_limit(user_client, limit, expect_len, notice):
    data = api(user_client, q="儿童", limit=limit)
    assert len(data["results"]) == min(expect_len, data["total"])
    assert ("notice" in data) == notice


def test_anonymous_gets_401_json_and_a_login_redirect(client, library):
    response = client.get("/api/search?q=户口")
    assert response.status_code == 401 and response.get_json() == {"error": "请先登录"}
    response = client.get("/search?q=户口")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


BAD = ["", " ", "\t \n", "户口" * 1000, "x" * 2000, '"家庭寄养', "户口“迁移", "（（（户口", "]]】】", "《未闭合",
       "AND", "OR NOT AND", "户口 AND 迁移", "NOT 户口", "*", "迁*", "户?", "户口~2", "户口^3", "body:x",
       "title:户口", "clause_id:3.1.1", "\x01\x07\x1b[31m", "户口\x7f\x9f迁移", "\u202e户口", "😀👶🏻", "户口😀迁移",
       "'; DROP TABLE policy_clause; --", "1 OR 1=1", "%' OR '1'='1", "<script>alert(1)</script>", "{{ 7*7 }}",
       "三（一）99", "第一百零八条", "〔2021〕74号", "\\", "%", "&q=1"]


def test_nul_bytes_are_refused_with_a_message(user_client):
    """The app-wide input guard (portal/web/inputs.py) refuses NUL bytes: a 400 with a message."""
    page = user_client.get("/search", query_string={"q": "户口\x00迁移"})
    assert page.status_code == 400 and "无法处理的字符" in page.get_data(as_text=True)
    response = user_client.get("/api/search", query_string={"q": "\x00"})
    assert response.status_code == 400 and response.get_json()["error"]


@pytest.mark.parametrize("q", BAD)
def test_bad_input_never_fails(user_client, q):
    page = user_client.get("/search", query_string={"q": q, "page": "x", "dept": q[:20], "doc": q[:20]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Traceback" not in html and "<script>alert" not in html
    partial = user_client.get("/search", query_string={"q": q}, headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert partial.status_code == 200
    data = api(user_client, q=q, limit="-1", dept=q[:20])
    assert API_KEYS <= set(data) and "error" not in data
    assert "\n" not in data["query"] and len(data["query"]) <= 200
    if q.strip() and len(q) > 200:
        assert "过长" in data["notice"]


# ---------------------------------------------------------------- property tests


def _logged_in_client(app):
    client = app.test_client()
    AuthActions(client).login("fuzz")
    return client


queries = st.one_of(st.text(max_size=300), st.sampled_from(BAD),
                    st.text(alphabet="户口迁移家庭寄养的了吗\"“”《》〔〕[]()（）AND OR*?~^: 一二三第条号", max_size=60))
params = st.one_of(st.none(), st.text(max_size=12), st.integers(-10 ** 12, 10 ** 12).map(str))


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, limit=params, page=params, dept=params)
def test_fuzz_page_and_api(library, q, limit, page, dept):
    if not hasattr(library, "_fuzz_client"):
        make_user("fuzz", "staff")
        library._fuzz_client = _logged_in_client(library)
    client = library._fuzz_client
    args = {k: v for k, v in {"q": q, "limit": limit, "page": page, "dept": dept}.items() if v is not None}
    # NUL bytes are refused app-wide (portal/web/inputs.py) with a 400 and a message; all else: 200
    expected = 400 if any("\x00" in v for v in args.values()) else 200
    for headers in ({}, {"HX-Request": "true", "HX-Target": "search-results"}):
        response = client.get("/search", query_string=args, headers=headers)
        assert response.status_code == expected, (args, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)
    response = client.get("/api/search", query_string=args)
    assert response.status_code == expected, (args, response.status_code)
    data = response.get_json()
    if expected == 400:
        assert data["error"]
        return
    assert API_KEYS <= set(data) and "error" not in data, data
    assert len(data["results"]) <= engine.MAX_LIMIT
    for r in data["results"]:
        assert r["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0


# ---------------------------------------------------------------- index lifecycle


def test_missing_index_is_built_in_the_background_while_search_answers(user_client, app, tmp_path, monkeypatch):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "fresh")
    release = threading.Event()
    real = build.ensure_index

    def slow(*a, **kw):
        release.wait(10)
        return real(*a, **kw)

    monkeypatch.setattr(build, "ensure_index", slow)
    data = api(user_client, q="户口迁移")
    assert data["total"] == 0 and data["notice"] == services.BUILDING_NOTICE and "error" not in data
    html = user_client.get("/search?q=户口迁移").get_data(as_text=True)
    assert "索引正在建立" in html and 'data-testid="search-error"' not in html
    assert 'data-testid="search-empty"' not in html
    release.set()
    services._state(Path(app.config["SEARCH_INDEX_DIR"])).thread.join(10)
    data = api(user_client, q="户口迁移")
    assert data["results"][0]["clause_id"] in ("3.1.1", "3.1.1.1") and "notice" not in data


def test_stale_index_updates_the_changed_document_only(user_client, app, caplog):
    doc = db.session.scalar(sa.select(PolicyDocument).where(PolicyDocument.doc_id == FANGAN))
    clause = db.session.scalar(sa.select(PolicyClause).where(PolicyClause.document_id == doc.id,
                                                             PolicyClause.clause_id == "3.1.2"))
    old_text = clause.text
    clause.text = old_text + "\n新增内容：独角兽试点。"
    doc.version += 1  # what a sync does when a file changes
    db.session.commit()
    try:
        with caplog.at_level("WARNING", logger="portal.search"):
            api(user_client, q="独角兽")  # notices the change, updates in the background
            services._state(services.index_dir()).thread.join(10)
        data = api(user_client, q="独角兽")
        assert [r["clause_id"] for r in data["results"]] == ["3.1.2"]
        assert any("reindexed 1 document(s): yunmin-2021-74" in r.getMessage() for r in caplog.records)
    finally:
        clause.text = old_text
        doc.version += 1
        db.session.commit()
        services.sync_index()


def test_corrupt_index_is_rebuilt(user_client, app, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()
    current = Path(app.config["SEARCH_INDEX_DIR"]) / (Path(app.config["SEARCH_INDEX_DIR"]) / "CURRENT").read_text()
    (current / store.META_FILE).write_text("{not json")
    services._state(Path(app.config["SEARCH_INDEX_DIR"])).fingerprint = None  # as in a newly started worker
    api(user_client, q="户口迁移")
    thread = services._state(Path(app.config["SEARCH_INDEX_DIR"])).thread
    assert thread is not None
    thread.join(10)
    assert api(user_client, q="户口迁移")["results"][0]["clause_id"] in ("3.1.1", "3.1.1.1")


def test_a_worker_that_cannot_get_the_lock_only_reads(user_client, app, tmp_path, caplog):
    directory = tmp_path / "locked"
    app.config["SEARCH_INDEX_DIR"] = str(directory)
    with store.write_lock(directory, timeout=0):  # another process is writing
        with caplog.at_level("INFO", logger="portal.search"):
            data = api(user_client, q="户口迁移")
            services._state(directory).thread.join(10)
        assert "error" not in data
        assert any("being written by another process" in r.getMessage() for r in caplog.records)
    # once the writer is done, the next check (after a short pause) builds it
    services._state(directory).retry_at = 0.0
    api(user_client, q="户口迁移")
    services._state(directory).thread.join(10)
    assert api(user_client, q="户口迁移")["total"] > 0


def test_cli_sync_and_reindex(library, runner):
    result = runner.invoke(args=["portal", "sync"])
    assert "search index: ok" in result.output, result.output
    result = runner.invoke(args=["portal", "reindex"])
    assert result.exit_code == 0 and "search index rebuilt:" in result.output, result.output
    meta = json.loads((Path(store.current_dir(services.index_dir())) / store.META_FILE).read_text())
    assert FANGAN in meta["docs"]


# ---------------------------------------------------------------- faults: the index corrupted or deleted under a running app


def _wait_for_rebuild(app) -> None:
    thread = services._state(Path(app.config["SEARCH_INDEX_DIR"])).thread
    assert thread is not None, "no rebuild started"
    thread.join(20)
    assert not thread.is_alive()


def test_index_files_overwritten_under_a_running_worker_are_rebuilt(user_client, app, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()
    assert api(user_client, q="户口迁移")["total"] > 0
    current = store.current_dir(Path(app.config["SEARCH_INDEX_DIR"]))
    for name in (store.MAIN_FILE, store.CHARS_FILE):  # overwritten in place: same files, garbage inside
        with open(current / name, "r+b") as f:
            f.write(b"\x00garbage" * 4096)
    data = api(user_client, q="户口迁移")
    assert data["total"] == 0 and data["notice"] == services.BUILDING_NOTICE and "error" not in data
    html = user_client.get("/search?q=户口迁移").get_data(as_text=True)
    assert "索引正在建立" in html and 'data-testid="search-error"' not in html
    _wait_for_rebuild(app)
    data = api(user_client, q="户口迁移")  # the same process serves again, without a restart
    assert data["results"][0]["clause_id"] in ("3.1.1", "3.1.1.1") and "notice" not in data


def test_index_folder_deleted_under_a_running_worker_is_recreated(user_client, app, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()
    assert api(user_client, q="户口迁移")["total"] > 0
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    engine.engine_for(services.index_dir()).invalidate()  # as REFRESH_EVERY seconds later
    data = api(user_client, q="户口迁移")
    assert data["total"] == 0 and data["notice"] == services.BUILDING_NOTICE
    _wait_for_rebuild(app)
    assert Path(app.config["SEARCH_INDEX_DIR"], "CURRENT").exists()
    assert api(user_client, q="户口迁移")["results"][0]["clause_id"] in ("3.1.1", "3.1.1.1")


def test_an_unreadable_index_is_rebuilt_once_while_many_search(user_client, app, tmp_path, monkeypatch):
    """Several searches during the rebuild get the notice; one build runs."""
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "ix")
    services.sync_index()
    builds = []
    real = build.build_index

    def counting(*a, **kw):
        builds.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(build, "build_index", counting)
    current = store.current_dir(Path(app.config["SEARCH_INDEX_DIR"]))
    (current / store.MAIN_FILE).write_bytes(b"garbage" * 1000)
    engine.engine_for(services.index_dir()).invalidate()
    for _ in range(3):
        assert api(user_client, q="户口迁移")["total"] == 0
    _wait_for_rebuild(app)
    assert api(user_client, q="户口迁移")["total"] > 0
    assert len(builds) == 1


# ---------------------------------------------------------------- long queries


def test_a_long_query_gets_a_clear_answer_by_get_and_by_post(user_client):
    pasted = "为了规范家庭寄养工作，促进寄养儿童身心健康成长" * 120  # thousands of characters
    page = user_client.get("/search", query_string={"q": pasted})
    assert page.status_code == 200 and "查询词过长" in page.get_data(as_text=True)
    home = user_client.get("/search").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    posted = user_client.post("/search", data={"q": pasted, "csrf_token": token})
    html = posted.get_data(as_text=True)
    assert posted.status_code == 200 and "查询词过长" in html and hits(html)
    data = user_client.post("/api/search", data={"q": pasted, "limit": "3"}, headers={"X-CSRFToken": token}).get_json()
    assert "过长" in data["notice"] and len(data["results"]) <= 3
    # without the CSRF token a POST is refused
    assert user_client.post("/search", data={"q": pasted}).status_code == 400
    # the boxes show the limit instead of cutting a paste (no maxlength); a longer text is posted
    # (static/js/controls.js, tests/browser/test_text_limits.py)
    assert "maxlength" not in home and 'data-limit="200" data-long-post' in home
    assert re.search(r'id="search-q"[^>]*data-limit="200"', home) and 'id="search-q-count"' in home


def test_words_found_nowhere_are_named(user_client):
    data = api(user_client, q="户口迁移 独角兽")
    assert data["not_found"] == ["独角兽"] and "未找到‘独角兽’" in data["notice"] and data["total"] > 0
    html = user_client.get("/search", query_string={"q": "户口迁移 独角兽"}).get_data(as_text=True)
    assert 'data-testid="search-not-found"' in html and "未找到‘独角兽’" in html
