"""Search fixtures: small indexes in tmp dirs, built once per session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.content.policy_doc import read_document
from portal.search.build import build_index
from portal.search.records import Record, records_from_document

ROOT = Path(__file__).resolve().parents[2]
FANGAN = ROOT / "content" / "policy" / "yunmin-2021-74.md"
HERE = Path(__file__).parent

# Filled by test_relevance.py, printed at the end of the run (tests/conftest.py, also under pytest-xdist).
RELEVANCE: dict[str, tuple[int, int, list[str], str]] = {}  # hits, queries, misses, measure

# A tiny imported statute for citation / document-title tests.
STATUTE = [
    ("ch1", "第一章", "总则", "为了规范家庭寄养工作，促进寄养儿童身心健康成长，根据有关法律法规，制定本办法。"),
    ("a7", "第七条", "第二章 寄养条件", "寄养家庭应当同时具备下列条件：有本地户籍，有固定住所，家庭成员身体健康。"),
    ("a8", "第八条", "第二章 寄养条件", "寄养家庭主要照料人应当年满三十周岁且在六十五周岁以下，具有初中以上文化程度。"),
    ("a9", "第九条", "第二章 寄养条件", "每个寄养家庭寄养儿童的人数不得超过二人，且该家庭无未满六周岁的儿童。"),
]


def fangan_records() -> list[Record]:
    return records_from_document(read_document(FANGAN))


def shipped_records() -> list[Record]:
    """Every document content/policy ships, in its current version (older editions left out)."""
    from portal.content.library import load_document

    out: list[Record] = []
    for path in sorted(FANGAN.parent.glob("*.md")):
        if "@" not in path.stem:
            doc = load_document(path, path.name)
            assert not doc.problems, (path.name, doc.problems)
            out += records_from_document(doc.parsed)
    return out


def statute_records(title: str = "家庭寄养管理办法", doc_id: str = "jtjy-2014") -> list[Record]:
    return [Record(doc_id=doc_id, clause_id=cid, label=label, title=head, text=text,
                          doc_title=title, doc_number="民政部令第54号", url=f"/policy/{doc_id}#{cid}",
                          validity="现行有效")
            for cid, label, head, text in STATUTE]


@pytest.fixture(autouse=True)
def _shipped_dictionary():
    """Search tests segment with the shipped dictionary unless they say otherwise: a test elsewhere
    that searched with CONTENT_DIR pointing at a copy leaves the tokenizer on that copy's folder
    (which may be gone or differ), and the order files run in is not fixed (pytest-xdist)."""
    from portal.search import tokenizer

    tokenizer.use_content_dir(None)


@pytest.fixture(scope="session")
def fangan_index(tmp_path_factory) -> Path:
    """The 方案 alone — what the relevance sets are judged on."""
    d = tmp_path_factory.mktemp("search_fangan")
    build_index(d, fangan_records())
    return d


@pytest.fixture(scope="session")
def library_index(tmp_path_factory) -> Path:
    """The 方案 plus a small statute (citations with a document, filters by document)."""
    d = tmp_path_factory.mktemp("search_library")
    build_index(d, fangan_records() + statute_records())
    return d


# Per (database, index folder): the dictionary signature and the index's files when a sync left the
# index in step with that database in the state every test using it starts from.
_IN_STEP: dict[tuple[str, str], tuple] = {}


def _index_files(directory: Path) -> tuple:
    """Every file of the index folder with its identity, size and time (any write changes them)."""
    found = []
    for folder, _dirs, files in os.walk(directory):
        for name in files:
            st = os.stat(os.path.join(folder, name))
            found.append((os.path.relpath(os.path.join(folder, name), directory), st.st_ino, st.st_size,
                          st.st_mtime_ns))
    return tuple(sorted(found))


@pytest.fixture
def library(app, policy_library):
    """The policy library loaded and the index in step with it (what `flask portal sync` does).

    The sync reads every clause (~0.5 s); it is not repeated when it would find nothing to do: the
    test's database is still its state's untouched start (the state every test of that store starts
    from), and the index folder and the dictionary are as a sync on that same start left them. What
    the test then gets is what the sync's "ok" leaves: nothing written, the checks forgotten."""
    from portal.search import services, store
    from tests.conftest import database_untouched

    services.use_app_content()
    directory = services.index_dir()
    key = (app.config["SQLALCHEMY_DATABASE_URI"], str(Path(directory).resolve()))
    untouched = database_untouched()
    if untouched and _IN_STEP.get(key) == (store.signature(), _index_files(directory)):
        services._forget_checks(directory)  # what sync_index does after an "ok"
        return app
    _IN_STEP.pop(key, None)
    services.sync_index()
    if untouched and database_untouched():
        _IN_STEP[key] = (store.signature(), _index_files(directory))
    return app


@pytest.fixture
def user_client(library, client):
    from tests.conftest import AuthActions

    AuthActions(client).as_role("staff")
    return client
