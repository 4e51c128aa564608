"""Upload file names lose control and bidi characters; a full or unwritable disk leaves no partial
file, tells the user in Chinese, and leaves the duty unchanged."""
from __future__ import annotations

import errno
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.duties import evidence as evidence_module
from portal.extensions import db
from portal.files import storage as storage_module
from portal.models import AuditEntry, Evidence
from portal.security.filenames import clean_filename
from tests.conftest import AuthActions, instance_by_key, make_user
from tests.diskfull import fill_disk_after

PDF = b"%PDF-1.4\n% test evidence\n"


@pytest.mark.parametrize("raw, clean", [
    ("报告\u202Egnp.pdf", "报告gnp.pdf"),  # displayed as 报告fdp.png before
    ("\u2067名单\u2069.xlsx", "名单.xlsx"),
    ("a\u200bb\x07c\u0000.pdf", "abc.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\张\\移交 清单.pdf", "移交 清单.pdf"),
    ("  line\nbreak\t.pdf  ", "line break .pdf"),
    ("\u202e\u200f", ""),
])
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_long_names_keep_their_extension():
    assert clean_filename("长" * 300 + ".pdf").endswith(".pdf")
    assert len(clean_filename("长" * 300 + ".pdf")) == 200


def _liaison(app) -> AuthActions:
    make_user("mz", "liaison", unit="yanhu-mz")
    auth = AuthActions(app.test_client())
    assert auth.login("mz").status_code == 302
    return auth


def _upload(auth, inst, name: str):
    return auth.post(f"/tasks/{inst.id}/evidence", {"file": (BytesIO(PDF), name)},
                     content_type="multipart/form-data", follow_redirects=True)


def test_bidi_name_is_stored_and_shown_clean(app, plan):
    auth = _liaison(app)
    inst = instance_by_key("transfer-children@yanhu-mz")
    _upload(auth, inst, "报告\u202Egnp.pdf")
    ev = instance_by_key("transfer-children@yanhu-mz").evidence[0]
    assert ev.filename == "报告gnp.pdf"
    page = auth.client.get(f"/tasks/{inst.id}").get_data(as_text=True)
    assert "报告gnp.pdf" in page and "\u202e" not in page


def _evidence_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("fault, message", [
    ("enospc", evidence_module.STORAGE_FULL),
    ("readonly", evidence_module.STORAGE_FAILED),
])
def test_disk_faults_leave_no_partial_file_and_the_duty_unchanged(app, plan, monkeypatch, fault, message):
    auth = _liaison(app)
    inst = instance_by_key("transfer-children@yanhu-mz")
    version, updated = inst.version, inst.updated_at
    files_before = _evidence_files(app)
    if fault == "enospc":
        fill_disk_after(monkeypatch, 10)  # the disk fills up after part of the file was written
    else:
        real_open = storage_module.os.open

        def readonly(path, flags, *args, **kwargs):
            if str(path).endswith(".part"):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(storage_module.os, "open", readonly)
    response = _upload(auth, inst, "移交清单.pdf")
    assert response.status_code == 422  # the duty page again, the message beside the upload form
    assert message in response.get_data(as_text=True)
    assert _evidence_files(app) == files_before  # no partial, no temporary file left behind
    db.session.expire_all()
    after = instance_by_key("transfer-children@yanhu-mz")
    assert (after.version, after.updated_at) == (version, updated)
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "upload")) == 0
    # Once the fault is gone the same upload works.
    monkeypatch.undo()
    assert "已上传佐证材料" in _upload(auth, inst, "移交清单.pdf").get_data(as_text=True)
    assert len(_evidence_files(app)) == len(files_before) + 1
