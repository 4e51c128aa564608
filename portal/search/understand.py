"""What the person meant: a query as typed → the query the engine searches, and what changed.

In order, each step only when the query as typed would not find it:

1. **traditional → simplified** (OpenCC's ``t2s`` table, ``opencc-python-reimplemented``): 收養登記 →
   收养登记 — only when the text changes and the text as typed is found nowhere;
2. **pinyin → characters**: a run of Latin letters that is no word of the library becomes the
   library's own words with that sound — full pinyin (``linshi jianhu`` → 临时监护, ``shouyang
   tiaojian`` → 收养条件) or, a run at a time, initials (``lsjh`` → 临时监护); the most frequent
   word wins when two sound alike;
3. **same-sound typos**: a piece of the query (whole words as segmented) that the library never
   holds becomes a library word with the same pinyin differing in one character (two from five
   characters): 家庭寄样 → 家庭寄养, 临时监户 → 临时监护. Never a guess: the corrected word is in the
   library, the typed one is not, and the typed one is read with its characters' commonest
   readings (卖烟 is maiyan, never 卖淫) and is no everyday word the library reads (colloquial.txt);
4. **a law named by its name or abbreviation** (未保法 强制报告, 民法典 收养条件): the rest of the
   query is searched in that law (when the query as typed is held nowhere as a whole and the rest
   is not empty); the page says so and links to the search as typed.

``understand(text, library)`` is pure: ``library`` answers the few look-ups it needs (``Library``).
The page shows 「已按“…”搜索」 with a link to search the text as typed (``literal``).
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Protocol

from portal.search import phrasing, pinyin, spelling, tokenizer
from portal.search.query import everyday_words, synonyms

HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
LATIN_RUN = re.compile(r"[A-Za-züÜ]+(?:[\s'’]+[A-Za-züÜ]+)*")
QUOTES = re.compile("[\"“”「」『』＂]")
MAX_LETTERS = 48          # a longer Latin run is not taken for pinyin
MAX_PIECE = 40            # letters of one word's full pinyin at most
WINDOW_WORDS = 4          # query words a typo window spans at most
MIN_DF = 2                # a correction must be a word at least this many clauses hold
LOOKALIKE_HELD = 4        # … or, for a look-alike, a text of this many characters some clause holds


class Library(Protocol):
    def terms_for(self, keys: list[str]) -> dict[str, list[tuple[str, int]]]: ...   # key → [(word, df)]
    def df(self, word: str) -> int: ...
    def holds(self, text: str) -> bool: ...
    def law_names(self) -> dict[str, tuple[str, str]]: ...   # name → (doc id, title)


@dataclass
class Understood:
    text: str                                     # what to search
    changes: list[str] = field(default_factory=list)   # 简体 | 拼音 | 纠错 (what was done)
    doc: str | None = None                        # a law the query named: search the rest in it
    doc_title: str = ""
    rest: str = ""                                # the query without the law's name (searched in ``doc``)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# ---------------------------------------------------------------- traditional → simplified

_converter = None
_converter_lock = threading.Lock()


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s, loaded once per process)."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                from opencc import OpenCC  # lazy: heavy library, loaded on the first traditional text

                _converter = OpenCC("t2s")
    return _converter.convert(text)


# ---------------------------------------------------------------- pinyin → characters


def _pinyin_run(run: str, lib: Library) -> str | None:
    """A run of Latin letters as the library's words that sound like it, or None: as typed, else
    with the fewest fuzzy changes (sou yang → shouyang) when one spelling alone finds words."""
    tokens = [pinyin.letters(t) for t in re.split(r"[\s'’]+", run) if t]
    tokens = [t for t in tokens if t]
    joined = "".join(tokens)
    if len(joined) < 2 or len(joined) > MAX_LETTERS:
        return None
    if all(lib.df(t) for t in tokens):  # words the library holds as typed (an English term, a code)
        return None
    lib = _WithEveryday(lib)
    found = _full(joined, tokens, lib) or _initials(tokens, lib)
    if found:
        return found
    spellings = spelling.fuzzy_spellings(tokens)
    lib.prefetch([pinyin.FULL + s[i:j] for _, ts in spellings for s in ["".join(ts)]
                  for i in range(len(s)) for j in range(i + 2, min(len(s), i + MAX_PIECE) + 1)])
    best: dict[int, set[str]] = {}
    for changes, ts in spellings:
        if best and changes > min(best):
            break
        spelled = _full("".join(ts), ts, lib)
        if spelled:
            best.setdefault(changes, set()).add(spelled)
    fewest = best.get(min(best)) if best else None
    return next(iter(fewest)) if fewest and len(fewest) == 1 else None  # two spellings: no guess


class _WithEveryday:
    """The library's pinyin keys, and those of the everyday words the content files read (dibao →
    低保, then searched as 最低生活保障), a look-up at a time or prefetched."""

    def __init__(self, lib: Library):
        self.lib, self.cache = lib, {}

    def prefetch(self, keys: list[str]) -> None:
        keys = [k for k in dict.fromkeys(keys) if k not in self.cache]
        found = self.lib.terms_for(keys)
        everyday = _everyday_keys()
        for k in keys:
            self.cache[k] = found.get(k, []) + [(w, 1) for w in everyday.get(k, ())]

    def terms_for(self, keys: list[str]) -> dict[str, list[tuple[str, int]]]:
        self.prefetch(keys)
        return {k: self.cache[k] for k in keys if self.cache.get(k)}

    def df(self, word: str) -> int:
        return self.lib.df(word)


_everyday: tuple[int, dict[str, tuple[str, ...]]] | None = None


def _everyday_keys() -> dict[str, tuple[str, ...]]:
    """pinyin key → the everyday words (synonyms, colloquial, phrasing) that sound like it."""
    global _everyday
    held = _everyday
    if held is None or held[0] != tokenizer.generation():
        keys: dict[str, tuple[str, ...]] = {}
        for key, word in pinyin.rows(everyday_words() | phrasing.typed_forms()):
            keys[key] = keys.get(key, ()) + (word,)
        held = _everyday = (tokenizer.generation(), keys)
    return held[1]


def _full(s: str, tokens: list[str], lib: Library) -> str | None:
    """Cover ``s`` with the fewest library words whose full pinyin it spells (then the commonest)."""
    spans = {pinyin.FULL + s[i:j]: (i, j) for i in range(len(s)) for j in range(i + 2, min(len(s), i + MAX_PIECE) + 1)}
    found = lib.terms_for(list(spans))
    best_at: dict[int, list[tuple[int, int, str]]] = {}
    for key, words in found.items():
        i, j = spans[key]
        word, df = max(words, key=lambda w: (w[1], -len(w[0])))
        best_at.setdefault(i, []).append((j, df, word))
    n = len(s)
    # cost: (pieces, -sum of log df); dp[i] = best way to spell s[:i]
    dp: list[tuple[int, float, list[tuple[int, str]]] | None] = [None] * (n + 1)
    dp[0] = (0, 0.0, [])
    for i in range(n):
        if dp[i] is None:
            continue
        pieces, score, path = dp[i]
        for j, df, word in best_at.get(i, []):
            cand = (pieces + 1, score - math.log(1 + df), path + [(j, word)])
            if dp[j] is None or cand[:2] < dp[j][:2]:
                dp[j] = cand
    if dp[n] is None:
        return None
    bounds = set()
    pos = 0
    for t in tokens[:-1]:
        pos += len(t)
        bounds.add(pos)
    out = []
    for j, word in dp[n][2]:
        out.append(word + (" " if j in bounds else ""))
    return "".join(out).strip()


def _initials(tokens: list[str], lib: Library) -> str | None:
    """Each token the initials of one library word (lsjh → 临时监护): the commonest such word."""
    keys = [pinyin.INITIALS + t for t in tokens]
    if any(len(t) < 2 or len(t) > pinyin.LONGEST for t in tokens):
        return None
    found = lib.terms_for(keys)
    words = []
    for k, t in zip(keys, tokens, strict=True):
        cands = [w for w in found.get(k, []) if len(w[0]) == len(t)]
        if not cands:
            return None
        words.append(max(cands, key=lambda w: w[1])[0])
    return " ".join(words)


def from_pinyin(text: str, lib: Library) -> str:
    """``text`` with each Latin run that is pinyin for library words written in those words."""
    def one(m: re.Match) -> str:
        return _pinyin_run(m.group(0), lib) or m.group(0)

    return LATIN_RUN.sub(one, text)


# ---------------------------------------------------------------- same-sound typos


def _differs(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def _correction(window: str, lib: Library) -> str | None:
    """A library word sounding like ``window`` and differing in a character or two, when the
    library holds that word (MIN_DF clauses) and never ``window`` itself."""
    if lib.df(window) or synonyms(window) or window in phrasing.typed_forms():  # a word of the library, or an everyday word it reads
        return None
    key = pinyin.first_key(window)
    if not key:
        return None
    keys = [key]
    allowed = 1 if len(window) < 5 else 2
    cands = [(w, df) for ws in lib.terms_for(keys).values() for w, df in ws
             if len(w) == len(window) and w != window and df >= MIN_DF and _differs(w, window) <= allowed]
    if not cands:  # a look-alike character (末成年人 → 未成年人): one, from the reviewed list
        variants = spelling.lookalike_variants(window, _lookalikes())
        cands = [(v, n) for v in variants if (n := lib.df(v)) >= MIN_DF]
        if not cands and len(window) >= LOOKALIKE_HELD:  # 人身安全保护今: a longer text the library holds
            cands = [(v, 1) for v in variants if lib.holds(v)][:1]
    if not cands:
        return None
    best = max(cands, key=lambda c: (-_differs(c[0], window), c[1]))[0]
    return None if lib.holds(window) else best


_lookalike: tuple[int, dict[str, str]] | None = None


def _lookalikes() -> dict[str, str]:
    """The content folder's look-alike characters (search/lookalike.txt), re-read when it changes."""
    global _lookalike
    held = _lookalike
    if held is None or held[0] != tokenizer.generation():
        held = _lookalike = (tokenizer.generation(), spelling.read_lookalikes(tokenizer.search_dir() / spelling.LOOKALIKE_NAME))
    return held[1]


