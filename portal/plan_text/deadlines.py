"""Deadlines as plans write them (「2022年9月底前」, 「年底前」, 「长期坚持」, 「每年…」) → the words and the date they mean
(`find_deadline`); a 完成时限 cell of a 任务分工表 (「2022年9月30日」, 「2022-09-30」, 「定期（每季度）」) read whole
(`read_deadline_cell`). A date that bounds a policy's period (「实施期限至2021年12月31日」) is no deadline."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from portal.content.citations import cn_to_int

CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# long-term words as the time of a task end the statement (「此项工作长期坚持。」, a 完成时限 cell 「持续推进」); followed by
# an object they are the task's verb (「持续推进“一件事”高效办理」), no time
LONG_TERM = re.compile(r"(?:长期坚持|长期推进|长期开展|持续推进|持续开展|常态化推进|常态化开展|持续实施)(?=[。；;，,）)]|$)")
# a task done again and again (定期): 「每年选拔资助不少于100名」「每季度通报一次」 (广州 2012) — the action's
# frequency, not a rate (「每人每年3500元」) nor 「每年度」; its words are the duty's time, without a date
RECURRING = re.compile(r"(?<![人户元])每(?:年|季度|半年|月)(?!度|均|[\d０-９])(?=[\u4e00-\u9fff])")
_YEAR = r"(?:(?P<year>\d{4})\s*年)?"
_POINT = (r"(?:(?P<month>\d{1,2})\s*月(?:份)?(?:(?P<day>\d{1,2})\s*日)?(?P<part>底|末|中旬|上旬|下旬)?"
          r"|(?P<yearend>年底|年末|年内|底)|(?P<half>上半年|下半年)|第?(?P<quarter>[一二三四1-4])季度(?:末)?)")
DATE_PHRASE = re.compile(_YEAR + _POINT + r"(?P<before>前|之前|以前)?(?P<verb>完成|结束|建成|实现|出台|印发|到位)?")
YEAR_ONLY = re.compile(r"(?P<year>\d{4})\s*年(?P<verb>完成|建成|实现|出台|底前|内完成)")
PERIOD_BEFORE = re.compile(r"(?:至|期限|期间|从|自|起|到期)$")
# 「三年内」「5年内」「2012年起5年内」: a span of years counted from its start, the plan's year unless one is named,
# the first year included (杭州 互联网+ 实施意见 of 2015: 三年内 is 2017年底)
YEARS_BEFORE = re.compile(r"(?:(?P<start>\d{4})\s*年起)?(?P<count>\d{1,2}|[一二两三四五六七八九十]{1,3})$")
# A 完成时限 cell is nothing but the time, so a bare date is one (in prose it needs 前/底/完成): 2022年9月30日,
# 2022-09-30, 2022/9/30, 2022.9.30; and a cell without a date says how long or how often (长期, 定期（每季度）).
CELL_DAY = re.compile(r"(?P<year>\d{4})[年\-/.](?P<month>\d{1,2})[月\-/.](?P<day>\d{1,2})日?(?:前|之前|以前)?")
CELL_OPEN_ENDED = re.compile(r"^(?:长期|持续|常态化|定期|每月|每季度|每年|每半年)")


@dataclass(frozen=True)
class Deadline:
    text: str  # the words as written
    day: date | None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _resolve(m: re.Match, year: int | None) -> date | None:
    if year is None:
        return None
    try:
        if m.group("month"):
            month = int(m.group("month"))
            if m.group("day"):
                return date(year, month, int(m.group("day")))
            part = m.group("part")
            return {"上旬": date(year, month, 10), "中旬": date(year, month, 20)}.get(part) or _month_end(year, month)
        if m.group("yearend"):
            return date(year, 12, 31)
        if m.group("half"):
            return date(year, 6, 30) if m.group("half") == "上半年" else date(year, 12, 31)
        if m.group("quarter"):
            return _month_end(year, CN_MONTHS[m.group("quarter")] * 3)
    except ValueError:
        return None
    return None


def find_deadline(text: str, issued: date | None = None) -> Deadline | None:
    """The deadline the text states: a point in time ending a task (…前, …底, …完成/结束), else long-term
    words, else how often it is done (「每年…」, no date). A year left out is the one named earlier in the sentence, else the plan's year. A text that
    stages its time (「确保到2032年底，贡山县…；2033年底，泸水市…；2034年底，福贡县…」, 怒江 2022) ends at the
    last of its times: the earlier ones are its steps."""
    found = [d for d in _points(text, issued) if d.day]
    if found:
        return max(found, key=lambda d: d.day)
    first = next(iter(_points(text, issued)), None)
    if first:
        return first
    m = YEAR_ONLY.search(text)
    if m:
        return Deadline(m.group(0), date(int(m.group("year")), 12, 31))
    m = LONG_TERM.search(text)
    if m:
        return Deadline(m.group(0), None)
    m = RECURRING.search(text)
    if m:
        return Deadline(m.group(0), None)
    return None


def _points(text: str, issued: date | None):
    """Every point in time the text states as a deadline, in order."""
    for m in DATE_PHRASE.finditer(text):
        if not _is_deadline(m, text):
            continue
        span = YEARS_BEFORE.search(text[: m.start()]) if m.group("yearend") == "年内" else None
        if span:
            yield _years_within(span, text[span.start(): m.end()], issued)
            continue
        year = int(m.group("year")) if m.group("year") else _earlier_year(text[: m.start()], issued)
        day = _resolve(m, year)
        if m.group("month") and not m.group("year") and day and issued and day < issued:
            day = _resolve(m, year + 1)  # 「9月底前」 in a plan issued in December: next year's September
        yield Deadline(m.group(0), day)


def _is_deadline(m: re.Match, text: str) -> bool:
    if not (m.group("before") or m.group("verb") or m.group("part") in ("底", "末") or m.group("yearend")):
        return False
    if m.group("yearend") == "底" and not m.group("year"):
        return False  # 「底」 alone is no time
    if not m.group("month") and not m.group("yearend") and not m.group("half") and not m.group("quarter"):
        return False
    return not PERIOD_BEFORE.search(text[max(0, m.start() - 4): m.start()])


def _earlier_year(before: str, issued: date | None) -> int | None:
    sentence = re.split(r"[。；;]", before)[-1]
    years = re.findall(r"(\d{4})\s*年", sentence)
    if years:
        return int(years[-1])
    return issued.year if issued else None


def _years_within(span: re.Match, words: str, issued: date | None) -> Deadline:
    count = span.group("count")
    try:
        years = cn_to_int(count)
    except ValueError:  # 十十
        years = 0
    start = int(span.group("start")) if span.group("start") else (issued.year if issued else None)
    return Deadline(words, date(start + years - 1, 12, 31) if start and years else None)


def read_deadline_cell(text: str) -> Deadline | None:
    """A 完成时限 cell: Deadline(text, day) for a date with its year (2022年9月30日, 2022年9月底前, 2022年年底,
    2022年第三季度), Deadline(text, None) for 长期/持续/定期…, None when it cannot be read (尽快, 9月底,
    2022年13月1日)."""
    compact = re.sub(r"\s", "", text)
    if CELL_OPEN_ENDED.match(compact):
        return Deadline(text, None)
    if m := CELL_DAY.fullmatch(compact):
        try:
            return Deadline(text, date(int(m.group("year")), int(m.group("month")), int(m.group("day"))))
        except ValueError:  # 2022年2月30日
            return None
    m = DATE_PHRASE.fullmatch(compact)
    day = _resolve(m, int(m.group("year"))) if m and m.group("year") else None
    return Deadline(text, day) if day else None


# 「2016年民生实事」「同心县2023年政府工作报告任务分解」: a year in a title; 「2021—2025年」 is a span, not one year
_TITLE_YEAR = re.compile(r"(?<![\d—\-－~～至到])(?P<year>(?:19|20)\d{2})\s*年(?!\s*[—\-－~～至到])")


def plan_year(title: str) -> int | None:
    """The one year a title or heading names (「关于对2016年民生实事进行重点督办的通知」 → 2016); None when it
    names none, a span (「2021—2025年」) or more than one."""
    if re.search(r"\d{4}\s*年?\s*[—\-－~～至到]\s*\d{4}", title or ""):
        return None
    years = {int(m.group("year")) for m in _TITLE_YEAR.finditer(title or "")}
    return years.pop() if len(years) == 1 else None


def month_in_cell(text: str, issued: date | None) -> Deadline | None:
    """A 完成时限 cell that starts with a month and no year (「9月投入使用」, 「5月底前动工」, 大竹 2016): the end
    of that month in the plan's year (the month after ``issued`` when it would fall before it, as in prose)."""
    compact = re.sub(r"\s", "", text)
    m = DATE_PHRASE.match(compact)
    if not m or not m.group("month") or m.group("year") or issued is None:
        return None
    day = _resolve(m, issued.year)
    if day and day < issued:
        day = _resolve(m, issued.year + 1)
    return Deadline(text, day) if day else None
