"""The policy library as files: every document under content/policy, the register, and checks
across them. Pure: reads files, returns plain data; the database sync and check-content use it.

A document file is ``<doc_id>.md`` in library format (front matter + ``{#id}`` clauses; the
方案 layout of policy_doc or the statute layout of statute_doc). A regulation dropped in as
plain text or unmarked Markdown (``<doc_id>.txt`` / ``<doc_id>.md``) is converted in memory
by the importer with ids from its own numbering. ``*.source.txt`` files and files a document
names as its ``source`` are provenance copies, never documents.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from portal.content.citations import Citation, LibraryEntry, RegisterEntry, Resolver, Target
from portal.content.errata import ErrataError, first_difference, load_errata, reconstruct_source
from portal.content.importer import convert_text, is_library_format
from portal.content.policy_doc import (
    BLOCK_ID_RE,
    DOC_ID_RE,
    HEADING_ID_RE,
    HEADING_RE,
    Clause,
    ParsedDocument,
    label_for,
    normalise_for_fidelity,
    parse_document,
)
from portal.content.problems import Problem, decode_utf8, shown_path
from portal.content.register_file import REGISTER_FILE, RegisterRow, parse_register
from portal.content.statute_doc import (
    STATUTE_ID_RE,
    looks_like_statute,
    parse_statute,
    resolve_clause_id,
    statute_label,
)

RESERVED_IDS = {"register", "api", "static"}


def label_for_any(clause_id: str, layout: str = "scheme") -> str:
    if layout == "statute" and STATUTE_ID_RE.match(clause_id):
        return statute_label(clause_id)
    return label_for(clause_id)


def citation_text(title: str, number: str = "", label: str = "") -> str:
    """《title》（number）label — the form staff paste into reports."""
    return f"《{title}》" + (f"（{number}）" if number else "") + label


@dataclass
class FoundCitation:
    clause_id: str  # the section (top-level clause) it appears in
    anchor_id: str  # the finest clause containing it (an anchor or item, else the section)
    line: int
    citation: Citation
    target: Target


@dataclass
class LibraryDoc:
    path: Path
    file: str  # as shown in problems
    layout: str  # "scheme" (方案/意见 numbering) or "statute" (章/条)
    text: str  # library Markdown (converted in memory for a raw file)
    parsed: ParsedDocument
    content_hash: str
    converted: bool = False
    problems: list[Problem] = field(default_factory=list)
    citations: list[FoundCitation] = field(default_factory=list)
    current: bool = True  # False: an earlier version (edition) of a document in the library
    imported: bool = False  # imported on the library page: held in the database, not in content/

    @property
    def edition(self) -> str:
        """The version's date (a statute's 修订/修正 date); '' when the file names none."""
        return self.parsed.meta.get("edition", "")

    @property
    def effective(self) -> str:
        return self.parsed.meta.get("effective", "") or self.edition or self.parsed.meta.get("date", "")

    @property
    def doc_id(self) -> str:
        return self.parsed.meta.get("id", "")

    @property
    def meta(self) -> dict:
        return self.parsed.meta

    @property
    def clause_ids(self) -> set[str]:
        return {c.id for c in self.parsed.clauses}

    def meta_line(self, key: str) -> int:
        for i, line in enumerate(self.text.split("\n"), start=1):
            if re.match(rf"^{key}\s*:", line):
                return i if not self.converted else 1
        return 1

    def section_sources(self) -> dict[str, str]:
        """Each section's Markdown with its inner anchors kept (for rendering permalinks)."""
        lines = self.text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
        sections = sorted((c for c in self.parsed.clauses if c.kind == "section"), key=lambda c: c.line)
        out = {}
        for i, clause in enumerate(sections):
            end = sections[i + 1].line - 1 if i + 1 < len(sections) else len(lines)
            chunk = lines[clause.line - 1:end]
            first = chunk[0] if chunk else ""
            if HEADING_RE.match(first):
                chunk[0] = HEADING_ID_RE.sub("", first).rstrip()
            elif BLOCK_ID_RE.match(first.strip()):
                chunk = chunk[1:]
            out[clause.id] = "\n".join(chunk).strip()
        return out


