"""Is a duty's wording the 方案's own? Pure text checks, no Flask.

A checklist item or a note sentence counts as *quoted* from a clause when it can be cut into
fragments of the clause text, in the clause's order: each fragment at least two characters
long (a single joining character such as 、 和 及 is allowed between fragments). Punctuation,
spaces and clause labels in brackets such as （三（一）1） are ignored. So 消防制度 is quoted
from "建立健全消防、食品卫生……等制度", while 核对需迁移户口儿童名单 is not quoted from a clause
that never says 核对: such a step is the office's own 工作安排 and must be marked as one.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

# Full-width and ASCII punctuation, quotation marks and spaces: not part of the wording.
_PUNCT_RE = re.compile(r"[\s，。、；：！？“”‘’（）《》〔〕【】「」…—,.;:!?()\[\]\"'·-]")
# A clause label in brackets, e.g. （三（一）1） or （四（二）公安部门“按程序送交”） is not wording.
_LABEL_RE = re.compile(r"（(?:[一二三四五六七八九十]+(?:（[一二三四五六七八九十]+）)?\d*(?:第\d段)?)(?:[；、，][^（）]*)?）")
JOINERS = set("和及与或、等的并")
SENTENCE_RE = re.compile(r"[。；]")


def normalise(text: str) -> str:
    return _PUNCT_RE.sub("", _LABEL_RE.sub("", text))


def quoted_from(text: str, source: str) -> bool:
    """True when ``text`` is cut from ``source`` in order (see the module docstring)."""
    want, src = normalise(text), normalise(source)
    if not want:
        return True
    i, pos = 0, 0
    while i < len(want):
        best_len, best_at = 0, -1
        # longest fragment starting at want[i] that occurs in src at or after pos
        lo, hi = 2, len(want) - i
        while lo <= hi:
            mid = (lo + hi) // 2
            at = src.find(want[i:i + mid], pos)
            if at >= 0:
                best_len, best_at = mid, at
                lo = mid + 1
            else:
                hi = mid - 1
        if best_len:
            pos = best_at + best_len
            i += best_len
        elif want[i] in JOINERS:
            i += 1
        else:
            return False
    return True


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in SENTENCE_RE.split(text)) if normalise(s)]


def unquoted_sentences(text: str, sources: Iterable[str]) -> list[str]:
    """Sentences of ``text`` that are not quoted from any one of ``sources``."""
    sources = list(sources)
    return [s for s in sentences(text) if not any(quoted_from(s, src) for src in sources)]
