"""佐证材料: uploads checked by size, extension and content, stored outside the package."""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.audit.services import record
from portal.duties.services import DutyError, can_contribute, commit_or_stale, require, touch
from portal.extensions import db
from portal.files import checks, encryption
from portal.files.storage import StorageError, private_dir, write_private
from portal.models import DutyInstance, Evidence, User
from portal.security.filenames import clean_filename

MAX_BYTES = 20 * 1024 * 1024
_OFFICE_XML = "application/vnd.openxmlformats-officedocument."
ALLOWED = {  # extension -> (content type, acceptable leading bytes)
    "pdf": checks.PDF,
    "png": checks.PNG,
    "jpg": checks.JPEG,
    "jpeg": checks.JPEG,
    "docx": (_OFFICE_XML + "wordprocessingml.document", checks.ZIP_MAGIC),
    "xlsx": (_OFFICE_XML + "spreadsheetml.sheet", checks.ZIP_MAGIC),
    "doc": ("application/msword", checks.OLE_MAGIC),
    "xls": ("application/vnd.ms-excel", checks.OLE_MAGIC),
    "zip": ("application/zip", checks.ZIP_MAGIC),
    "ofd": ("application/ofd", checks.ZIP_MAGIC),  # China's fixed-layout document format
}
ALLOWED_TEXT = "PDF、OFD、Word、Excel、JPG、PNG 或 ZIP"


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Returns (clean filename, content type) or raises DutyError with the reason."""
    try:
        return checks.check_file(clean_filename(filename), data, allowed=ALLOWED, max_bytes=MAX_BYTES, missing="请选择要上传的文件。",
                                 size_noun="文件", types_text=f"不支持的文件类型，请上传 {ALLOWED_TEXT} 文件。")
    except checks.UploadRefused as exc:
        raise DutyError(str(exc)) from None


def storage_dir() -> Path:
    return private_dir(Path(current_app.config["UPLOAD_DIR"]) / "evidence")


STORAGE_FULL = "服务器存储空间已满，文件未保存，任务未作任何改动。请联系系统管理员处理后再上传。"
STORAGE_FAILED = "服务器暂时无法保存文件（存储目录不可写），文件未保存，任务未作任何改动。请联系系统管理员。"


def store_file(stored: str, data: bytes) -> Path:
    """Write the file encrypted (portal.files.encryption), 0600 and atomically (portal.files.storage);
    a full or unwritable disk leaves no partial file behind and raises DutyError with a message."""
    try:
        final = storage_dir() / stored
        write_private(final, encryption.seal(data, stored))
    except StorageError as exc:
        current_app.logger.error("evidence upload not stored: %s", exc.detail)
        raise DutyError(STORAGE_FULL if exc.full else STORAGE_FAILED) from None
    except OSError as exc:  # the folder itself could not be made
        current_app.logger.error("evidence upload not stored: errno %s", exc.errno)
        raise DutyError(STORAGE_FAILED) from None
    return final


def add_evidence(user: User, inst: DutyInstance, upload: FileStorage | None) -> Evidence:
    require(can_contribute(user, inst))
    if upload is None:
        raise DutyError("请选择要上传的文件。")
    data = upload.stream.read(MAX_BYTES + 1)
    name, content_type = check_upload(upload.filename or "", data)
    stored = secrets.token_hex(16)
    path = store_file(stored, data)
    try:
        evidence = Evidence(instance_id=inst.id, uploader_id=user.id, filename=name, stored_name=stored,
                            content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        db.session.add(evidence)
        touch(inst)
        record("upload", "duty_instance", inst.id, label=inst.key,
               after={"file": name, "size": len(data), "sha256": evidence.sha256}, actor=user)
        commit_or_stale()
    except BaseException:
        _forget(path, stored)  # no file without its record
        raise
    return evidence


def _forget(path: Path, stored: str) -> None:
    """Remove the file of a record that was not stored. When the database cannot say whether the
    record was stored (the connection broke during the commit), the file stays: the cleanup removes
    it later if no record names it (portal.files.cleanup)."""
    db.session.rollback()
    try:
        named = db.session.scalar(sa.select(Evidence.id).where(Evidence.stored_name == stored))
    except Exception:  # noqa: BLE001 - the database is away: leave the decision to the cleanup
        db.session.rollback()
        current_app.logger.warning("evidence file %s kept for the cleanup: its record's fate is unknown", stored)
        return
    if named is None:
        path.unlink(missing_ok=True)


def evidence_path(evidence: Evidence) -> Path:
    return storage_dir() / evidence.stored_name


DAMAGED = "该文件在服务器上已损坏或被改动，无法下载。请联系系统管理员从备份中恢复。"


def read_evidence(evidence: Evidence) -> bytes | None:
    """The file as it was uploaded, checked against its SHA-256; None when it is not on disk.
    Raises DutyError when it does not open or does not match (altered, swapped, damaged)."""
    path = evidence_path(evidence)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = encryption.unseal(blob, evidence.stored_name)
    except encryption.Damaged:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != evidence.sha256:
        current_app.logger.error("evidence %s does not match its record", evidence.id)
        raise DutyError(DAMAGED)
    return data


def encrypt_stored(dry_run: bool = False) -> tuple[int, int, list[str]]:
    """Encrypt evidence files stored before encryption (portal.files.encryption), each checked against
    its SHA-256 first. Returns (encrypted, already encrypted, problems)."""
    done = already = 0
    problems = []
    for evidence in db.session.scalars(sa.select(Evidence).order_by(Evidence.id)):
        path = evidence_path(evidence)
        if not path.exists():
            problems.append(f"evidence {evidence.id}: file missing")
            continue
        blob = path.read_bytes()
        if encryption.is_sealed(blob):
            already += 1
        elif hashlib.sha256(blob).hexdigest() != evidence.sha256:
            problems.append(f"evidence {evidence.id}: file does not match its SHA-256, left as it is")
        else:
            done += 1
            if not dry_run:
                encryption.seal_in_place(path, evidence.stored_name)
    return done, already, problems
