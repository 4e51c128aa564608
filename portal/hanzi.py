"""Traditional → simplified characters (OpenCC's ``t2s`` table, ``opencc-python-reimplemented``): the one
home of the conversion, for a query typed in traditional characters (`portal.search.understand`) and a
plan printed in them (`portal.plan_text`), whose names are matched to the register in simplified ones.

``simplified`` converts a text; ``is_traditional`` tells a text written in traditional characters from a
simplified one that holds a character OpenCC would also change (乾坤, 覆盖 → 复盖 as a phrase): a share of its
Han characters are traditional, not one.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

_converter = None
_converter_lock = threading.Lock()
HAN = re.compile(r"[\u4e00-\u9fff]")
TRADITIONAL_SHARE = 0.02  # of a text's Han characters that conversion changes: a text in traditional characters
SAMPLE = 2000  # characters enough to tell: a text is printed in one script throughout


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s, loaded once per process). OpenCC maps character for
    character, so the text keeps its length (a position in one is the same in the other)."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                from opencc import OpenCC  # lazy: its tables are read on the first conversion

                _converter = OpenCC("t2s")
    return _converter.convert(text)


@lru_cache(maxsize=4096)
def simplified_name(name: str) -> str:
    """A name in simplified characters, cached: names are compared many times (the unit register)."""
    return simplified(name)


@lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """The characters t2s changes when read alone (數, 牽, 頭 …; ~3,500), found once per process (~0.1 s)."""
    chars = [chr(code) for code in range(0x4E00, 0xA000)]
    return frozenset(c for c, s in zip(chars, simplified("\n".join(chars)).split("\n"), strict=False) if c != s)


def is_traditional(text: str) -> bool:
    """Whether ``text`` (its first SAMPLE characters) is written in traditional characters: a share of its Han
    characters are traditional ones, not one (乾 in 乾坤, 於 in a name)."""
    sample = text[:SAMPLE]
    han = len(HAN.findall(sample))
    if not han:
        return False
    traditional = traditional_characters()
    return sum(c in traditional for c in sample) >= max(2, TRADITIONAL_SHARE * han)
