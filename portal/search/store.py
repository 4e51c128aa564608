"""The index folder: one writer, atomic switches, and cheap checks that a reader's index is whole.

Layout of ``index_dir`` (derived data, one per app host — never in the main database)::

    CURRENT                 name of the live index sub-directory (replaced atomically)
    ix-<stamp>/
        main.sqlite         clause rows (``clause``: a view joining each row to its document's
                            once-stored facts), the word index (FTS5 over segmented words), term counts
        chars.sqlite        the character index (FTS5 ``trigram``: exact substrings of 3+ chars)
        portal_search.json  schema version, segmenter signature, one content hash per document,
                            document facts, a generation number bumped by every update
    .write.lock             held (flock) by the one process that writes

A full build writes a new ``ix-*`` directory and then switches ``CURRENT``; an update rewrites
one document inside the live directory and bumps the generation. Readers (``engine.SearchEngine``)
look at ``CURRENT`` and the files' identity at most every ``REFRESH_EVERY`` seconds: a deleted
folder or replaced file is noticed there, an overwritten one by SQLite's first read.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from portal.search import departments, tokenizer

SCHEMA_VERSION = 13   # 13: no pinyin keys for a word one clause holds (pinyin.MIN_DF)
META_FILE = "portal_search.json"
MAIN_FILE = "main.sqlite"
CHARS_FILE = "chars.sqlite"
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".write.lock"


# Full-width letters and digits (``tokenizer.normalise``); its other mapping, the ideographic space,
# is white space to str.split already.
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def hay(title: str, text: str) -> str:
    """What exact strings are matched against: title and text, full-width folded, lower-cased,
    each run of white space one space (a fragment pasted across lines still matches).

    Computed from the stored title and body when a row is read, not stored: a second copy of the
    text was a fifth of the index, and this costs ~2 µs a row (``tokenizer.normalise``'s
    translate only runs when a full-width letter or digit is there)."""
    s = f"{title}\n{text}" if title else text   # the line break is white space: dropped below anyway
    if _FULL_WIDTH.search(s):
        s = tokenizer.normalise(s)
    return " ".join(s.lower().split())


# A clause's body is stored as UTF-16 (a BLOB, so SQLite never compares or converts it): two bytes a
# Chinese character where UTF-8 takes three — the body is the largest thing the index stores, and
# Python decodes either as fast. Nothing in SQL reads the body; ``body_text`` turns it back.
BODY_ENCODING = "utf-16-le"


def body_blob(text: str) -> bytes:
    return (text or "").encode(BODY_ENCODING)


def body_text(blob: bytes | None) -> str:
    return blob.decode(BODY_ENCODING) if blob else ""


@functools.lru_cache(maxsize=4096)
def row_hay(title: str | None, blob: bytes | None) -> str:
    """``hay`` of a stored row (its title and body blob). Kept for the rows read last (~5 MB a
    worker): the rows of common words are candidates of query after query, and a hay costs ~3 µs
    to make — a query at 80,000 articles reads a few hundred rows."""
    return hay(title or "", body_text(blob))


class IndexUnavailable(Exception):
    """No usable index: ``reason`` is missing, corrupt or stale (another schema/segmenter)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason


class LockError(Exception):
    """Another process holds the write lock."""


@contextlib.contextmanager
def write_lock(index_dir: Path, timeout: float):
    """The one-writer lock (across processes), waiting up to ``timeout`` seconds."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, timeout)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise LockError(f"search index {index_dir} is being written by another process") from e
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def signature() -> str:
    """Changes when the schema, the segmenter or its user dictionary change (→ rebuild)."""
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION};seg={tokenizer.backend_name()};".encode())
    userdict = tokenizer.userdict_path()
    h.update(userdict.read_bytes() if userdict.exists() else b"")
    h.update(repr(sorted(departments.DEPARTMENTS.items())).encode())
    return h.hexdigest()[:16]


def current_dir(index_dir: Path) -> Path | None:
    try:
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    return Path(index_dir) / name


def new_dir(index_dir: Path) -> Path:
    name = f"ix-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{int(time.time() * 1e6) % 1_000_000:06d}"
    path = Path(index_dir) / name
    path.mkdir(parents=True)
    return path


def switch_current(index_dir: Path, ix_dir: Path) -> None:
    """Make ``ix_dir`` the live index (atomic rename) and remove the older ones."""
    tmp = Path(index_dir) / f".{CURRENT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(ix_dir.name, encoding="utf-8")
    os.replace(tmp, Path(index_dir) / CURRENT_FILE)
    for p in Path(index_dir).iterdir():  # readers holding old files keep their open handles
        if p.is_dir() and p.name.startswith("ix-") and p.name != ix_dir.name:
            shutil.rmtree(p, ignore_errors=True)


def read_meta(ix_dir: Path) -> dict:
    return json.loads((ix_dir / META_FILE).read_text(encoding="utf-8"))


def write_meta(ix_dir: Path, meta: dict) -> None:
    path = ix_dir / META_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Stamp:
    """What a reader opened: the directory and the identity of its files (cheap to compare)."""

    ix_dir: Path
    files: tuple

    @classmethod
    def of(cls, ix_dir: Path) -> Stamp:
        ids = []
        for name in (MAIN_FILE, CHARS_FILE, META_FILE):
            st = (ix_dir / name).stat()
            ids.append((st.st_ino, st.st_mtime_ns if name == META_FILE else 0))
        return cls(ix_dir, tuple(ids))


def stamp(index_dir: Path) -> Stamp:
    """The live index's stamp; raises IndexUnavailable("missing") when there is none."""
    ix_dir = current_dir(index_dir)
    if ix_dir is None:
        raise IndexUnavailable("missing")
    try:
        return Stamp.of(ix_dir)
    except OSError as e:
        raise IndexUnavailable("missing", str(e)) from e


def connect(ix_dir: Path, write: bool = False) -> sqlite3.Connection:
    """The index's two files as one connection (``chars`` attached)."""
    mode = "rwc" if write else "ro"
    conn = sqlite3.connect(f"file:{ix_dir / MAIN_FILE}?mode={mode}", uri=True, check_same_thread=False,
                           isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS chars", (f"file:{ix_dir / CHARS_FILE}?mode={mode}",))
    return conn


def open_index(index_dir: Path) -> tuple[sqlite3.Connection, dict, Stamp]:
    """(connection, meta, stamp) of the live index; raises IndexUnavailable saying why not."""
    st = stamp(Path(index_dir))
    try:
        meta = read_meta(st.ix_dir)
    except (OSError, ValueError) as e:
        raise IndexUnavailable("corrupt", f"metadata unreadable ({e})") from e
    if meta.get("signature") != signature():
        raise IndexUnavailable("stale", "built with another schema, segmenter or user dictionary")
    conn = None
    try:
        conn = connect(st.ix_dir)
        clauses = conn.execute("SELECT count(*) FROM clause").fetchone()[0]
        conn.execute("SELECT rowid FROM chars.chars WHERE chars MATCH '\"abc\"' LIMIT 1").fetchall()
        conn.execute("SELECT rowid FROM words WHERE words MATCH '\"x\"' LIMIT 1").fetchall()
        if clauses != meta.get("clauses"):
            raise IndexUnavailable("corrupt", "clause count differs from metadata")
    except sqlite3.Error as e:
        if conn is not None:
            conn.close()
        raise IndexUnavailable("corrupt", f"{type(e).__name__}: {e}") from e
    except IndexUnavailable:
        conn.close()
        raise
    return conn, meta, st