@dataclass
class Library:
    docs: list[LibraryDoc] = field(default_factory=list)  # every document file, good or not
    register: list[RegisterRow] = field(default_factory=list)
    register_file: str = ""
    register_problems: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # everything, in file order
    provenance_files: list[str] = field(default_factory=list)

    @property
    def good_docs(self) -> list[LibraryDoc]:
        """The current version of each document that loads."""
        return [d for d in self.docs if not d.problems and d.current]

    @property
    def earlier_editions(self) -> list[LibraryDoc]:
        """Earlier versions of documents (files ``<id>@<edition>.md``) that load."""
        return [d for d in self.docs if not d.problems and not d.current]

    @property
    def register_ok(self) -> bool:
        return not self.register_problems


_display = shown_path


def load_document(path: Path, display: str, doc_id: str | None = None) -> LibraryDoc:
    """Read one document file (library format or raw regulation text)."""
    return load_bytes(path, display, path.read_bytes(), doc_id)


def load_bytes(path: Path, display: str, data: bytes, doc_id: str | None = None) -> LibraryDoc:
    """One document from its bytes; `path` names it (its stem must match the id)."""
    digest = hashlib.sha256(data).hexdigest()
    text, problems = decode_utf8(data, display)
    if text is None:
        return LibraryDoc(path, display, "scheme", "", ParsedDocument(display), digest, problems=list(problems))
    if is_library_format(text):
        layout = "statute" if looks_like_statute(text) else "scheme"
        parsed = (parse_statute if layout == "statute" else parse_document)(text, display)
        doc = LibraryDoc(path, display, layout, text, parsed, digest)
        doc.problems = [Problem(e.file, e.line, e.message) for e in parsed.errors]
        stems = {parsed.meta.get("id"), f"{parsed.meta.get('id')}@{parsed.meta.get('edition', '')}"}
        if doc_id is None and parsed.meta.get("id") and path.suffix == ".md" and path.stem not in stems:
            doc.problems.append(Problem(display, doc.meta_line("id"),
                                        f"id {parsed.meta['id']} does not match the file name {path.name} "
                                        f"(name it {parsed.meta['id']}.md, or <id>@<edition>.md for an earlier version)"))
        return doc
    doc_id = doc_id or path.stem
    if not DOC_ID_RE.match(doc_id):
        return LibraryDoc(path, display, "scheme", text, ParsedDocument(display), digest, converted=True, problems=[
            Problem(display, 1, f"cannot take a document id from the file name {path.name!r}: name it like "
                                "jiating-jiyang.txt (lowercase letters, digits, '-') or use flask portal import-policy --id")])
    conv = convert_text(text, display, doc_id, source_name=path.name, tolerant=False)  # content/ is reviewed
    doc = LibraryDoc(path, display, conv.layout, conv.markdown, conv.parsed or ParsedDocument(display), digest,
                     converted=True)
    doc.problems = list(conv.problems)
    return doc


def scan_library(policy_dir: Path, display_root: Path | None = None,
                 previous: dict[str, set[str]] | None = None,
                 imported: list[tuple[str, str, str]] = ()) -> Library:
    """Load and check every file in content/policy, and the documents imported on the library
    page (`imported`: (file name, name shown, library Markdown), held in the database). An import
    of the same document and edition as a content file stands in its place.

    `previous` maps doc ids already in the database to their clause ids; a citation may point at
    them when their file is refused this time (the last good version keeps serving).
    """
    policy_dir = Path(policy_dir)
    lib = Library()
    show: Callable[[Path], str] = lambda p: _display(p, display_root)  # noqa: E731
    if policy_dir.is_dir():
        _load_files(lib, policy_dir, show)
    _add_imported(lib, imported)
    if not lib.docs and not policy_dir.is_dir():
        return lib
    _group_versions(lib)
    for doc in lib.docs:
        if not doc.problems and not doc.converted and not doc.imported:
            _check_provenance(doc, policy_dir, show)
    reg_path = policy_dir / REGISTER_FILE
    lib.register_file = show(reg_path)
    if reg_path.exists():
        lib.register, lib.register_problems = parse_register(reg_path.read_bytes(), lib.register_file)
    _check_references(lib, previous)
    lib.problems = [p for d in lib.docs for p in d.problems] + lib.register_problems
    return lib


