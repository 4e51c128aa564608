"""Importing regulation files into content/policy (one file, many files, or a folder).

Each document is checked on its own: a file with a problem is refused and writes nothing; the
others are written. Then the library is synced once and the search index updated once.

* A code given as several files (民法典's 编: each titled 中华人民共和国民法典, with its 编 as a
  second heading) becomes one document.
* Versions of one law (``未成年人保护法(2020-10-17).md``, ``未成年人保护法(2024-04-26).md``)
  become editions of one document: the newest is ``<id>.md`` (现行有效), earlier ones
  ``<id>@<edition>.md`` (已修订).
* The document id: ``--id`` for a single document; otherwise the id the library already uses for
  that title (so re-imports are stable), otherwise one derived from the title (pinyin of its words).
* The files as given are kept under ``content/policy/sources/`` (provenance).
"""
from __future__ import annotations

import fcntl
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import sqlalchemy as sa

from portal.content.importer import (
    Conversion,
    clean_line,
    convert_files,
    edition_of,
    is_library_format,
    split_front_matter,
)
from portal.content.policy_doc import DOC_ID_RE
from portal.content.problems import Problem, decode_upload
from portal.content.register_file import parse_register
from portal.content.statute_doc import is_article_id, reusing_parses
from portal.content.statute_import import PART_RE
from portal.extensions import db
from portal.models import PolicyDocument
from portal.policy.sync import POLICY_DIR, sync_policy
from portal.search.services import sync_index

SOURCES_DIR = "sources"
SUFFIXES = ("暂行办法", "实施办法", "实施条例", "办法", "条例", "规定", "细则", "决定", "意见", "通知", "法")
STATUS_CURRENT, STATUS_REVISED = "现行有效", "已修订"
NOT_A_STATUTE = ("没有找到任何条文（如“第一条”）或编号条款（如“一、”“（一）”），这不像是法规文本，未导入。"
                 "请确认上传的是法规全文，第一行是法规名称。")
NOT_NUMBERED = {"header", "preamble", "closing", "history"}  # a scheme's blocks that are not clauses
KEEP_KEYS = ("number", "issuers", "addressees", "notes", "short_title")  # an admin's values survive a re-import


@dataclass
class Outcome:
    """What happened to one document (one file, or the files of one code)."""

    files: list[str]
    doc_id: str = ""
    edition: str = ""
    title: str = ""
    outcome: str = "refused"  # imported | updated | unchanged | refused
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    clauses: int = 0
    layout: str = ""
    conversion: Conversion | None = None
    flags: list[Problem] = field(default_factory=list)  # imported all the same: what could not be read as numbered

    @property
    def ok(self) -> bool:
        return self.outcome != "refused"

    @property
    def label(self) -> str:
        return {"imported": "已导入", "updated": "已更新", "unchanged": "未变化", "refused": "未导入"}[self.outcome]


def derive_id(title: str) -> str:
    """中华人民共和国未成年人保护法 → weichengnianren-baohu-fa (stable: pinyin of the title's words)."""
    import rjieba  # lazy: heavy library, loaded only when this runs
    from pypinyin import lazy_pinyin  # lazy: heavy library, loaded only when this runs

    stem = re.sub(r"[《》\s]", "", title).removeprefix("中华人民共和国")
    suffix = next((s for s in SUFFIXES if stem.endswith(s) and len(stem) > len(s)), "")
    words = list(rjieba.cut(stem[: len(stem) - len(suffix)])) if suffix else list(rjieba.cut(stem))
    if suffix:
        words += [suffix[:2], suffix[2:]] if len(suffix) == 4 else [suffix]
    parts = [re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(w)).lower()) for w in words]
    slug = "-".join(p for p in parts if p)[:70].strip("-")
    return slug or "doc-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]


def _head(text: str) -> tuple[str, str | None]:
    """Title (first line) and the 编 heading of a code's part (a second level-1 heading), if any."""
    _, lines = split_front_matter(text)
    title, part = "", None
    for _, raw in lines[:12]:
        s = raw.strip()
        if not s:
            continue
        if not title:
            title = clean_line(s).strip("《》")
        elif s.startswith("# ") and (PART_RE.match(clean_line(s)) or clean_line(s).endswith("编")
                                     or clean_line(s) == "总则"):
            part = clean_line(s)
            break
        elif "INFO END" in s:
            break
    return title, part


