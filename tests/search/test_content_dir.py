"""The search dictionary and synonyms are content: they follow PORTAL_CONTENT_DIR /
``CONTENT_DIR`` like every other content file (issue #13)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal.search import query, services, store, tokenizer

ROOT = Path(__file__).resolve().parents[2]
TERM = "孤幼之家"  # not a word of the shipped dictionary, no synonym there


@pytest.fixture
def copied_content(app, tmp_path):
    """A copy of content/ whose dictionary knows TERM and whose synonyms make it 孤儿."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    with (content / "search" / "userdict.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n{TERM} 100000 n\n")
    with (content / "search" / "synonyms.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n{TERM} 孤儿\n")
    yield content
    tokenizer.use_content_dir(None)  # the shipped dictionary again for the tests that follow


def test_the_search_reads_the_apps_content_folder(app, copied_content, tmp_path):
    from portal.policy.sync import sync_policy

    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "index")  # the conftest restores the config
    assert sync_policy(Path(app.config["CONTENT_DIR"])).ok
    services.rebuild_index()
    shipped_signature = store.signature()
    assert query.synonyms(TERM) == ()
    assert TERM not in [w for w, _, _ in tokenizer.words(f"建设{TERM}")]
    assert services.run_search(TERM).total == 0

    app.config["CONTENT_DIR"] = str(copied_content)
    services.rebuild_index()  # the copy's dictionary: a new signature, so a new index
    assert tokenizer.search_dir() == copied_content / "search"
    assert store.signature() != shipped_signature
    assert query.synonyms(TERM) == ("孤儿",)
    assert TERM in [w for w, _, _ in tokenizer.words(f"建设{TERM}")]
    res = services.run_search(TERM)
    assert res.total > 0
    assert all("孤儿" in hit.snippet for hit in res.results)


def test_without_an_app_the_folder_is_portal_content_dir(monkeypatch, tmp_path):
    tokenizer.use_content_dir(None)
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(tmp_path))
    assert tokenizer.search_dir() == tmp_path / "search"
    monkeypatch.delenv("PORTAL_CONTENT_DIR")
    assert tokenizer.search_dir() == ROOT / "content" / "search"


def test_a_change_of_folder_reloads_and_the_same_folder_does_not(tmp_path):
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "synonyms.txt").write_text(f"{TERM} 孤儿\n", encoding="utf-8")
    try:
        tokenizer.use_content_dir(ROOT / "content")
        shipped = tokenizer.segmenter()
        tokenizer.use_content_dir(ROOT / "content")
        assert tokenizer.segmenter() is shipped
        assert query.synonyms(TERM) == ()
        tokenizer.use_content_dir(tmp_path)
        assert query.synonyms(TERM) == ("孤儿",)
        assert tokenizer.segmenter() is not shipped
    finally:
        tokenizer.use_content_dir(None)
