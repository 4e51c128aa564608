"""A roster preview on a full disk (issue 18): a clear message and nothing left behind (it used to
answer 500 and leave a truncated file with people's names and phone numbers)."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest

from portal.training.import_views import PREVIEW_NOT_SAVED
from tests.conftest import make_user
from tests.diskfull import fill_disk_after
from tests.training.helpers import csv_bytes

ROWS = [f"学员{i},儿童主任,盐湖区,北城街道,红旗社区,1380000{i:04d},," for i in range(40)]


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_full_disk_during_a_preview_says_so_and_leaves_nothing(app, client, auth, uploads):
    make_user("tr", "trainer")
    auth.login("tr")
    with pytest.MonkeyPatch.context() as disk:
        fill_disk_after(disk, 300)  # the file is ~2 KB: the disk fills part way through it
        response = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*ROWS)), "r.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 422  # refused: the reason under the upload form
    page = response.get_data(as_text=True)
    assert PREVIEW_NOT_SAVED in page and 'data-testid="import-preview"' not in page
    assert files_under(uploads) == []  # no truncated preview, no temporary file
    with client.session_transaction() as session:
        assert "roster_upload" not in session
    page = auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*ROWS)), "r.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="import-preview"' in page and len(files_under(uploads)) == 1  # space again: it works


def test_files_the_portal_writes_are_private(app, client, auth, uploads):
    make_user("tr", "trainer")
    auth.login("tr")
    auth.post("/training/roster/import", data={"file": (BytesIO(csv_bytes(*ROWS)), "r.csv")},
              content_type="multipart/form-data")
    (staged,) = files_under(uploads)
    assert staged.stat().st_mode & 0o777 == 0o600
    assert (uploads / "staging").stat().st_mode & 0o777 == 0o700 and uploads.stat().st_mode & 0o777 == 0o700