def _load_files(lib: Library, policy_dir: Path, show: Callable[[Path], str]) -> None:
    """The .md documents, then the .txt ones that are neither an errata list nor a source copy."""
    for path in sorted(policy_dir.glob("*.md")):
        lib.docs.append(load_document(path, show(path)))
    named = {d.meta.get("errata") for d in lib.docs if d.meta.get("errata")} | {
        name for d in lib.docs for name in source_names(d)}
    lib.provenance_files = sorted(named)
    for path in sorted(policy_dir.glob("*.txt")):
        if path.name.endswith(".source.txt") or path.name in named:
            continue
        lib.docs.append(load_document(path, show(path)))


def _add_imported(lib: Library, imported: list[tuple[str, str, str]]) -> None:
    docs = [load_bytes(Path(name), shown, text.encode("utf-8")) for name, shown, text in imported]
    for doc in docs:
        doc.imported = True
    replaced = {(d.doc_id, d.edition) for d in docs if d.doc_id}
    lib.docs = [d for d in lib.docs if (d.doc_id, d.edition) not in replaced] + docs


def _group_versions(lib: Library) -> None:
    """One document per id, across files; several versions of one law are editions of one
    document, the newest in force being ``current``."""
    by_id: dict[str, list[LibraryDoc]] = {}
    for doc in lib.docs:
        if not doc.doc_id:
            continue
        if doc.doc_id in RESERVED_IDS:
            doc.problems.append(Problem(doc.file, doc.meta_line("id"), f"id {doc.doc_id} is reserved; choose another"))
        by_id.setdefault(doc.doc_id, []).append(doc)
    for versions in by_id.values():
        _check_editions(versions)
        newest = max(versions, key=lambda d: (d.effective, d.edition))
        for d in versions:
            d.current = d is newest
            if d.imported and d.edition and d.meta.get("status") in ("", "待核实", "现行有效", "已修订"):
                d.meta["status"] = "现行有效" if d.current else "已修订"  # as the import into files did


def _check_references(lib: Library, previous: dict[str, set[str]] | None) -> None:
    """Cross references, against the documents that load (plus last good versions of refused ones)."""
    available: dict[str, set[str]] = dict(previous or {})
    for doc in lib.good_docs:
        available[doc.doc_id] = set(doc.clause_ids)
    for doc in lib.earlier_editions:  # a citation may name an article of the version in force then
        available.setdefault(doc.doc_id, set()).update(doc.clause_ids)
    resolver = make_resolver(lib.good_docs, lib.register, lib.earlier_editions)
    for row in lib.register:
        if row.document and row.document not in available:
            lib.register_problems.append(Problem(lib.register_file, row.line,
                                                 f"document {row.document} is not in the library"))
    for doc in lib.good_docs:
        doc.citations = find_doc_citations(doc, resolver)
        for fc in doc.citations:
            t = fc.target
            if t.doc_id and t.clause and t.doc_id in available and not resolve_clause_id(
                    t.clause, available[t.doc_id])[0]:
                doc.problems.append(Problem(doc.file, fc.line if not doc.converted else 1,
                                            f"citation {fc.citation.text} points at {t.clause}, "
                                            f"which does not exist in {t.doc_id}"))


