"""A download's file name in the Content-Disposition header: the Chinese name as RFC 5987 `filename*`,
and a readable ASCII `filename` for the clients that do not read it (werkzeug's own fallback drops
every Chinese character: 「督办通知单（2026年第1号）.docx」 became "(20261).docx")."""
from __future__ import annotations

import re
from urllib.parse import quote


def attachment(name: str, ascii_name: str) -> str:
    """`attachment; filename="<ascii_name>"; filename*=UTF-8''<name>`; ascii_name is cut to safe characters."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
