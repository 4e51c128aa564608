"""Values as the exported files may hold them: .xlsx cells and sheet titles, .docx text, file names.

Whatever is stored — typed before `portal/text.py` normalised input, or written by a sync — an export
never fails on it: openpyxl refuses control characters in a cell (IllegalCharacterError, a 500 for
everyone whose 台账 included that duty) and characters / \\ ? * [ ] : in a sheet title, python-docx
refuses anything XML 1.0 cannot hold. And user text stays text in Excel: a leading = + - @ would make
it a formula (CSV too).
"""
from __future__ import annotations

from datetime import datetime

from portal.core.time import to_local
from portal.text import clean_text

# Dates and times in an .xlsx cell read as on the pages: 2022年9月1日, 2022年9月1日 14:30.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def local_cell(value):
    """The one place exports turn a stored time (naive UTC) into the city's local time.
    Rows carry stored values; every writer calls this, nothing else converts."""
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX = 32767  # Excel's limit for one cell's text
SHEET_TITLE_MAX = 31
# A sheet title may not hold these; their full-width forms read the same to a Chinese reader.
SHEET_TITLE_SWAPS = str.maketrans({"/": "／", "\\": "＼", "?": "？", "*": "＊", "[": "［", "]": "］", ":": "："})


def safe_cell(value):
    """A value for an .xlsx or .csv cell: text without control characters, never a formula."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if len(text) > CELL_MAX:
        text = text[:CELL_MAX - 1] + "…"
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_title(title: str, fallback: str = "工作表") -> str:
    """A title Excel accepts: one line, no / \\ ? * [ ] :, no leading or trailing apostrophe, 31 characters."""
    text = " ".join(clean_text(str(title), single_line=True).translate(SHEET_TITLE_SWAPS).split())
    text = text[:SHEET_TITLE_MAX].strip("'").strip()
    return text or fallback


def docx_text(value) -> str:
    """Text a .docx paragraph or table cell can hold (line breaks kept)."""
    return clean_text("" if value is None else str(value))


# Characters no file name may hold on Windows (and / anywhere); full-width forms would not do here:
# the ASCII fallback of Content-Disposition (NFKD) turns them back into these.
FILE_NAME_SWAPS = str.maketrans(dict.fromkeys('<>:"/\\|?*', "_"))


def download_name(name: str) -> str:
    """A file name for Content-Disposition: one line, no path separators, reserved or control characters."""
    text = " ".join(clean_text(name, single_line=True).translate(FILE_NAME_SWAPS).split())
    return text or "导出.xlsx"