def _group(texts: list[tuple[Path, str]]) -> list[list[tuple[Path, str]]]:
    """One group per document: the parts of one code (same title and version) go together."""
    groups: dict[tuple, list[tuple[Path, str]]] = {}
    for path, text in texts:
        title, part = _head(text)
        key = ("code", title, edition_of(path.name)) if part and title else ("file", str(path))
        groups.setdefault(key, []).append((path, text))
    return list(groups.values())


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder gives its *.md and *.txt files (sorted)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file() and q.suffix in (".md", ".txt")
                          and q.name.lower() != "readme.md")
        else:
            out.append(p)
    return out


def known_ids(policy_dir: Path) -> dict[str, str]:
    """Title (and short title) → document id, from the library's files."""
    found: dict[str, str] = {}
    for path in sorted(policy_dir.glob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        for key in ("title", "short_title"):
            if meta.get(key) and meta.get("id"):
                found.setdefault(meta[key], meta["id"])
    return found


def plan_import(paths: Iterable[Path], policy_dir: Path, doc_id: str | None = None,
         shown: Callable[[Path], str] = str, progress: Callable | None = None,
         known: dict[str, str] | None = None) -> list[Outcome]:
    """Convert and check every document; nothing is written."""
    texts, outcomes = [], []
    for path in expand(paths):
        text, problems = decode_upload(path.read_bytes(), shown(path))
        if text is None:
            outcomes.append(Outcome([shown(path)], problems=problems))
        elif is_library_format(text):
            outcomes.append(Outcome([shown(path)], problems=[Problem(shown(path), 1, "already in library format: "
                                    "copy it into content/policy and run flask portal sync")]))
        else:
            texts.append((path, text))
    groups = _group(texts)
    if doc_id and len(groups) > 1 and len({_head(t)[0] for g in groups for _, t in g}) > 1:
        return outcomes + [Outcome([shown(p) for g in groups for p, _ in g], problems=[Problem(
            shown(groups[0][0][0]), 1, "--id names one document: give the files of one regulation only")])]
    ids = {**(known or {}), **known_ids(policy_dir)}
    registered = registered_effective(policy_dir)
    for group in (progress(groups) if progress else groups):
        outcomes.append(_plan_one(group, policy_dir, doc_id, ids, shown, registered))
    return outcomes


def registered_effective(policy_dir: Path) -> dict[tuple[str, str], str]:
    """(document id, edition) -> the 施行 date the register (content/policy/register.csv) states for that
    version: a row naming the document and dated the edition's date. A file's own text rarely states when
    an amendment took effect (慈善法's 2023 amendment: 2024-09-05, not the 2016 text's 本法自…起施行), so
    the importer's presumption gives way to what the office recorded and checked."""
    path = Path(policy_dir) / "register.csv"
    if not path.is_file():
        return {}
    rows, _ = parse_register(path.read_bytes(), path.name)
    return {(r.document, r.issued): r.effective for r in rows
            if r.document and r.issued and r.effective and r.effective >= r.issued}


def _with_registered_effective(conv, doc_id: str, edition: str, registered: dict[tuple[str, str], str]) -> None:
    effective = registered.get((doc_id, edition))
    if not effective or conv.parsed.meta.get("effective") == effective:
        return
    if re.search(r"(?m)^effective:", conv.markdown):
        conv.markdown = _set_meta(conv.markdown, "effective", effective)
    else:
        conv.markdown = re.sub(r"(?m)^(edition:.*)$", rf"\1\neffective: {effective}", conv.markdown, count=1)
    conv.parsed.meta["effective"] = effective


def _plan_one(group, policy_dir: Path, doc_id: str | None, ids: dict[str, str], shown,
              registered: dict[tuple[str, str], str] | None = None) -> Outcome:
    files = [shown(p) for p, _ in group]
    title = _head(group[0][1])[0]
    out = Outcome(files, title=title)
    doc_id = doc_id or ids.get(title) or ids.get(title.removeprefix("中华人民共和国")) or derive_id(title)
    out.doc_id = doc_id
    if not DOC_ID_RE.match(doc_id):
        out.problems = [Problem(files[0], 1, f"document id {doc_id!r} must be lowercase letters, digits and '-'")]
        return out
    sources = "; ".join(f"{SOURCES_DIR}/{p.name}" for p, _ in group)
    conv = convert_files([(t, shown(p)) for p, t in group], doc_id, source_name=sources)
    out.conversion, out.layout, out.articles = conv, conv.layout, conv.articles
    out.flags = list(conv.flags)
    if not conv.ok:
        out.problems = conv.problems
        return out
    out.edition = conv.parsed.meta.get("edition", "")
    _with_registered_effective(conv, doc_id, out.edition, registered or {})
    out.clauses = sum(1 for c in conv.parsed.clauses if c.kind == "section" and is_article_id(c.id)) \
        if conv.layout == "statute" else sum(1 for c in conv.parsed.sections if c.id not in NOT_NUMBERED)
    if not out.clauses:  # a note or a stray file: in the library it would be a title with 0 条
        out.problems = [Problem(files[0], 1, NOT_A_STATUTE)]
        return out
    out.outcome = "imported"
    return out


def write(outcomes: list[Outcome], policy_dir: Path, sources: dict[str, Path]) -> None:
    """Write the converted documents that passed (and their sources); names and statuses of a
    document's editions follow which is newest."""
    policy_dir.mkdir(parents=True, exist_ok=True)
    (policy_dir / SOURCES_DIR).mkdir(exist_ok=True)
    for o in outcomes:
        if o.outcome != "imported":
            continue
        for shown_name in o.files:
            src = sources[shown_name]
            (policy_dir / SOURCES_DIR / src.name).write_bytes(src.read_bytes())
        files = _edition_files(policy_dir, o.doc_id)
        key = o.edition or "-"
        previous = files.get(key)
        text = _with_kept_meta(o.conversion.markdown, previous)
        files[key] = (previous[0] if previous else policy_dir / f"{o.doc_id}@{key}.md", text)
        if previous and previous[1] == text:
            o.outcome = "unchanged"
        elif previous:
            o.outcome = "updated"
        _arrange(policy_dir, o.doc_id, files)


def _edition_files(policy_dir: Path, doc_id: str) -> dict[str, tuple[Path, str]]:
    found = {}
    for path in [policy_dir / f"{doc_id}.md", *sorted(policy_dir.glob(f"{doc_id}@*.md"))]:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            meta, _ = split_front_matter(text)
            found[meta.get("edition") or "-"] = (path, text)
    return found


def _effective(text: str) -> tuple[str, str]:
    meta, _ = split_front_matter(text)
    return (meta.get("effective") or meta.get("edition") or "", meta.get("edition") or "")


def _arrange(policy_dir: Path, doc_id: str, files: dict[str, tuple[Path, str]]) -> None:
    """The newest edition is <id>.md with status 现行有效; earlier ones <id>@<edition>.md, 已修订."""
    newest = max(files, key=lambda k: _effective(files[k][1]))
    old_paths = {path for path, _ in files.values()}
    placed: dict[Path, str] = {}
    for key, (_, text) in files.items():
        if len(files) > 1 and key != "-":
            text = _set_meta(text, "status", STATUS_CURRENT if key == newest else STATUS_REVISED)
        elif len(files) == 1 and key != "-" and _meta(text, "status") in ("", "待核实"):
            text = _set_meta(text, "status", STATUS_CURRENT)
        placed[policy_dir / (f"{doc_id}.md" if key == newest else f"{doc_id}@{key}.md")] = text
    for path, text in placed.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in old_paths - set(placed):
        path.unlink(missing_ok=True)


def _meta(text: str, key: str) -> str:
    return split_front_matter(text)[0].get(key, "")


def _set_meta(text: str, key: str, value: str) -> str:
    return re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1)


