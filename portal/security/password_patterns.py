"""Detectors for guessable password shapes. Pure functions, used by portal/security/passwords.py.

Keyboard walks are judged on the keys pressed, not the characters: `1qaz@WSX` is 1-q-a-z then
Shift+2-w-s-x, the second column of a QWERTY keyboard after the first.
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache

# Shifted characters of a US/Chinese QWERTY keyboard and the key that types them.
_SHIFTED = dict(zip('!@#$%^&*()_+{}|:"<>?~', "1234567890-=[]\\;',./`", strict=True))
# Rows of keys with their horizontal offset in key widths (the rows are staggered).
_ROWS = (("`1234567890-=", 0.0), ("qwertyuiop[]\\", 0.5), ("asdfghjkl;'", 0.75), ("zxcvbnm,./", 1.25))
_POSITION = {key: (row, col + offset) for row, (keys, offset) in enumerate(_ROWS) for col, key in enumerate(keys)}


def normalise_keys(password: str) -> str:
    """The keys pressed, lower case: `1qaz@WSX` -> `1qaz2wsx`."""
    return "".join(_SHIFTED.get(c, c) for c in password.lower())


def _adjacent(a: str, b: str) -> bool:
    if a == b:
        return True
    pa, pb = _POSITION.get(a), _POSITION.get(b)
    if pa is None or pb is None:
        return False
    return abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


def is_keyboard_walk(keys: str) -> bool:
    """Neighbouring keys pressed one after another (rows, columns, diagonals: qwerty, 1qaz2wsx,
    zaq12wsx, qwer1234), allowing a jump between runs of at least four neighbouring keys."""
    if len(keys) < 4:
        return False
    jumps = sum(1 for a, b in itertools.pairwise(keys) if not _adjacent(a, b))
    return jumps <= (len(keys) - 1) // 4 and _runs_of_neighbours_are_long(keys)


def _runs_of_neighbours_are_long(keys: str) -> bool:
    run = 1
    for a, b in itertools.pairwise(keys):
        if _adjacent(a, b):
            run += 1
            continue
        if run < 4:
            return False
        run = 1
    return run >= 4 or run == len(keys)


def is_sequence(text: str) -> bool:
    """Each character one up or one down from the last (abcdefgh, 87654321), or all the same."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return len(steps) == 1 and steps <= {1, -1, 0}


def repeated_unit(text: str) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def _kind(c: str) -> str:
    return "digit" if c.isdigit() else "letter" if c.isalpha() else "symbol"


def _trivial_part(part: str, words: frozenset[str]) -> bool:
    """A part that adds next to nothing: one character, a sequence, a walk, a repeat, a common word,
    or at most four digits (a year, 1314, 520)."""
    return (len(part) <= 1 or is_sequence(part) or repeated_unit(part) or part in words
            or (len(part) >= 3 and is_keyboard_walk(part)) or (part.isdigit() and len(part) <= 4))


def trivially_patterned(keys: str, words: frozenset[str]) -> bool:
    """Up to three runs of one kind (letters, digits, symbols), each trivial (abc@1234, 1234abcd,
    mima@2026), every character doubled (aabb1122), or two or three characters interleaved, each strand a sequence or repeat (a1b2c3d4)."""
    if len(keys) % 2 == 0 and keys[::2] == keys[1::2]:
        return True  # every character typed twice (aabb1122): half a password
    runs = ["".join(g) for _, g in itertools.groupby(keys, key=_kind)]
    if len(runs) <= 3 and all(_trivial_part(run, words) for run in runs):
        return True
    for period in (2, 3):
        strands = [keys[i::period] for i in range(period)]
        if all(len(s) >= 3 and (is_sequence(s) or repeated_unit(s)) for s in strands):
            return True
    return False


# ---- the person's name in pinyin --------------------------------------------------------------


@lru_cache(maxsize=256)
def name_forms(display_name: str) -> tuple[frozenset[str], frozenset[str]]:
    """Pinyin forms of a Chinese name that a password must not contain, and forms that a password's
    letters must not be on their own (with only digits or symbols around them).

    张晓明: contains none of zhangxiaoming, xiaomingzhang, xiaoming; letters not zxm, zhangxm, zxiaoming.
    Surnames with several readings (单 shan/dan, 曾 zeng/ceng) give each reading."""
    from pypinyin import Style, lazy_pinyin, pinyin  # lazy: heavy library, loaded only when this runs

    # A roster name often carries a note in brackets (刘红（演示）, 王芳(盐湖区)): the person's name is
    # what stands outside them.
    bare = re.sub(r"[（(][^）)]*[）)]?", "", display_name)
    chars = [c for c in bare if "\u4e00" <= c <= "\u9fff"]
    if len(chars) < 2:
        return frozenset(), frozenset()
    given = [p for p in lazy_pinyin("".join(chars[1:])) if p.isalpha()]
    surnames = {p for p in pinyin(chars[0], style=Style.NORMAL, heteronym=True)[0] if p.isalpha()}
    contained, whole = set(), set()
    given_full, given_initials = "".join(given), "".join(p[0] for p in given)
    for surname in surnames:
        contained |= {surname + given_full, given_full + surname}
        whole |= {surname[0] + given_initials, surname + given_initials, surname[0] + given_full,
                  given_initials + surname[0]}
    if len(given_full) >= 4:
        contained.add(given_full)
    return frozenset(f for f in contained if len(f) >= 3), frozenset(whole)
