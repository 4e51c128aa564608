"""Uploaded file names made safe to show and store. Pure functions."""
from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

# Control (Cc), format (Cf: the bidirectional overrides and isolates U+202A–202E, U+2066–2069,
# marks, zero-width characters, BOM), line/paragraph separators, surrogates and unassigned code
# points. `报告\u202Egnp.pdf` would otherwise display as 报告fdp.png.
_DROP = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def clean_filename(raw: str, max_length: int = 200) -> str:
    """The last path component of `raw`, without invisible or control characters, whitespace
    collapsed, trimmed; empty when nothing printable is left."""
    text = "".join(" " if c.isspace() else c for c in unicodedata.normalize("NFC", raw or ""))  # tabs, newlines
    text = "".join(c for c in text if unicodedata.category(c) not in _DROP)
    text = PureWindowsPath(PurePosixPath(text).name).name
    text = " ".join(text.split()).strip(" .")
    if len(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: max_length - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else text[:max_length]
    return text
