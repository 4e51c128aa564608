"""Unit names as plans write them: split a list of names, tell a county-wide name (各县（市、区）…), and
match a name to the unit register by name, short name and alias (`match_unit`)."""
from __future__ import annotations

import re

from portal.plan_text.model import UnitName

# 各县（市、区）人民政府, 县（市、区）民政局, 县级民政部门, 各县市区政府, 市、县民政部门 (the county part)
COUNTY_WIDE = re.compile(r"^(?:各)?(?:县[（(]市、?区[）)]|县市区|县（市）|县级|区县|县区)")
NAME_SEPARATORS = re.compile(r"[、，,；;]|以及|及(?=[市省区县州各])")
# a cell or field saying no unit is named (「无」 in a 配合单位 column)
NO_NAME = re.compile(r"^[\s/／—\-－]*(?:无|暂无)?[\s/／—\-－。]*$")
# 「…等」「…等单位」「区司法局等有关部门」 (济南 钢城 2021): the 等 and the words after it close the list
TRAILING_WORDS = re.compile(r"(?:按职责分工负责|按照职责分工负责|按职责负责|分别负责|共同负责|负责|牵头|配合|参与|落实|结合实际|"
                            r"等(?:有关|相关|其他)?(?:部门|单位)?)$")
# 「省科技厅、工业和信息化厅」: a department named without its level after one named with it is at the same level
LEVEL_PREFIX = re.compile(r"^[省市区县](?![（(级])")
# (not one named after its place: 盐湖区民政局 after 市民政局 is a county's own, not 市盐湖区民政局)
# nor one named after a development zone (中新苏滁高新区管委会 after 市经信局 is the zone's, 滁州 2020)
BARE_DEPARTMENT = re.compile(r"^(?![省县区州各全本有相其]|市(?!场))(?!.*(?:省|[市县区]委|开发区|高新区|经开区|新区|园区))"
                             r"(?![^，、]{2,4}[县区市旗])"
                             r"[^，、]{2,12}(?:厅|局|委|办|院|社|部|中心|会|署|队|联)$")


def normalise(name: str) -> str:
    """One spelling for comparing: no spaces, full-width brackets, no 和 (人力资源和社会保障 =
    人力资源社会保障)."""
    name = re.sub(r"\s", "", name).replace("(", "（").replace(")", "）")
    return name.replace("和", "")


# 「各区、县级市」「各市、县人民政府」「各区、市政府」「各有关区、县级市」 (广州 2012): every body (or every one
# concerned) of those levels, one name
_LEVEL = r"(?:[省市区县州旗乡镇]|县级市|自治县|街道)"
EVERY_LEVEL = re.compile(r"各(?:有关|相关)?" + _LEVEL + r"{1,2}(?:、" + _LEVEL + r"{1,2})+(?:人民政府|政府|管委会)?"
                         r"(?=$|[、，,；;。]|负责|牵头|配合|参与|落实|按职|分别|共同|结合|等)")


def split_names(text: str) -> list[str]:
    """「市民政局、市财政局以及各县（市、区）人民政府」 → three names; separators inside brackets do not
    split (各县（市、区）stays one), nor does a list of levels after 各 (各区、县级市)."""
    if NO_NAME.match(text):
        return []
    protected = [m.span() for m in EVERY_LEVEL.finditer(text)]
    parts, depth, current = [], 0, ""
    joined = []  # whether a part follows an enumeration comma 、 (the same run of names)
    follows_enumeration = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "（(〈":
            depth += 1
        elif ch in "）)〉":
            depth = max(0, depth - 1)
        if depth == 0 and not any(start < i < end for start, end in protected):
            m = NAME_SEPARATORS.match(text, i)
            if m:
                parts.append(current)
                joined.append(follows_enumeration)
                follows_enumeration = m.group(0) == "、"
                current = ""
                i = m.end()
                continue
        current += ch
        i += 1
    parts.append(current)
    joined.append(follows_enumeration)
    names: list[str] = []
    prefix = ""
    for part, in_run in zip(parts, joined, strict=True):
        part = _strip_trailing(part.strip(" 。.：:"))
        if not in_run:
            m = LEVEL_PREFIX.match(part)
            prefix = m.group(0) if m else ""
        elif prefix and BARE_DEPARTMENT.match(part):
            part = prefix + part
        if part and part not in names:
            names.append(part)
    return names


def _strip_trailing(name: str) -> str:
    """「省国资委等单位按职责分工负责」 → 省国资委: the words after a name, however many."""
    while True:
        stripped = TRAILING_WORDS.sub("", name).strip()
        if stripped == name:
            return name
        name = stripped


def is_county_wide(name: str) -> bool:
    return bool(COUNTY_WIDE.match(normalise(name)))


# What a county-wide name says when it means each county itself (its government), not one of its bureaus:
# 各县（市、区）, 各县（市、区）人民政府, 县级政府.
GOVERNMENT_KINDS = ("", "人民政府", "政府")