def _correct_run(run: str, lib: Library) -> str:
    """One run of characters with its same-sound typos corrected (longest windows first)."""
    words = [(s, e) for _, s, e in tokenizer.words(run)]
    i, out, last = 0, [], 0
    while i < len(words):
        for size in range(min(WINDOW_WORDS, len(words) - i), 0, -1):
            s, e = words[i][0], words[i + size - 1][1]
            window = run[s:e]
            if len(window) < 2 or not HAN_RUN.fullmatch(window):
                continue
            fixed = _correction(window, lib)
            if fixed:
                out += [run[last:s], fixed]
                last, i = e, i + size
                break
        else:
            i += 1
    return "".join(out) + run[last:]


def corrected(text: str, lib: Library) -> str:
    """``text`` with same-sound typos corrected in each run of characters the library never holds."""
    def one(m: re.Match) -> str:
        run = m.group(0)
        if len(run) < 2 or lib.holds(run):
            return run
        return _correct_run(run, lib)

    return HAN_RUN.sub(one, text)


# ---------------------------------------------------------------- a law named in the query


def named_law(text: str, lib: Library) -> tuple[str, str, str] | None:
    """(doc id, title, the query without the name) when the query names one law by its title,
    short title or abbreviation and says more than that."""
    names = lib.law_names()
    plain = text.replace("《", " ").replace("》", " ")
    best = None
    for name, (doc, title) in names.items():
        if name in plain and (best is None or len(name) > len(best[0])):
            best = (name, doc, title)
    if best is None:
        return None
    name, doc, title = best
    rest = " ".join(plain.replace(name, " ", 1).split())
    if not tokenizer.WORD_CHAR.search(rest):
        return None
    return doc, title, rest


# ---------------------------------------------------------------- all of it


def understand(text: str, lib: Library) -> Understood:
    """The query to search for ``text`` (already cleaned), and what was changed."""
    out = Understood(text=text)
    if not text or lib.holds(" ".join(tokenizer.normalise(text).lower().split())):
        return out
    simple = simplified(text)
    if simple != text:
        out.text = simple
        out.changes.append("简体")
    if LATIN_RUN.search(out.text):
        spelled = from_pinyin(out.text, lib)
        if spelled != out.text:
            out.text = spelled
            out.changes.append("拼音")
    fixed = out.text if QUOTES.search(out.text) else corrected(out.text, lib)  # a quoted phrase is meant as typed
    if fixed != out.text:
        out.text = fixed
        out.changes.append("纠错")
    law = named_law(out.text, lib)
    if law is not None and not lib.holds(" ".join(tokenizer.normalise(out.text).lower().split())):
        out.doc, out.doc_title, out.rest = law
    return out
