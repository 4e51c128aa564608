"""Snippets: an HTML-escaped window of a clause with the matched words marked.

The window is chosen on plain substring hits (cheap); the text is segmented only around them,
so the whole word is marked (儿童督导员, not 督导) and a quoted phrase or pasted fragment is
marked where it occurs.
"""
from __future__ import annotations

import html
from bisect import bisect_left
from collections.abc import Iterable

from portal.search import tokenizer

SNIPPET_CHARS = 120


def snippet(text: str, terms: set[str], phrases: Iterable[str] = (), size: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped window of ``text`` with whole matched words in <mark>…</mark>.

    A word matches when it, or a dictionary word inside it, is a query term; the whole word
    is marked (儿童督导员, not 督导). Quoted phrases are marked where they occur.
    """
    text = text or ""
    if not text:
        return ""
    terms = {t.lower() for t in terms if t}
    # choose the window on plain substring hits (cheap), then segment only inside it
    wanted = terms | {_p for _p in (tokenizer.normalise(p.strip()).lower() for p in phrases) if _p}
    # full-width forms only matter for Latin letters and digits (translate is slow on long text)
    ascii_terms = any(c.isascii() for t in wanted for c in t)
    low = (tokenizer.normalise(text[:5000]) if ascii_terms else text[:5000]).lower()
    raw = sorted((i, i + len(t)) for t in wanted for i in _find_all(low, t))
    start, end = _window(text, raw, size)
    spans = _match_spans(text, terms, phrases, lo=start, hi=end, low=low)
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    body = "".join(out).replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _match_spans(text: str, terms: set[str], phrases: Iterable[str], lo: int = 0,
                 hi: int | None = None, low: str | None = None) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    probe = text[:5000]
    if low is None:
        low = tokenizer.normalise(probe).lower()
    hi = len(probe) if hi is None else hi
    # Segment only around places where a term occurs as a substring (cheap), then keep the
    # words that really are (or contain, as a dictionary word) a query term.
    hits = sorted(i for t in terms for i in _find_all(low, t, start=max(0, lo - len(t) + 1), end=hi + len(t) - 1))
    regions = _merge((max(0, i - 12), min(len(probe), i + 24)) for i in hits)
    spans += _word_spans(low, len(probe), regions, terms)
    spans += _phrase_spans(low, phrases)
    return _merge(sorted(spans))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _word_spans(low: str, size: int, regions: list[tuple[int, int]], terms: set[str]) -> list[tuple[int, int]]:
    """Segment each piece once (main words); a word holding a term is marked whole, except
    a word cut by the piece's edge, where the term itself is marked."""
    spans: list[tuple[int, int]] = []
    seg = tokenizer.segmenter()
    for a, b in regions:
        piece = low[a:b]
        for w, s, e in seg.tokenize(piece):
            if not any(t in w for t in terms):
                continue
            s, e = a + s, a + e
            if (s == a and a > 0) or (e == b and b < size):
                for t in terms:
                    j = low.find(t, s, e)
                    if j >= 0:
                        spans.append((j, j + len(t)))
            else:
                spans.append((s, e))
    return spans


def _phrase_spans(low: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Every occurrence of each quoted phrase."""
    spans: list[tuple[int, int]] = []
    for p in phrases:
        p = tokenizer.normalise(p.strip()).lower()
        if not p:
            continue
        i = low.find(p)
        while i >= 0:
            spans.append((i, i + len(p)))
            i = low.find(p, i + len(p))
    return spans


def _find_all(hay: str, needle: str, cap: int = 50, start: int = 0, end: int | None = None):
    """Where ``needle`` starts in ``hay[start:end]`` (the whole match inside), the first ``cap``."""
    if not needle:
        return
    end = len(hay) if end is None else end
    i = hay.find(needle, start, end)
    n = 0
    while i >= 0 and n < cap:
        yield i
        n += 1
        i = hay.find(needle, i + 1, end)


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    if len(text) <= size:
        return 0, len(text)
    if not spans:
        return 0, size
    # the window (starting at a match) holding the most matches (starts counted: O(n log n))
    starts = sorted(a for a, _ in spans)
    best, best_n = starts[0], 0
    for i, s in enumerate(starts):
        n = bisect_left(starts, s + size) - i
        if n > best_n:
            best, best_n = s, n
    start = max(0, best - 20)
    # begin at a sentence start when one is near
    cut = max(text.rfind(ch, start, best) for ch in "。；;！？\n")
    if cut >= 0 and best - cut <= 40:
        start = cut + 1
    end = min(len(text), start + size)
    return start, end