def county_kind(name: str) -> str:
    """The kind of county unit a county-wide name names: 各县（市、区）民政局 → 民政局; "" for none."""
    wanted = normalise(name)
    m = COUNTY_WIDE.match(wanted)
    return wanted[m.end():] if m else ""


def names_each_county(name: str) -> bool:
    """Whether a county-wide name means each county itself (各县（市、区）, 各县（市、区）人民政府)."""
    return is_county_wide(name) and county_kind(name) in GOVERNMENT_KINDS


def county_kind_known(name: str, units: list[UnitName]) -> bool:
    """Whether the register has a county unit of the kind a county-wide name names: 各县（市、区）民政局 is
    known when some county's short name ends in 民政局 (盐湖区民政局) or a county unit has it as an alias;
    各县（市、区）（人民政府） when the register has counties."""
    kind = county_kind(name)
    if kind in GOVERNMENT_KINDS:
        return any(u.level == "county" for u in units)
    return any(
        u.level == "county" and (normalise(u.short_name).endswith(kind) or kind in map(normalise, u.aliases))
        for u in units)


def match_unit(name: str, units: list[UnitName]) -> int | None:
    """The register's unit for a name as written, or None (the office maps it). A county-wide name
    (各县（市、区）人民政府) matches only a register entry written so (the duty's scope says "county");
    it never falls back to one county's unit."""
    wanted = normalise(name)
    if not wanted:
        return None
    for field in ("name", "short_name"):
        for unit in units:
            if normalise(getattr(unit, field)) == wanted:
                return unit.id
    by_alias = [u for u in units if any(normalise(a) == wanted for a in u.aliases)]
    if not by_alias:
        return _county_government(wanted, units) or _city_name_without_place(wanted, units)
    # an alias such as 民政部门 is shared by the city bureau and each county's: the city's own is meant
    # unless the plan says 各县（市、区）, which is handled above
    city = [u for u in by_alias if u.level == "city"]
    return (city or by_alias)[0].id


GOVERNMENT_WORDS = re.compile(r"(?:人民政府|政府)$")
COUNTY_ITSELF = re.compile(r"^.{1,6}[区县市旗]$")


def is_county_itself(unit: UnitName) -> bool:
    """A county unit that is the county (盐湖区, 盐湖区人民政府), not one of its bureaus (盐湖区民政局)."""
    return unit.level == "county" and any(COUNTY_ITSELF.match(normalise(n)) or GOVERNMENT_WORDS.search(normalise(n))
                                          for n in (unit.name, unit.short_name))


def one_county_for_each(lead: list[str], cooperating: list[str], units: list[UnitName]) -> bool:
    """A task led by one county's government (盐湖区人民政府) with each county's bureaus cooperating (各县（市、
    区）民政局) is every county's: the lead is the county a per-county duty keeps as its example (as a
    draft keeps one), not that county alone."""
    if not lead or not any(is_county_wide(n) for n in cooperating):
        return False
    by_id = {u.id: u for u in units}
    return all((u := by_id.get(match_unit(n, units))) is not None and is_county_itself(u) for n in lead)


def _county_government(wanted: str, units: list[UnitName]) -> int | None:
    """「盐湖区人民政府」「盐湖区政府」: the county the register holds as 盐湖区."""
    place = GOVERNMENT_WORDS.sub("", wanted)
    if place == wanted or not place:
        return None
    found = [u for u in units if is_county_itself(u) and place in (normalise(u.name), normalise(u.short_name))]
    return found[0].id if len(found) == 1 else None


def _city_name_without_place(wanted: str, units: list[UnitName]) -> int | None:
    """A city's plan names its own bureaus without the city's name: 市人力资源社会保障局 is the register's
    运城市人力资源和社会保障局. Only a city unit whose full name is a place name (no 市 in it) and then
    exactly the name as written, and only when one unit is."""
    if not wanted.startswith("市") or len(wanted) < 4:
        return None
    found = [u for u in units if u.level == "city" and normalise(u.name).endswith(wanted)
             and 0 < len(normalise(u.name)) - len(wanted) <= 4 and "市" not in normalise(u.name)[:-len(wanted)]]
    return found[0].id if len(found) == 1 else None


def units_from_register(rows) -> list[UnitName]:
    """UnitName records from rows with id, name, short_name, aliases (sequence or '|'-joined) and a
    level (市级/县级/机构 or city/county/inst)."""
    levels = {"市级": "city", "县级": "county", "机构": "inst"}
    units = []
    for row in rows:
        aliases = row.aliases
        if isinstance(aliases, str):
            aliases = [a for a in aliases.split("|") if a]
        units.append(UnitName(row.id, row.name, row.short_name, tuple(aliases), levels.get(row.level, row.level)))
    return units
