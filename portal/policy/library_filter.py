"""The library list's filters: 效力位阶, 制定机关, jurisdiction, 公布 and 施行 date ranges. Pure:
no Flask, no database (portal.policy.library reads the facts and calls these).

效力位阶 is read from what each document carries (立法法's categories by who made it and how it
was promulgated): 全国人民代表大会 or its 常务委员会 → 法律; 国务院令 (or 国务院's 条例/规定/办法) →
行政法规; a ministry's 令 (民政部令第63号) → 部门规章; a provincial or city 人民代表大会's → 地方性法规;
a 人民政府令 → 地方政府规章; anything else with a known maker (方案, 意见, 通知) → 规范性文件; a
document whose maker is not recorded has no 位阶 shown (未载明), rather than a guessed one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from portal.web.zhcontrols import DATE_RE

LAW, ADMIN_REG, DEPT_RULE, LOCAL_REG, LOCAL_RULE, NORMATIVE = (
    "法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "规范性文件")
RANKS = (LAW, ADMIN_REG, DEPT_RULE, LOCAL_REG, LOCAL_RULE, NORMATIVE)
UNKNOWN = "未载明"

# jurisdiction buckets as the filter offers them (portal.search.jurisdiction reads each document's)
PLACES = {"national": "全国", "shanxi": "山西省", "yuncheng": "运城市", "other": "其他地方"}

_ADMIN_KINDS = ("条例", "规定", "办法", "细则", "实施细则")
_LOCAL_CONGRESS = re.compile(r"(省|市|自治区|自治州|县)人民代表大会(常务委员会)?$")
_ORDER = re.compile(r"令第?[〇零一二三四五六七八九十百千\d]+号")

EARLIEST, LATEST = 1949, 2099


@dataclass(frozen=True)
class Facts:
    """What the filters read of one document."""

    rank: str          # one of RANKS, or '' when not recorded
    issuers: tuple[str, ...]
    place: str         # a PLACES key
    issued: date | None      # 公布 (the document's date)
    effective: date | None   # 施行 (of the edition in force)


def rank_of(kind: str, issuers: list[str] | tuple[str, ...], number: str) -> str:
    """The document's 效力位阶 from its kind, makers and 文号 ('' when they do not tell)."""
    issuers = [i.strip() for i in issuers if i and i.strip()]
    number = number or ""
    if any(i.startswith("全国人民代表大会") for i in issuers) or kind == LAW:
        return LAW
    if "国务院令" in number or (issuers == ["国务院"] and kind in _ADMIN_KINDS):
        return ADMIN_REG
    if any(_LOCAL_CONGRESS.search(i) for i in issuers):
        return LOCAL_REG
    if _ORDER.search(number):
        return LOCAL_RULE if "人民政府令" in number else DEPT_RULE
    return NORMATIVE if issuers else ""


# Whose rules: the place a maker's name or the title begins with (运城市民政局, 山西省…, 上海市…);
# none → national. The same reading as portal.search.jurisdiction, which this module cannot import
# (portal.search imports portal.policy: a circle); see docs/GAPS.md.
SHANXI_CITIES = ("太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "忻州", "临汾", "吕梁")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,7}?)(?:省|市|自治区|自治州|地区|盟)")
_NOT_PLACES = ("中华人民共和国", "全国", "国家", "国务院", "中国", "城市", "城乡", "农村", "社会", "关于")
_NOT_IN_PLACE = re.compile("[我本各全该其于的和与及]")


def _place_in(text: str) -> str:
    text = (text or "").strip()
    if not text or text.startswith(_NOT_PLACES):
        return ""
    if text.startswith("运城"):
        return "yuncheng"
    if text.startswith(("山西", *SHANXI_CITIES)):
        return "shanxi"
    m = _PLACE.match(text)
    return "other" if m and not _NOT_IN_PLACE.search(m.group(1)) else ""


def place_of(title: str, issuers: list[str] | tuple[str, ...]) -> str:
    """national / shanxi / yuncheng / other: the first maker (or else the title) naming a place."""
    for text in (*issuers, title):
        place = _place_in(text)
        if place:
            return place
    return "national"


def parse_day(text: str, end: bool = False) -> date | None:
    """2022-09-01, 2022年9月1日, 2022/9/1 — or a year alone (2022 / 2022年: its first day, or its
    last when `end`) — between 1949 and 2099; None when it is not such a date."""
    text = (text or "").strip()
    year = re.fullmatch(r"(\d{4})\s*年?", text)
    if year:
        y = int(year.group(1))
        return (date(y, 12, 31) if end else date(y, 1, 1)) if EARLIEST <= y <= LATEST else None
    m = DATE_RE.match(text)
    if not m:
        return None
    try:
        value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return value if EARLIEST <= value.year <= LATEST else None


DATE_FIELDS = (("issued_from", "公布日期（起）", False), ("issued_to", "公布日期（止）", True),
               ("effective_from", "施行日期（起）", False), ("effective_to", "施行日期（止）", True))


@dataclass
class LibraryFilter:
    level: str = ""
    issuer: str = ""
    place: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # as typed, put back in the form
    errors: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.level or self.issuer or self.place or any(self.dates.values()))


def parse(args: Mapping[str, str], issuers: set[str] | None = None) -> LibraryFilter:
    """The filters in a query string; what is not a known choice or a date becomes a message
    (and is left out of the filtering), never an error page."""
    f = LibraryFilter()
    f.raw = {name: (args.get(name) or "").strip()[:40] for name in ("level", "issuer", "place", *[d[0] for d in DATE_FIELDS])}
    level, issuer, place = f.raw["level"], f.raw["issuer"], f.raw["place"]
    if level:
        if level in RANKS or level == UNKNOWN:
            f.level = level
        else:
            f.errors.append("所选效力位阶无效，请从列表中选择。")
    if issuer:
        if issuers is None or issuer in issuers:
            f.issuer = issuer
        else:
            f.errors.append("所选制定机关不在法规库中，请从列表中选择。")
    if place:
        if place in PLACES:
            f.place = place
        else:
            f.errors.append("所选地域无效，请从列表中选择。")
    for name, label, end in DATE_FIELDS:
        raw = f.raw[name]
        value = parse_day(raw, end) if raw else None
        if raw and value is None:
            f.errors.append(f"{label}“{raw}”不是有效日期，请写成 2022年9月1日、2022-09-01 或 2022 这样的格式"
                            f"（{EARLIEST}年至{LATEST}年）。")
        f.dates[name] = value
    for what, start, stop in (("公布", "issued_from", "issued_to"), ("施行", "effective_from", "effective_to")):
        if f.dates[start] and f.dates[stop] and f.dates[start] > f.dates[stop]:
            f.errors.append(f"{what}日期的起始日期晚于截止日期，请调换后再筛选。")
            f.dates[start] = f.dates[stop] = None
    return f


def _within(day: date | None, start: date | None, stop: date | None) -> bool:
    if start is None and stop is None:
        return True
    if day is None:
        return False  # a date range asked for: a document without that date is not in it
    return (start is None or day >= start) and (stop is None or day <= stop)


def matches(f: LibraryFilter, facts: Facts) -> bool:
    if f.level and (facts.rank or UNKNOWN) != f.level:
        return False
    if f.issuer and f.issuer not in facts.issuers:
        return False
    if f.place and facts.place != f.place:
        return False
    d = f.dates
    return (_within(facts.issued, d.get("issued_from"), d.get("issued_to"))
            and _within(facts.effective, d.get("effective_from"), d.get("effective_to")))
