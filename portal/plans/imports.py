"""Importing a plan's file: checked (type, size, package limits), read into clause-linked text and its
duties drafted (portal.plan_text), stored as a plan in state draft; optionally published at once.
One home for the upload page and `flask portal plan-import`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from portal.core.labels import size_text
from portal.core.refusals import Refusal
from portal.files import staging
from portal.files.packages import Limits, PackageRefused, open_package
from portal.files.storage import StorageError
from portal.models import Plan
from portal.plan_text import drafting, reader
from portal.plans import drafts, publish
from portal.plans.drafts import unit_names

SUFFIXES = (".docx", ".txt", ".md", ".pdf")
MAX_BYTES = 20 * 1024 * 1024
STAGING_KIND = "plans"


class ImportRefused(Refusal, ValueError):
    """Why a file cannot be imported, in Chinese."""


@dataclass
class ImportResult:
    plan: Plan
    problems: list = field(default_factory=list)  # portal.plan_text.model.Problem: what the reader could not read
    published: list[str] | None = None  # None: not asked; [] published; else why not


def check_file(filename: str, data: bytes) -> str:
    """The file's suffix, or ImportRefused."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused("只接受 .docx、.txt、.md 或带文字层的 .pdf 文件。")
    if not data:
        raise ImportRefused("文件是空的。")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"方案文件不能超过 {size_text(MAX_BYTES)}。")
    if suffix == ".docx":
        try:
            open_package(data, Limits(), "方案文件").close()
        except PackageRefused as exc:
            raise ImportRefused(str(exc)) from None
    return suffix


def import_plan(filename: str, data: bytes, actor, publish_now: bool = False) -> ImportResult:
    """Check, read and draft the file; store the plan as a draft (and publish it when asked)."""
    return store(read_file(filename, data), actor, publish_now)


def read_file(filename: str, data: bytes):
    """Check and read the file (kept in staging only while it is read): a PlanDocument, or ImportRefused."""
    suffix = check_file(filename, data)
    try:
        name = staging.stage(STAGING_KIND, data, suffix)
    except (StorageError, OSError):
        raise ImportRefused("文件暂存失败，请稍后重试或联系管理员。") from None
    try:
        return _read(staging.staged_path(STAGING_KIND, name), filename)
    finally:
        staging.discard(STAGING_KIND, name)


def draft_only(filename: str, data: bytes) -> tuple[list, list]:
    """The drafted duties and the reader's problems, writing nothing (`flask portal plan-draft`)."""
    document = read_file(filename, data)
    return _draft(document), list(document.problems)


def _read(path: Path, filename: str):
    # portal.plan_text.reader arrives from the plantext branch at merge: imported here, when a file is
    # read, so this module (and the app) import without it.
    document = reader.read_plan(path)
    if not document.clauses:
        reasons = "；".join(f"第{p.line}行：{p.reason}" for p in document.problems[:5])
        raise ImportRefused(f"未能从「{filename}」读出条款。" + (reasons or ""))
    return document


def store(document, actor, publish_now: bool = False) -> ImportResult:
    """A read plan drafted and stored (the part the tests drive with hand-made documents)."""
    drafted = _draft(document)
    plan = drafts.create_plan(document, drafted, actor)
    result = ImportResult(plan, list(document.problems))
    if publish_now:
        result.published = publish.publish(plan, actor)
    return result


def _draft(document):
    # portal.plan_text.drafting arrives with the reader at merge (see _read).
    return drafting.draft_duties(document, unit_names(), document.issued)
