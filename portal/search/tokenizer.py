"""Chinese word segmentation for search: one segmenter per process, with the domain dictionary.

* ``words(text)`` — main words (jieba's default segmentation) with character offsets, lower-cased
  and full-width folded; what queries are made of and what highlighting marks;
* ``tokens(text)`` — main words, each followed by the dictionary words inside it (儿童福利机构 →
  儿童, 福利, 机构, 儿童福利, 福利机构), so the highlighter can mark the whole compound a part
  of it matched;
* ``index_text(text)`` — the word index's input: jieba's search mode, space-separated;
* the segmenter and the domain user dictionary load once per process (``segmenter()``).

The dictionary (``userdict.txt``) and the synonyms (``synonyms.txt``, read by ``query``) are
content: they live in ``<content>/search/``, the content folder being ``PORTAL_CONTENT_DIR`` (or
the project's ``content/``) until the app says otherwise with ``use_content_dir`` (its
``CONTENT_DIR``; ``search.services`` does so before every search and build). Changing the folder
reloads the segmenter.

The backend is rjieba (Rust port, same dictionary, same segmentation with our user dictionary —
checked by tests/search/test_tokenizer.py) when installed, else jieba.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import threading
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
USERDICT_NAME = "userdict.txt"

# Full-width letters and digits → ASCII, the ideographic space → space: same length, so offsets
# stay valid. Punctuation (，（） …) is kept as typed: it is what Chinese text is written with.
_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_WIDTH[0x3000] = 0x20
_NEEDS_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
WORD_CHAR = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
MAX_SUBWORD = 6  # longest sub-word looked up inside a compound


def normalise(text: str) -> str:
    """Length-preserving normalisation applied before segmentation (index and query alike)."""
    return text.translate(_WIDTH) if _NEEDS_WIDTH.search(text) else text


_search_dir: Path | None = None  # <content>/search once the app has said which content folder


def search_dir() -> Path:
    """The folder of the search dictionary and synonyms: ``<content>/search``."""
    if _search_dir is not None:
        return _search_dir
    return Path(os.environ.get("PORTAL_CONTENT_DIR") or ROOT / "content") / "search"


_generation = 0  # bumped when the folder changes: what the loaded segmenter and synonyms compare


def use_content_dir(content_dir: str | Path | None) -> None:
    """Read the dictionary and synonyms from ``content_dir/search`` from now on (None: back to
    PORTAL_CONTENT_DIR or the project's content/). A change of folder reloads the segmenter and
    the synonyms on their next use."""
    global _search_dir, _generation
    folder = Path(content_dir) / "search" if content_dir is not None else None
    if folder != _search_dir:
        _search_dir = folder
        _generation += 1


def generation() -> int:
    """Changes whenever ``use_content_dir`` points at another folder (cheap to compare)."""
    return _generation


def userdict_path() -> Path:
    return search_dir() / USERDICT_NAME


def read_userdict(path: Path | None = None) -> list[tuple[str, int | None, str | None]]:
    path = path or userdict_path()
    entries = []
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        entries.append((word, freq, tag))
    return entries


class Segmenter:
    """One loaded segmenter: ``tokenize(text)`` → [(word, start, end)], ``has_word(w)``."""

    name = "?"

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        raise NotImplementedError

    def has_word(self, word: str) -> bool:
        raise NotImplementedError

    def cut_for_search(self, text: str) -> list[str]:
        raise NotImplementedError


class JiebaSegmenter(Segmenter):
    name = "jieba"

    def __init__(self, userdict: Path | None = None):
        import jieba  # lazy: heavy library, loaded only when this runs

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for word, freq, tag in read_userdict(userdict):
            self._tk.add_word(word, freq, tag)
        self._freq = self._tk.FREQ

    def tokenize(self, text):
        return list(self._tk.tokenize(text, mode="default", HMM=True))

    def has_word(self, word):
        return bool(self._freq.get(word))

    def cut_for_search(self, text):
        return list(self._tk.cut_for_search(text, HMM=True))


class RjiebaSegmenter(Segmenter):
    name = "rjieba"

    def __init__(self, userdict: Path | None = None):
        import rjieba  # lazy: heavy library, loaded only when this runs

        self._tk = rjieba.Jieba()
        for word, freq, tag in read_userdict(userdict):
            self._tk.add_word(word, freq, tag)

    def tokenize(self, text):
        return self._tk.tokenize(text, "default", True)

    def has_word(self, word):
        return self._tk.has_word(word)

    def cut_for_search(self, text):
        return self._tk.cut_for_search(text, True)


_lock = threading.Lock()
_segmenter: Segmenter | None = None
_segmenter_generation = -1  # the folder generation _segmenter was loaded for
_pid: int | None = None


def backend_name() -> str:
    """The backend ``segmenter()`` will use: PORTAL_SEGMENTER=jieba|rjieba forces one."""
    forced = os.environ.get("PORTAL_SEGMENTER", "").strip().lower()
    if forced in ("jieba", "rjieba"):
        return forced
    try:
        import rjieba  # noqa: F401  (lazy: only asks whether it is installed)
    except ImportError:
        return "jieba"
    return "rjieba"


def segmenter() -> Segmenter:
    """The process-wide segmenter, loaded (with the user dictionary) on first use."""
    global _segmenter, _segmenter_generation, _pid
    if _segmenter is None or _segmenter_generation != _generation:
        with _lock:
            if _segmenter is None or _segmenter_generation != _generation:
                name = backend_name()
                userdict = userdict_path()
                _segmenter = RjiebaSegmenter(userdict) if name == "rjieba" else JiebaSegmenter(userdict)
                _segmenter_generation = _generation
                _pid = os.getpid()
                _subwords.cache_clear()
                log.debug("search segmenter %s loaded", name)
    return _segmenter


@functools.lru_cache(maxsize=200_000)
def _subwords(word: str) -> tuple[tuple[str, int, int], ...]:
    """Dictionary words strictly inside ``word``: (sub, start, end) relative to the word."""
    n = len(word)
    if n < 3 or not WORD_CHAR.match(word):
        return ()
    has = _segmenter.has_word
    out = []
    for size in range(min(n - 1, MAX_SUBWORD), 1, -1):  # longer parts first
        for i in range(0, n - size + 1):
            sub = word[i:i + size]
            if has(sub):
                out.append((sub, i, i + size))
    return tuple(out)


def subwords(word: str) -> tuple[tuple[str, int, int], ...]:
    """Dictionary words strictly inside ``word`` with offsets relative to it."""
    segmenter()
    return _subwords(word)


def words(text: str) -> list[tuple[str, int, int]]:
    """Main words with offsets, punctuation and spaces dropped (already lower-cased)."""
    seg = segmenter()
    out = []
    for w, s, e in seg.tokenize(normalise(text)):
        if WORD_CHAR.search(w):
            out.append((w.lower(), s, e))
    return out


def tokens(text: str, subwords: bool = True):
    """(word, start, end, position, is_subword) for the text, compounds before their parts."""
    segmenter()
    for pos, (w, s, e) in enumerate(words(text)):
        yield w, s, e, pos, False
        if subwords:
            for sub, a, b in _subwords(w):
                yield sub, s + a, s + b, pos, True


def index_text(text: str) -> str:
    """The words of ``text`` for the word index, space-separated: jieba's search mode (each word,
    then the dictionary words of 2–3 characters inside the longer ones), so a query for a part
    (督导员) finds the compound (儿童督导员)."""
    seg = segmenter()
    return " ".join(seg.cut_for_search(normalise(text)))