def _with_kept_meta(markdown: str, previous: tuple[Path, str] | None) -> str:
    """Front-matter values an admin filled in stay unless the new text states them."""
    if previous is None:
        return markdown
    old, _ = split_front_matter(previous[1])
    new, _ = split_front_matter(markdown)
    for key in KEEP_KEYS:
        if old.get(key) and not new.get(key):
            markdown = _set_meta(markdown, key, old[key])
    if old.get("status") and old["status"] != "待核实":
        markdown = _set_meta(markdown, "status", old["status"])
    return markdown


def _snapshot(policy_dir: Path) -> dict[Path, bytes]:
    """The library's document files and source copies as they are before an import writes."""
    if not policy_dir.is_dir():
        return {}
    files = [*policy_dir.glob("*.md"), *(policy_dir / SOURCES_DIR).glob("*")]
    return {p: p.read_bytes() for p in files if p.is_file()}


def _put_back(policy_dir: Path, before: dict[Path, bytes], chosen: Callable[[Path], bool]) -> None:
    """Chosen files as they were before the import: rewritten, or removed when the import made them."""
    now = [*policy_dir.glob("*.md"), *(policy_dir / SOURCES_DIR).glob("*")] if policy_dir.is_dir() else []
    for path in sorted(set(now) | set(before)):
        if not chosen(path):
            continue
        if path in before:
            if not path.exists() or path.read_bytes() != before[path]:
                path.write_bytes(before[path])
        else:
            path.unlink(missing_ok=True)


