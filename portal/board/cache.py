"""A small per-process cache of rendered board fragments and 通报 files, keyed by the data stamp.

The key holds `services.data_stamp()` (changes with any write the board reflects, and with the
date), who is looking (scope) and the query string, so a hit is always what a fresh render would
give. Each gunicorn worker keeps its own; nothing is shared or persisted.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

MAX_ENTRIES = 128
_entries: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def get_or_render(key: tuple, render: Callable[[], T]) -> T:
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    html = render()
    with _lock:
        _entries[key] = html
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _entries.clear()
