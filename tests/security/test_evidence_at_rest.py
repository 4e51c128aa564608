"""Evidence encrypted at rest (issue 18: "evidence … protected at rest where the deployment cannot do
it"): what lies on disk is AES-GCM ciphertext bound to its stored name; downloads give back the
uploaded bytes; an altered or swapped file is refused with a message, never served; files stored
before encryption still download and `flask portal encrypt-evidence` encrypts them in place."""
from __future__ import annotations

import base64
import secrets
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from portal.duties import evidence as evidence_module
from portal.files import encryption
from tests.conftest import AuthActions, instance_by_key, make_user

PDF = "%PDF-1.4\n% 移交名单：张三 13800000001\n".encode() + b"x" * 5000


@pytest.fixture
def own_uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def upload(owner, name: str = "名单.pdf", data: bytes = PDF):
    inst = instance_by_key("transfer-children@yanhu-mz")
    return inst, evidence_module.add_evidence(owner, inst, FileStorage(BytesIO(data), name))


def download(app, inst, piece):
    auth = AuthActions(app.test_client())
    assert auth.login("mz").status_code == 302
    return auth.client.get(f"/tasks/{inst.id}/evidence/{piece.id}")


def test_what_lies_on_disk_is_ciphertext_and_the_download_is_the_upload(app, plan, own_uploads):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    inst, piece = upload(owner)
    stored = evidence_module.evidence_path(piece).read_bytes()
    assert stored.startswith(b"PEV1") and b"13800000001" not in stored and b"%PDF" not in stored
    response = download(app, inst, piece)
    assert response.status_code == 200 and response.data == PDF


def test_an_altered_or_swapped_file_is_refused_not_served(app, plan, own_uploads):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    inst, first = upload(owner, "甲.pdf")
    _, second = upload(owner, "乙.pdf", PDF.replace(b"x", b"y"))
    path = evidence_module.evidence_path(first)
    blob = bytearray(path.read_bytes())
    blob[-20] ^= 1
    path.write_bytes(bytes(blob))
    response = download(app, inst, first)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{inst.id}")
    # the other file's ciphertext under this name does not open either (the name is bound into it)
    path.write_bytes(evidence_module.evidence_path(second).read_bytes())
    auth = AuthActions(app.test_client())
    auth.login("mz")
    refused = auth.client.get(f"/tasks/{inst.id}/evidence/{first.id}", follow_redirects=True)
    assert evidence_module.DAMAGED in refused.get_data(as_text=True) and PDF not in refused.data


def test_files_stored_before_encryption_download_and_are_encrypted_in_place(app, plan, own_uploads, runner):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    with pytest.MonkeyPatch.context() as earlier_version:
        earlier_version.setattr(encryption, "seal", lambda data, name: data)  # stored as before encryption
        inst, piece = upload(owner)
    path = evidence_module.evidence_path(piece)
    assert path.read_bytes() == PDF
    assert download(app, inst, piece).data == PDF
    result = runner.invoke(args=["portal", "encrypt-evidence"])
    assert result.exit_code == 0, result.output
    assert "1 evidence file(s) encrypted, 0 already encrypted, 0 problem(s)" in result.output
    assert path.read_bytes().startswith(b"PEV1") and path.stat().st_mode & 0o777 == 0o600
    assert download(app, inst, piece).data == PDF
    again = runner.invoke(args=["portal", "encrypt-evidence"])
    assert "0 evidence file(s) encrypted, 1 already encrypted" in again.output


def test_the_key_can_come_from_the_environment_and_another_key_does_not_open(app, plan, own_uploads, monkeypatch):
    owner = make_user("mz", "liaison", unit="yanhu-mz")
    monkeypatch.setenv("PORTAL_EVIDENCE_KEY", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    inst, piece = upload(owner)
    assert download(app, inst, piece).data == PDF
    monkeypatch.setenv("PORTAL_EVIDENCE_KEY", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    with app.test_request_context():
        with pytest.raises(evidence_module.DutyError):
            evidence_module.read_evidence(piece)
