"""What one index generation's lookups answered, kept for the next query asking the same.

A common word's best matches cost the word index a BM25 pass over every clause holding it
(民政, 15,000 clauses at 80,000 articles: tens of milliseconds), and the character index lists
every trigram a common two-character word starts (``Ranker._short``) — the same answer each time
the word is asked, until the index changes. The engine keeps one ``Memo`` per generation
(``engine._Generation``: a rebuild or an update starts an empty one), so an answer is never read
from another index. Only lookups that took at least ``COSTLY`` seconds are kept (a rare word's
cost nothing to ask again, and keeping them would push the common words' out), each at most
``LARGEST`` ids, and at most ``KEPT`` of them (the least recently asked go first): a few megabytes.
"""
from __future__ import annotations

import threading
import time
from array import array
from collections import OrderedDict

KEPT = 4096       # lookups kept per generation (the warm-up of an 80,000-article library keeps ~1,800)
LARGEST = 1200    # ids of one lookup kept (BOUNDED + 1: the most any lookup asks)
COSTLY = 0.001    # seconds a lookup took for its answer to be kept


class Memo:
    """Thread-safe; values are id sets (stored compactly) or small values (counts, expressions)."""

    def __init__(self, kept: int = KEPT):
        self.most = kept
        self._held: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            value = self._held.get(key)
            if value is not None:
                self._held.move_to_end(key)
        if isinstance(value, array):
            return set(value)
        return value

    def kept(self, key: tuple, run):
        """The answer kept for ``key``, else ``run()``'s (kept when it was costly)."""
        value = self.get(key)
        if value is None:
            started = time.perf_counter()
            value = run()
            if time.perf_counter() - started >= COSTLY:
                self.put(key, value)
        return value

    def put(self, key: tuple, value) -> None:
        if isinstance(value, set):
            if len(value) > LARGEST:
                return
            value = array("q", sorted(value))
        with self._lock:
            self._held[key] = value
            self._held.move_to_end(key)
            while len(self._held) > self.most:
                self._held.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()

    def __len__(self) -> int:
        return len(self._held)
