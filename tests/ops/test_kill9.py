"""kill -9 in the middle of `flask portal sync` and `flask portal reindex` (issue #12, faults).

The real command runs as a subprocess on the test database; a pause point (`portal/faults.py`)
stops it at a known place — the policy sync with every document written but nothing committed,
the reindex with the new index written but not yet switched in — and the test kills it with
SIGKILL there. The portal must still serve the last good content and search, and running the
command again must complete.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import PolicyClause
from portal.search import store
from portal.search.services import rebuild_index
from tests.factories import gen_session, gen_staff

pytestmark = pytest.mark.fresh_db  # another process reads and writes the database

ROOT = Path(__file__).resolve().parents[2]
DOC_FILE = "canjiren-jiaoyu-tiaoli.md"
DOC_TITLE = "残疾人教育条例"
OLD_WORDS = "保障残疾人受教育的权利"  # in its 第一条 today
MARKER = "断电演练核验句"  # what the new content adds to that article


@pytest.fixture
def portal_dirs(app, plan, tmp_path):
    """A content copy and a search index of the test's own; the index built from the library."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    app.config.update(CONTENT_DIR=str(tmp_path / "content"), SEARCH_INDEX_DIR=str(tmp_path / "search_index"))
    rebuild_index()
    return tmp_path


def command_env(app, tmp_path: Path, pause_at: str = "") -> dict:
    env = {**os.environ, "FLASK_APP": "wsgi", "PYTHONWARNINGS": "ignore",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PORTAL_SECRET_KEY": "kill9-test",
           "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"), "PORTAL_CONTENT_DIR": app.config["CONTENT_DIR"],
           "PORTAL_SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads")}
    env.pop("PORTAL_PAUSE_AT", None)
    if pause_at:
        env.update(PORTAL_PAUSE_AT=pause_at, PORTAL_PAUSE_FILE=str(tmp_path / "paused"))
    return env


def flask_portal(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "portal", *args]


def kill_at(app, tmp_path: Path, pause_at: str, *args: str) -> None:
    """Run the command until it reaches `pause_at`, then SIGKILL it there."""
    paused, output = tmp_path / "paused", tmp_path / "command.log"
    paused.unlink(missing_ok=True)
    with output.open("w") as log:
        proc = subprocess.Popen(flask_portal(*args), cwd=ROOT, env=command_env(app, tmp_path, pause_at),
                                stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while not paused.exists():
        if proc.poll() is not None:
            pytest.fail(f"`flask portal {' '.join(args)}` ended before {pause_at}:\n{output.read_text()}")
        assert time.monotonic() < deadline, f"{pause_at} not reached in 300 s"
        time.sleep(0.05)
    assert int(paused.read_text()) == proc.pid
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def run_again(app, tmp_path: Path, *args: str) -> str:
    result = subprocess.run(flask_portal(*args), cwd=ROOT, env=command_env(app, tmp_path), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def found(client, words: str) -> set[str]:
    """Titles of the documents the portal's search API answers `words` with."""
    response = client.client.get("/api/search", query_string={"q": words})
    assert response.status_code == 200
    payload = response.get_json()
    assert not payload.get("error"), payload
    return {hit.get("doc_title") or hit.get("title") for hit in payload["results"]}


def clause_texts_with(words: str) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(PolicyClause.id)).where(
        PolicyClause.text.contains(words), ~PolicyClause.retired))


def test_sync_killed_before_its_commit_leaves_the_last_good_library_and_a_rerun_completes(app, portal_dirs):
    reader = gen_session(app, gen_staff("kill9-reader"))
    assert DOC_TITLE in found(reader, OLD_WORDS)
    doc = portal_dirs / "content" / "policy" / DOC_FILE
    text = doc.read_text(encoding="utf-8")
    assert text.count(OLD_WORDS) == 1
    doc.write_text(text.replace(OLD_WORDS, f"{OLD_WORDS}，{MARKER}"), encoding="utf-8")

    kill_at(app, portal_dirs, "policy-sync-before-commit", "sync")

    # Nothing of the killed sync is visible: the old article, the old search answers.
    assert clause_texts_with(MARKER) == 0 and clause_texts_with(OLD_WORDS) == 1
    assert DOC_TITLE in found(reader, OLD_WORDS)
    assert DOC_TITLE not in found(reader, MARKER)
    page = reader.client.get("/policy/").get_data(as_text=True)
    assert DOC_TITLE in page

    out = run_again(app, portal_dirs, "sync")
    assert "search index" in out
    assert clause_texts_with(MARKER) == 1
    assert DOC_TITLE in found(reader, MARKER)


def test_reindex_killed_before_the_switch_keeps_the_live_index_and_a_rerun_completes(app, portal_dirs):
    reader = gen_session(app, gen_staff("kill9-reader"))
    index = Path(app.config["SEARCH_INDEX_DIR"])
    live = store.current_dir(index)
    assert DOC_TITLE in found(reader, OLD_WORDS)

    kill_at(app, portal_dirs, "reindex-before-switch", "reindex")

    # The live index is the one from before; the killed build's folder is not it.
    assert store.current_dir(index) == live
    assert [p for p in index.iterdir() if p.is_dir() and p.name.startswith("ix-") and p != live]
    assert DOC_TITLE in found(reader, OLD_WORDS)

    out = run_again(app, portal_dirs, "reindex")  # the dead writer's lock is gone with it
    assert "search index rebuilt" in out
    rebuilt = store.current_dir(index)
    assert rebuilt != live
    assert [p for p in index.iterdir() if p.is_dir() and p.name.startswith("ix-")] == [rebuilt]  # leftovers removed
    assert DOC_TITLE in found(reader, OLD_WORDS)


def test_sync_killed_between_the_database_and_the_index_heals_search_and_a_rerun_completes(app, portal_dirs):
    reader = gen_session(app, gen_staff("kill9-reader"))
    doc = portal_dirs / "content" / "policy" / DOC_FILE
    doc.write_text(doc.read_text(encoding="utf-8").replace(OLD_WORDS, f"{OLD_WORDS}，{MARKER}"), encoding="utf-8")

    kill_at(app, portal_dirs, "sync-before-search", "sync")

    # The library committed; the index the dead sync never updated is brought in step by the
    # portal itself (one background update on the first search that notices), no restart.
    assert clause_texts_with(MARKER) == 1
    deadline = time.monotonic() + 60
    while DOC_TITLE not in found(reader, MARKER):
        assert time.monotonic() < deadline, "search never caught up with the synced library"
        time.sleep(0.2)
    assert DOC_TITLE in found(reader, OLD_WORDS)

    out = run_again(app, portal_dirs, "sync")
    assert "search index: ok" in out
