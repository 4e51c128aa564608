"""Photographs of a signed paper sheet, attached to its session as evidence.

Checked as every upload is (size, extension, leading bytes), stored encrypted, 0600 and atomically
through `portal.files` in a folder of their own (the evidence sweep does not know these records), and
read back only after their SHA-256 matches. Who may see them is who may manage the session's county.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.audit.services import record
from portal.extensions import db
from portal.files import checks, encryption
from portal.files.storage import StorageError, private_dir, write_private
from portal.models import SheetPhoto, SignInSheet, User
from portal.security.filenames import clean_filename
from portal.training.scope import TrainingError, can_manage, require

MAX_BYTES = 15 * 1024 * 1024
ALLOWED = {"jpg": checks.JPEG, "jpeg": checks.JPEG, "png": checks.PNG, "pdf": checks.PDF}
NOT_STORED = "服务器暂时无法保存文件，照片未保存，签到记录未作任何改动。请联系系统管理员。"


def check_photo(filename: str, data: bytes) -> tuple[str, str]:
    """(clean file name, content type), or TrainingError saying what is wrong."""
    try:
        return checks.check_file(clean_filename(filename), data, allowed=ALLOWED, max_bytes=MAX_BYTES, missing="请选择签到表的照片。",
                                 size_noun="照片", types_text="只能上传 JPG、PNG 照片或 PDF 扫描件。")
    except checks.UploadRefused as exc:
        raise TrainingError(str(exc)) from None


def _folder() -> Path:
    return private_dir(Path(current_app.config["UPLOAD_DIR"]) / "sheet_photos")


def add_photo(user: User, sheet: SignInSheet, upload: FileStorage | None) -> SheetPhoto:
    require(can_manage(user, sheet.county_id))
    if upload is None:
        raise TrainingError("请选择签到表的照片。")
    data = upload.stream.read(MAX_BYTES + 1)
    name, content_type = check_photo(upload.filename or "", data)
    stored = secrets.token_hex(16)
    try:
        path = _folder() / stored
        write_private(path, encryption.seal(data, stored))
    except (StorageError, OSError) as exc:
        current_app.logger.error("sheet photo not stored: %s", getattr(exc, "detail", exc))
        raise TrainingError(NOT_STORED) from None
    try:
        photo = SheetPhoto(session_id=sheet.id, uploader_id=user.id, filename=name, stored_name=stored,
                           content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        db.session.add(photo)
        record("upload", "training_session", sheet.id, label=f"{sheet.module.title} {sheet.held_on.isoformat()}",
               after={"file": name, "size": len(data), "sha256": photo.sha256}, actor=user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        path.unlink(missing_ok=True)  # no file without its record
        raise
    return photo


def read_photo(photo: SheetPhoto) -> bytes:
    """The file as uploaded; TrainingError when it is missing, damaged or altered."""
    try:
        data = encryption.unseal((_folder() / photo.stored_name).read_bytes(), photo.stored_name)
    except (FileNotFoundError, encryption.Damaged):
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != photo.sha256:
        current_app.logger.error("sheet photo %s does not match its record", photo.id)
        raise TrainingError("该照片在服务器上已损坏或缺失，无法查看。请联系系统管理员。")
    return data


def photos_of(sheet: SignInSheet) -> list[SheetPhoto]:
    return list(db.session.scalars(db.select(SheetPhoto).where(SheetPhoto.session_id == sheet.id)
                                   .order_by(SheetPhoto.id)))