@dataclass
class ImportRun:
    outcomes: list[Outcome] = field(default_factory=list)
    report: object | None = None  # the PolicySyncReport of the one sync at the end
    search: str = ""  # what the search index update said

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        out = {"imported": 0, "updated": 0, "unchanged": 0, "refused": 0}
        for o in self.outcomes:
            out[o.outcome] += 1
        return out


def _ids_in_database() -> dict[str, str]:
    """Title → id of every document the library has held (a retired one keeps its id too)."""
    found: dict[str, str] = {}
    for doc_id, title, short in db.session.execute(sa.select(
            PolicyDocument.doc_id, PolicyDocument.title, PolicyDocument.short_title).order_by(PolicyDocument.id)):
        for t in (title, short):
            if t:
                found.setdefault(t, doc_id)
    return found


def run_import(paths: Iterable[Path], content_dir: Path, doc_id: str | None = None, actor_name: str = "import",
               display_root: Path | None = None, shown: Callable[[Path], str] = str,
               progress: Callable[[Iterable], Iterable] | None = None, update_search: bool = True,
               index_procs: int = 1) -> ImportRun:
    """Plan, write what passed, sync the library once, update the search index once (``index_procs``:
    its writer processes when many documents changed and it is rebuilt: 2 from the command line).

    A document the library then refuses (e.g. it cites an article another document lacks) has
    its files put back as they were and is reported refused."""
    policy_dir = Path(content_dir) / POLICY_DIR
    policy_dir.mkdir(parents=True, exist_ok=True)
    # one import at a time per content folder (two admins, or an admin and a cron job): the second
    # waits, then plans against what the first wrote, so neither overwrites the other's files
    with open(policy_dir / ".import.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with reusing_parses():  # each file's text is parsed once: converting, syncing, indexing
            return _run_import(paths, content_dir, policy_dir, doc_id, actor_name, display_root, shown, progress,
                               update_search, index_procs)


def _run_import(paths, content_dir: Path, policy_dir: Path, doc_id, actor_name, display_root, shown, progress,
                update_search, index_procs: int = 1) -> ImportRun:
    paths = expand(paths)
    by_shown = {shown(p): p for p in paths}
    outcomes = plan_import(paths, policy_dir, doc_id, shown, progress, _ids_in_database()) if paths else []
    before = _snapshot(policy_dir)
    try:
        write(outcomes, policy_dir, by_shown)
        run = ImportRun(outcomes)
        if not any(o.outcome in ("imported", "updated") for o in outcomes):
            return run
        run.report = sync_policy(content_dir, display_root, actor_name=actor_name)
    except BaseException:
        _put_back(policy_dir, before, lambda path: True)  # nothing of a failed import stays behind
        raise
    written = {o.doc_id: o for o in outcomes if o.outcome in ("imported", "updated")}
    refused: set[str] = set()
    for problem in run.report.problems:
        name = Path(problem.file).name
        refused_id = name.removesuffix(".md").split("@")[0]
        if refused_id in written:
            written[refused_id].outcome = "refused"
            written[refused_id].problems.append(problem)
            refused.add(refused_id)
    if refused:  # the refused files are back as they were (their sources too); nothing of theirs was loaded
        sources = {by_shown[f].name for d in refused for f in written[d].files}
        _put_back(policy_dir, before, lambda path: path.name.removesuffix(".md").split("@")[0] in refused
                  or (path.parent.name == SOURCES_DIR and path.name in sources))
        run.report.problems = [p for p in run.report.problems
                               if Path(p.file).name.removesuffix(".md").split("@")[0] not in written]
    if update_search:
        try:
            said = str(sync_index(procs=index_procs))
            run.search = said if len(said) <= 160 else said[:157] + "…"
        except Exception as exc:  # derived data: rebuilt at the next start or `flask portal reindex`
            run.search = f"not updated ({type(exc).__name__}: {exc})"
    return run
