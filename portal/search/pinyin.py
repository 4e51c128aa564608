"""Pinyin keys of the library's own words, for queries typed in pinyin and for same-sound typos.

The index keeps a ``pinyin`` table (``build``): for every word of 2–8 characters in the word index,
its toneless full pinyin (临时监护 → ``f:linshijianhu``) and its initials (``i:lsjh``), one row per
reading when a character has several (长期 → ``changqi`` and ``zhangqi``). Nothing is guessed from
outside the library: a pinyin query or a typo can only become a word the library holds.

Readings come from pypinyin's character table, read once per process (``readings``); pypinyin's
per-word conversion is ~180 µs a word, too slow for a library's vocabulary, and a word's reading in
context matters less here than finding every word a typed sound can stand for.
"""
from __future__ import annotations

import itertools
import re
import threading
import unicodedata

HAN = re.compile(r"^[\u3400-\u9fff]+$")
LETTERS = re.compile(r"[a-z]+")
SHORTEST, LONGEST = 2, 8      # words given keys (characters)
MAX_READINGS = 8              # keys per word at most (characters with several readings multiply)
# Words held by fewer clauses get no keys. A pinyin query or a typo stands for the words people
# type, which many clauses hold; a word of one clause (a place, a name, a segmenter's odd cut) is
# more than half a real library's vocabulary and its keys were a tenth of the index (1.0 of 22.6 MB
# at 20,000 articles), and a typed sound matching it beside a common word picks the common one anyway.
MIN_DF = 2
FULL, INITIALS = "f:", "i:"

_table: dict[str, tuple[str, ...]] | None = None
_lock = threading.Lock()


def _toneless(syllable: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))
    return plain.lower()


def _load() -> dict[str, tuple[str, ...]]:
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                from pypinyin.pinyin_dict import pinyin_dict  # lazy: heavy table (~0.7 s), read once on first use

                table: dict[str, tuple[str, ...]] = {}
                for code, spelled in pinyin_dict.items():
                    table[chr(code)] = tuple(dict.fromkeys(_toneless(s) for s in spelled.split(",") if s))
                _table = table
    return _table


def readings(ch: str) -> tuple[str, ...]:
    """The character's toneless readings (长 → zhang, chang); () for a character it has none for."""
    return _load().get(ch, ())


def keys(word: str, initials: bool = False) -> list[str]:
    """The word's keys: every combination of its characters' readings (at most MAX_READINGS)."""
    per_char = []
    for ch in word:
        rs = readings(ch)
        if not rs:
            return []
        per_char.append(tuple(dict.fromkeys(r[0] for r in rs)) if initials else rs)
    prefix = INITIALS if initials else FULL
    out = []
    for combo in itertools.product(*per_char):
        out.append(prefix + "".join(combo))
        if len(out) >= MAX_READINGS:
            break
    return list(dict.fromkeys(out))


def first_key(word: str) -> str | None:
    """The word's key read with each character's first (commonest) reading: what a typist meant to
    type. 烟 is read yan, not yin, so 卖烟 never becomes 卖淫."""
    first = [readings(ch)[:1] for ch in word]
    return FULL + "".join(r[0] for r in first) if all(first) else None


def rows(terms) -> list[tuple[str, str]]:
    """(key, term) rows of the ``pinyin`` table for the words among ``terms`` that get keys."""
    out: list[tuple[str, str]] = []
    for t in terms:
        if SHORTEST <= len(t) <= LONGEST and HAN.match(t):
            out += [(k, t) for k in keys(t)]
            out += [(k, t) for k in keys(t, initials=True)]
    return list(dict.fromkeys(out))


def letters(text: str) -> str:
    """Letters only, lower-cased, ü typed as v read as u (what the keys hold)."""
    return "".join(LETTERS.findall(text.lower().replace("v", "u").replace("ü", "u")))
