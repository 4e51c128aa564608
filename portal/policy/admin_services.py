"""The library's admin work: staged uploads previewed before import; register entries edited.

Uploads are kept in the staging folder (portal.files.staging: on the upload volume, never in a
backup, swept after a day) under a random batch id until imported; the preview converts and checks
them without writing anything; an import is kept in the database (portal.policy.imports), never
in content/.
Register edits write content/policy/register.csv (the source of truth) and sync the register,
so the change is audited like any other and survives the next sync.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from portal.content.register_file import REGISTER_FILE, parse_register
from portal.core.labels import size_text
from portal.core.refusals import Refusal, Stale
from portal.files import staging
from portal.files.storage import StorageError, private_dir, write_private
from portal.models import RegulationEntry
from portal.policy.importing import ImportRun, Outcome, _ids_in_database, plan_import
from portal.policy.imports import import_files
from portal.policy.services import get_document
from portal.policy.sync import POLICY_DIR, sync_policy

ALLOWED_SUFFIXES = (".md", ".txt")
MAX_FILES = 500
MAX_FILE_BYTES = 5 * 1024 * 1024  # the longest code (民法典) is ~0.3 MB: more is not a statute text


UPLOAD_FULL = "服务器存储空间已满，上传的文件未保存，法规库未作任何改动。请联系系统管理员处理后再上传。"
UPLOAD_FAILED = "服务器暂时无法保存上传的文件（存储目录不可写），法规库未作任何改动。请联系系统管理员。"


class AdminError(Refusal):
    """A message for the admin, in Chinese."""


STAGED = "policy"


def _staging_root() -> Path:
    return staging.staging_dir(STAGED)


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def safe_name(name: str) -> str:
    """Keep a file's own name (its date tells the version) without any path or odd characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "", name).strip(". ")[:120]
    return name


def stage(files) -> str:
    """Save uploaded files under a new batch id; refuse what cannot be a statute text."""
    files = [f for f in files if f and f.filename]
    if not files:
        raise AdminError("请选择要上传的法规文本文件。")
    if len(files) > MAX_FILES:
        raise AdminError(f"一次最多上传 {MAX_FILES} 个文件。")
    names = [safe_name(f.filename) for f in files]
    bad = [n or "（无名文件）" for n in names if not n.lower().endswith(ALLOWED_SUFFIXES)]
    if bad:
        raise AdminError(f"只接受 .md 或 .txt 文本文件：{'、'.join(bad[:5])}")
    if len(set(names)) != len(names):
        raise AdminError("有同名文件，请改名后重新上传。")
    large = [n for f, n in zip(files, names, strict=True) if _size(f) > MAX_FILE_BYTES]
    if large:
        for f in files:
            f.close()  # werkzeug spooled the large ones to temporary files: let them go now
        raise AdminError(f"单个法规文本不能超过 {size_text(MAX_FILE_BYTES)}：{'、'.join(large[:5])}")
    batch = secrets.token_hex(8)
    folder = _staging_root() / batch
    try:
        private_dir(folder)
        for f, name in zip(files, names, strict=False):
            write_private(folder / name, f.stream)
    except (StorageError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)  # nothing of the batch is kept
        current_app.logger.error("statute upload not staged: %s", getattr(exc, "detail", exc.errno))
        raise AdminError(UPLOAD_FULL if getattr(exc, "full", False) else UPLOAD_FAILED) from None
    return batch


def _size(upload) -> int:
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _batch_dir(batch: str) -> Path:
    folder = _staging_root() / batch
    if not re.fullmatch(r"[0-9a-f]{16}", batch) or not folder.is_dir():
        raise AdminError("找不到这批上传的文件（可能已导入或已过期），请重新上传。")
    return folder


@dataclass
class Preview:
    batch: str
    outcomes: list[Outcome]
    what: dict[int, str] = field(default_factory=dict)  # id(outcome) -> what importing it does

    def what_of(self, outcome: Outcome) -> str:
        return self.what.get(id(outcome), "")

    @property
    def importable(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)


def preview(batch: str) -> Preview:
    folder = _batch_dir(batch)
    outcomes = plan_import(_files(folder), _content_dir() / POLICY_DIR, shown=lambda p: p.name,
                    known=_known())
    view = Preview(batch, outcomes)
    view.what = {id(o): what_it_is(o) for o in outcomes if o.ok}
    return view


def what_it_is(o: Outcome) -> str:
    """What importing this document does to the library, in the admin's words."""
    doc = get_document(o.doc_id)
    if doc is None or not doc.active:
        return "新增的法规"
    editions = {e.edition: e for e in doc.editions if e.active}
    if o.edition and o.edition in editions or not o.edition:
        return f"替换库中《{doc.title}》的同一版本"
    newest = max(editions, default="")
    if o.edition > newest:
        return f"《{doc.title}》的新版本，导入后成为现行文本，原现行版本标为已修订"
    return f"《{doc.title}》的早期版本，导入后作为历史版本保存"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))  # not a .part


def _known() -> dict[str, str]:
    return _ids_in_database()


def import_batch(batch: str, actor_name: str) -> ImportRun:
    folder = _batch_dir(batch)

    run = import_files(_files(folder), _content_dir(), actor_name=actor_name, shown=lambda p: p.name)
    shutil.rmtree(folder, ignore_errors=True)
    return run


# ---------------------------------------------------------------- register

EDITABLE = ("title", "number", "issuer", "issued", "effective", "status", "aliases", "notes")


def stamp_of(entry: RegulationEntry) -> str:
    return entry.updated_at.isoformat() if entry.updated_at else ""


class StaleEntry(AdminError, Stale):
    """Someone changed the entry after the editor opened it (shown as a portal.locking.Conflict)."""

    def __init__(self) -> None:
        super().__init__("此条目在您打开后已被他人修改，您的修改尚未保存：请对照下方两个版本后再保存。")


def update_entry(entry: RegulationEntry, values: dict, seen_stamp: str, actor_name: str,
                 overwrite: str | None = None) -> None:
    """Write the entry's new values into register.csv and load it. Refused (nothing written) when
    someone changed the entry since the editor opened it — unless `overwrite` names the version now
    stored (the editor chose to replace it) — or when the register would not load."""
    if seen_stamp != stamp_of(entry) and overwrite != stamp_of(entry):
        raise StaleEntry()
    path = _content_dir() / POLICY_DIR / REGISTER_FILE
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    index = {name: i for i, name in enumerate(header)}
    for row in body:
        if row and row[index["key"]] == entry.key:
            for name in EDITABLE:
                row[index[name]] = (values.get(name) or "").strip().replace("\r", " ").replace("\n", " ")
            break
    else:
        raise AdminError("登记表文件中没有这个条目，请先同步内容。")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    text = buffer.getvalue()
    _, problems = parse_register(text.encode("utf-8"), path.name)
    if problems:
        raise AdminError("；".join(p.message for p in problems[:3]))
    old = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    report = sync_policy(_content_dir(), actor_name=actor_name, only=set())
    if report.register != "loaded":
        path.write_text(old, encoding="utf-8")
        raise AdminError("登记表未能载入：" + "；".join(p.message for p in report.problems[:3]))


__all__ = ['AdminError', 'Preview', 'StaleEntry', 'import_batch', 'preview', 'stage', 'update_entry', 'stamp_of']