def _check_editions(versions: list[LibraryDoc]) -> None:
    """Files sharing an id are versions of one document: each names its own edition."""
    if len(versions) < 2:
        return
    seen: dict[str, LibraryDoc] = {}
    for doc in versions:
        if not doc.edition or doc.edition in seen:
            other = seen.get(doc.edition) or next(d for d in versions if d is not doc)
            doc.problems.append(Problem(doc.file, doc.meta_line("id"), f"duplicate document id {doc.doc_id} "
                                        f"(also in {other.file}); versions of one document each need their own "
                                        "edition: YYYY-MM-DD in the front matter"))
        else:
            seen[doc.edition] = doc


def source_names(doc: LibraryDoc) -> list[str]:
    """The provenance files a document names (a code given in parts names several, '; '-separated)."""
    return [s.strip() for s in re.split(r"[;；]", doc.meta.get("source", "")) if s.strip()]


def _check_provenance(doc: LibraryDoc, policy_dir: Path, show) -> None:
    errata_name = doc.meta.get("errata", "")
    source_text = None
    for source_name in source_names(doc):
        src = policy_dir / source_name
        if not src.exists() or not src.resolve().is_relative_to(policy_dir.resolve()):
            doc.problems.append(Problem(doc.file, doc.meta_line("source"), f"source file {source_name} not found"))
        else:
            source_text, problems = decode_utf8(src.read_bytes(), show(src))
            doc.problems.extend(problems)
    if not errata_name:
        return
    path = policy_dir / errata_name
    if not path.exists():
        doc.problems.append(Problem(doc.file, doc.meta_line("errata"), f"errata file {errata_name} not found"))
        return
    errata = load_errata(path)
    shown = show(path)
    doc.problems.extend(Problem(shown, e.line, e.message) for e in errata.errors)
    if errata.errors or source_text is None:
        return
    try:
        rebuilt = reconstruct_source(doc.parsed, errata.entries)
    except ErrataError as exc:
        doc.problems.extend(Problem(shown, p.line, p.message) for p in exc.problems)
        return
    diff = first_difference(normalise_for_fidelity(source_text), rebuilt)
    if diff:
        doc.problems.append(Problem(shown, 1, "the clean copy plus these errata does not give back the source: "
                                    + diff.replace("\n", " ")))


def make_resolver(docs: list[LibraryDoc], register: list[RegisterRow],
                  earlier: list[LibraryDoc] = ()) -> Resolver:
    versions: dict[str, list[LibraryDoc]] = {}
    for d in [*earlier, *docs]:
        if d.edition:
            versions.setdefault(d.doc_id, []).append(d)

    def editions(doc: LibraryDoc) -> tuple[tuple[str, str], ...]:
        found = sorted(versions.get(doc.doc_id, []), key=lambda d: (d.current, d.effective, d.edition))
        return tuple((d.edition, d.effective) for d in found)

    return Resolver(
        [LibraryEntry(d.doc_id, d.meta.get("title", ""), d.meta.get("number", ""), d.meta.get("short_title", ""),
                      editions(d)) for d in docs],
        [RegisterEntry(r.key, r.title, r.number, r.aliases, r.document) for r in register],
    )


def find_doc_citations(doc: LibraryDoc, resolver: Resolver) -> list[FoundCitation]:
    """Citations of other documents in each clause; a document citing itself is skipped."""
    lines = doc.text.split("\n")
    found: list[FoundCitation] = []
    by_parent: dict[str, list[Clause]] = {}
    for c in doc.parsed.clauses:
        if c.kind == "anchor" and c.parent:
            by_parent.setdefault(c.parent, []).append(c)
    for clause in doc.parsed.sections:
        for cit in resolver.find(clause.text):
            target = resolver.resolve(cit, at=doc.meta.get("date") or None)
            if target.doc_id == doc.doc_id:
                continue
            anchor = next((a.id for a in by_parent.get(clause.id, []) if cit.text in a.text), clause.id)
            found.append(FoundCitation(clause.id, anchor, _line_of(lines, clause.line, cit.text), cit, target))
    return found


def _line_of(lines: list[str], start: int, needle: str) -> int:
    for i in range(max(start - 1, 0), len(lines)):
        if needle in lines[i].replace("**", ""):
            return i + 1
    return start
