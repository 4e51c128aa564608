"""Who a sentence of prose names as acting: 「教育部门要……」「人民法院应当……」「公安、司法、刑罚执行机关在办案中发现……的，应当……」.

`SUBJECT` matches a sentence that leads with the bodies it assigns, `CO_WITH` the bodies of 「会同…」, and
`subject_names` turns the matched list into one name per body, as the register holds it: a list that shares
one ending names each item with that ending (「民政、教育、卫生计生部门和公安机关」 → 民政部门、教育部门、
卫生计生部门、公安机关; 「民政、公安、司法、医疗保障、残联等部门和组织」 → …司法部门、医疗保障部门、残联).
"""
from __future__ import annotations

import re

UNIT_END = (r"(?:部门|机关|机构|组织|中心|单位|局|委|办|院|厅|宣传部|组织部|统战部|人民政府|政府|联合会|残联|妇联|团委|工会|委员会|"
            r"管委会|支队|大队|办公室|学校)")
# bodies whose name has no ending of its own (「残联组织」 is the same body, named so: 国发〔2016〕36号)
BODY = r"(?:共青团|妇联|残联|工会|团委|关工委)(?:组织)?"
# one character of a name, or a bracketed part inside it (村（居）民委员会)
_CHAR = r"(?:[\u4e00-\u9fff]|[（(][\u4e00-\u9fff、]{1,8}[）)])"
NAME = (r"(?:各?县[（(]市、?区[）)](?:[\u4e00-\u9fff]{0,8}" + UNIT_END + r")?|" + BODY + "|" + _CHAR + r"{1,14}?" + UNIT_END
        + r"(?:[（(][\u4e00-\u9fff]{1,8}[）)])?)")
# items that borrow the ending of the name after them: 「公安、司法、」 before 刑罚执行机关
_BORROWING = r"(?:[\u4e00-\u9fff]{2,8}、)*"
_JOIN = r"(?:、|和|及|以及|与)"
NAMES = _BORROWING + NAME + r"(?:" + _JOIN + _BORROWING + NAME + r")*"
GENERIC = r"(?:部门|机关|机构|单位|组织)"
TRAIL = r"等[\u4e00-\u9fff]{0,8}?" + GENERIC + r"(?:和" + GENERIC + r")?"
SUBJECT = re.compile(r"^(?P<names>" + NAMES + r")(?P<trail>" + TRAIL + r")?"
                     r"(?:要|应当|应|须|必须|负责|牵头|会同|可|在[^。；]{0,90}?(?:时|中|后|下|的)?，?(?:要|应当|应))")
CO_WITH = re.compile(r"会同(?P<names>" + NAMES + r")")
# the inline form without a bracket: 「A牵头，B、C配合」「A负责，B配合」「A牵头负责，B协助」「由A牵头、B参与」
INLINE_COOP = re.compile(r"(?:牵头|负责)(?:负责)?[，,、]\s*(?P<names>" + NAMES + r")(?P<trail>" + TRAIL + r")?"
                         r"(?:配合|参与|协助|协办|参加)")
_WHOLE = re.compile(r"^(?:" + NAME + r")$")
_ENDING = re.compile(GENERIC + "$")
_SPLIT_AFTER_NAME = re.compile(r"(以及|和|及|与)")
_PLACE = re.compile(r"[省市县区]$")
_PLACED = re.compile(r"^[\u4e00-\u9fff]{1,6}?[省市县区](?P<body>[\u4e00-\u9fff]{2,}" + UNIT_END + r")$")
ALL_LEVELS = "各级"  # 「各级工会、共青团」: the bodies at every level, named as the register holds them


def subject_names(names: str, trail: str = "") -> list[str]:
    """「民政、公安、司法、医疗保障、残联」 + 「等部门和组织」 → the five bodies' names."""
    trail_ending = m.group(0) if (m := re.search(GENERIC, trail or "")) else ""
    out: list[str] = []
    borrowing: list[str] = []
    for item in _items(names):
        item = _without_trail(item.removeprefix(ALL_LEVELS))
        if not _WHOLE.match(item):
            borrowing.append(item)
            continue
        ending = m.group(0) if (m := _ENDING.search(item)) else trail_ending
        placed = _PLACED.match(item)
        # 「闻喜县、新绛县儿童福利院」: places before a place's body name that body in each place
        out.extend(b + placed.group("body") if placed and _PLACE.search(b) else b + ending for b in borrowing)
        borrowing = []
        out.append(item)
    out.extend(b + trail_ending for b in borrowing)
    return list(dict.fromkeys(n for n in out if n))


# 「人力资源社会保障等有关部门」「住房城乡建设等社会救助管理部门」: a list's last item carrying the list's ending
_ITEM_TRAIL = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,14}?)等[\u4e00-\u9fff]{0,8}?(?P<end>" + GENERIC + r")$")


def _without_trail(item: str) -> str:
    """The last item of a list sharing one ending, with the 等… that closes the list: the item with that
    ending (人力资源社会保障部门), or the item itself when it is a name on its own (区司法局等有关部门 → 区司法局)."""
    m = _ITEM_TRAIL.match(item)
    if not m:
        return item
    name = m.group("name")
    return name if _WHOLE.match(name) else name + m.group("end")


def _items(names: str) -> list[str]:
    """Split at 、 and at 和/及/以及/与 between two whole names (人力资源和社会保障部门 stays one)."""
    items: list[str] = []
    for part in _split_outside_brackets(names):
        pieces = _SPLIT_AFTER_NAME.split(part)
        current = pieces[0]
        for joiner, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            if _WHOLE.match(current.removeprefix(ALL_LEVELS)) and _WHOLE.match(piece):
                items.append(current)
                current = piece
            else:
                current += joiner + piece
        items.append(current)
    return [i for i in items if i]


def _split_outside_brackets(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "（("
        depth -= ch in "）)" and depth > 0
        if ch == "、" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts
