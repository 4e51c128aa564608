"""Text as it is stored: one normalisation for everything people type or import.

Word's manual line break (U+000B), form feeds, Unicode line/paragraph separators and NEL become
``\\n`` (CR LF and CR too: browsers send a textarea's lines as CR LF); every other control
character (ESC, BEL, DEL, the C1 range), unpaired surrogates and the non-characters U+FFFE/U+FFFF
are dropped. Tabs stay. What is left is valid in XML 1.0, so every .xlsx and .docx can hold it, and
a length counted in the browser is the length the server counts. Single-line fields get the line
breaks as spaces.

Requests are normalised as they arrive (`normalise_request`, every form field and query argument);
files read by the portal (the roster) call `clean_text` on each cell. What was stored before this
existed is made safe on the way out (`portal/export_text.py`).
"""
from __future__ import annotations

import re

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls but tab and line feed, DEL, C1, surrogates, U+FFFE/U+FFFF.
DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
NEEDS_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str, single_line: bool = False) -> str:
    text = DROPPED.sub("", LINE_BREAKS.sub("\n", value)) if NEEDS_WORK.search(value) else value
    return text.replace("\n", " ") if single_line else text


def _cleaned(pairs: ImmutableMultiDict) -> ImmutableMultiDict | None:
    """A copy with every value cleaned, or None when nothing needed it (the common case, no copy)."""
    if not any(isinstance(v, str) and NEEDS_WORK.search(v) for v in pairs.values()):
        return None
    return type(pairs)((k, clean_text(v) if isinstance(v, str) else v) for k, v in pairs.items(multi=True))


def normalise_request() -> None:
    """before_request: the form and the query string as every view should see them (after NUL bytes
    were refused by `portal.web.inputs.refuse_nul_bytes`)."""
    args = _cleaned(request.args)
    if args is not None:
        request.args = args
    if request.method in ("POST", "PUT", "PATCH"):
        form = _cleaned(request.form)
        if form is not None:
            request.form = form
