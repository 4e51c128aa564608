"""Form controls that read the same in every browser: dates typed as 2026年12月31日 or 2026-12-31,
months chosen from a list of 年月, file pickers labelled in Chinese (templates/_controls.html).

Native date/month/file inputs take their labels from the browser's locale (mm/dd/yyyy, Choose
File), so an English-language Chromium shows English; these controls do not depend on it.
"""
from __future__ import annotations

import re
from datetime import date

from wtforms import StringField

DATE_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")
# The one home of what a date box says: its example, and why a typed date is refused.
FIRST_YEAR, LAST_YEAR = 2000, 2099
DATE_EXAMPLE = "2026年12月31日"
DATE_HINT = f"请按 {DATE_EXAMPLE} 或 2026-12-31 的格式填写日期。"
DATE_REQUIRED = f"请填写日期，如 {DATE_EXAMPLE}。"
DATE_RANGE = f"日期应在 {FIRST_YEAR}年1月1日 至 {LAST_YEAR}年12月31日 之间。"


def date_problem(text: str | None) -> str:
    """Why a typed date is not one the portal takes ("" when it is): the format, a day the month does
    not have (2026年2月30日), or a year outside 2000–2099 (1999年1月1日 is well written, but out of range)."""
    m = DATE_RE.match(text or "")
    if not m:
        return DATE_HINT
    year, month, day = (int(g) for g in m.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            return f"没有{month}月，请核对日期。"
        return f"{year}年{month}月没有{day}日，请核对日期。"
    return "" if FIRST_YEAR <= value.year <= LAST_YEAR else DATE_RANGE


def parse_zh_date(text: str | None) -> date | None:
    """2026年12月31日, 2026-12-31, 2026/12/31 or 2026.12.31 → a date; anything else → None."""
    if date_problem(text):
        return None
    m = DATE_RE.match(text or "")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def months_between(first: str, last: str) -> list[tuple[str, str]]:
    """('2026-11', '2026年11月') from ``last`` back to ``first`` (both YYYY-MM)."""
    y, m = int(last[:4]), int(last[5:7])
    fy, fm = int(first[:4]), int(first[5:7])
    out = []
    while (y, m) >= (fy, fm):
        out.append((f"{y:04d}-{m:02d}", f"{y}年{m}月"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


DATE_INPUT_ATTRS = {"class": "zh-date", "placeholder": f"如 {DATE_EXAMPLE}", "inputmode": "numeric",
                    "autocomplete": "off", "maxlength": "20"}


class ZhDateField(StringField):
    """A WTForms field for a date typed in Chinese or ISO form; ``data`` is a date or None.
    Rendered as templates/_controls.html's date_input is (a text box with a Chinese example)."""

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={**DATE_INPUT_ATTRS, **(render_kw or {})}, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_zh_date(self.raw) if self.raw.strip() else None
        if self.raw.strip() and self.data is None:
            raise ValueError(date_problem(self.raw))

    def _value(self):
        if isinstance(self.data, date):
            return f"{self.data.year}年{self.data.month}月{self.data.day}日"
        return getattr(self, "raw", "") or ""
