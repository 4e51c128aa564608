"""Statutes imported on the library page: kept in the database (LibraryImport), never written
into content/. The sync reads them beside content/policy's files, so `flask portal sync` never
retires them; retiring one (with a reason) or restoring it is audited and re-syncs the library.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import sqlalchemy as sa

from portal.audit.services import record
from portal.content.importer import split_front_matter
from portal.content.problems import decode_upload
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import LibraryImport
from portal.policy.importing import ImportRun, Outcome, _ids_in_database, _with_kept_meta, expand, plan_import
from portal.policy.sync import POLICY_DIR, sync_policy
from portal.search.services import sync_index

SUPERSEDED = "已由重新导入的同一版本取代"


class ImportError_(Exception):
    """A message for the admin, in Chinese."""


def _previous(policy_dir: Path, doc_id: str, edition: str) -> tuple[Path, str] | None:
    """The text this import replaces: an active import of the same edition, else the content file."""
    row = _active(doc_id, edition)
    if row is not None:
        return Path(row.file_name), row.markdown

    for path in [policy_dir / f"{doc_id}.md", *sorted(policy_dir.glob(f"{doc_id}@*.md"))]:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if (split_front_matter(text)[0].get("edition") or "") == edition:
                return path, text
    return None


def _active(doc_id: str, edition: str) -> LibraryImport | None:
    return db.session.scalars(sa.select(LibraryImport).where(
        LibraryImport.doc_id == doc_id, LibraryImport.edition == edition, LibraryImport.active)).first()


def import_files(paths: Iterable[Path], content_dir: Path, actor_name: str,
                 shown: Callable[[Path], str] = str) -> ImportRun:
    """Plan the files, keep those that passed as LibraryImport rows, sync the library once and
    update the search index once. A document the library then refuses is taken out again."""
    policy_dir = Path(content_dir) / POLICY_DIR
    paths = expand(paths)
    outcomes = plan_import(paths, policy_dir, shown=shown, known=_ids_in_database()) if paths else []
    run = ImportRun(outcomes)
    sources = {shown(p): p for p in paths}
    added: dict[int, tuple[Outcome, LibraryImport, LibraryImport | None]] = {}
    for o in outcomes:
        if o.outcome != "imported":
            continue
        previous = _previous(policy_dir, o.doc_id, o.edition)
        text = _with_kept_meta(o.conversion.markdown, previous)
        if previous and previous[1] == text:
            o.outcome = "unchanged"
            continue
        o.outcome = "updated" if previous else "imported"
        replaced = _active(o.doc_id, o.edition)
        if replaced is not None:
            _retire_row(replaced, SUPERSEDED, actor_name)
        row = LibraryImport(doc_id=o.doc_id, edition=o.edition, title=o.title, files="、".join(o.files)[:600],
                            markdown=text, source_text=_source_text(o, sources), imported_by=actor_name,
                            flags=[[p.file, p.line, p.message] for p in getattr(o, "flags", [])])
        db.session.add(row)
        db.session.flush()
        added[row.id] = (o, row, replaced)
    if not added:
        db.session.commit()
        return run
    run.report = sync_policy(content_dir, actor_name=actor_name)  # tells the owners of a new edition
    refused = _take_back_refused(run, added, actor_name)
    if refused:
        run.report = sync_policy(content_dir, actor_name=actor_name)
    for o, row, _ in added.values():
        if o.outcome != "refused":
            record("import_statute", "library_import", str(row.id), label=row.title,
                   after={"edition": row.edition, "files": row.files}, actor_name=actor_name)
    db.session.commit()
    run.search = _update_search()
    return run


def _source_text(o: Outcome, sources: dict[str, Path]) -> str:
    texts = [decode_upload(sources[f].read_bytes(), f)[0] or "" for f in o.files if f in sources]
    return "\n\n".join(texts)


def _take_back_refused(run: ImportRun, added: dict, actor_name: str) -> bool:
    """Imports the sync refused (e.g. citing an article another document lacks): their rows go,
    what they replaced comes back; the problems are reported with the outcome."""
    refused = False
    for o, row, replaced in added.values():
        mine = [p for p in run.report.problems if p.file == row.files]
        if not mine:
            continue
        o.outcome, refused = "refused", True
        o.problems.extend(mine)
        db.session.delete(row)
        if replaced is not None:
            replaced.active, replaced.reason, replaced.retired_by, replaced.retired_at = True, "", "", None
    if refused:
        gone = {row.files for o, row, _ in added.values() if o.outcome == "refused"}
        run.report.problems = [p for p in run.report.problems if p.file not in gone]
        db.session.commit()
    return refused


def _update_search() -> str:
    try:
        said = str(sync_index())
        return said if len(said) <= 160 else said[:157] + "…"
    except Exception as exc:  # derived data: rebuilt at the next start or `flask portal reindex`
        return f"not updated ({type(exc).__name__}: {exc})"


def imports() -> list[LibraryImport]:
    return list(db.session.scalars(sa.select(LibraryImport).order_by(LibraryImport.imported_at.desc(),
                                                                     LibraryImport.id.desc())))


def get(import_id: int) -> LibraryImport | None:
    return db.session.get(LibraryImport, import_id)


def _retire_row(row: LibraryImport, reason: str, actor_name: str) -> None:
    row.active, row.reason, row.retired_by, row.retired_at = False, reason, actor_name, utcnow()
    record("retire", "library_import", str(row.id), label=row.title, before={"active": True},
           after={"active": False, "reason": reason}, actor_name=actor_name)


def retire(row: LibraryImport, reason: str, content_dir: Path, actor_name: str) -> None:
    """Take an import out of the library (its document retires unless content/ or another import
    still gives it); the row and its text stay, so it can be restored."""
    if not row.active:
        raise ImportError_("这份导入已经撤下。")
    _retire_row(row, reason.strip(), actor_name)
    db.session.flush()
    sync_policy(content_dir, actor_name=actor_name)
    _update_search()


def restore(row: LibraryImport, content_dir: Path, actor_name: str) -> None:
    if row.active:
        raise ImportError_("这份导入仍在法规库中。")
    if _active(row.doc_id, row.edition) is not None:
        raise ImportError_("同一法规的同一版本已有另一份导入在用，请先撤下那一份。")
    row.active, row.retired_by, row.retired_at = True, "", None
    record("restore", "library_import", str(row.id), label=row.title, before={"active": False, "reason": row.reason},
           after={"active": True}, actor_name=actor_name)
    row.reason = ""
    db.session.flush()
    sync_policy(content_dir, actor_name=actor_name)
    _update_search()


def delete(row: LibraryImport, reason: str, actor_name: str) -> None:
    """Delete a retired import for good (its text too), with a reason; the audit log keeps what it
    was. An import still in the library is retired first, so nothing vanishes from it unannounced."""
    if row.active:
        raise ImportError_("这份导入仍在法规库中，请先撤下再删除。")
    record("delete", "library_import", str(row.id), label=row.title,
           before={"edition": row.edition, "files": row.files, "reason": row.reason},
           after={"reason": reason.strip()}, actor_name=actor_name)
    db.session.delete(row)
    db.session.commit()
