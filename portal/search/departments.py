"""Which departments a clause names: a small mapping from department key to the words for it.

The key is what the department filter takes (``dept=公安``); the words are how policy text names
that department (公安部门, 公安机关, 市公安局 …). ``normalise_dept`` also accepts any of the words,
so ``dept=公安局`` filters like ``dept=公安``.
"""
from __future__ import annotations

import re

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "民政": ("民政部门", "民政局", "民政厅", "民政部"),
    "公安": ("公安部门", "公安机关", "公安局", "公安厅", "派出所", "公安"),
    "教育": ("教育部门", "教育行政部门", "教育局", "教育厅", "教科局", "教体局"),
    "财政": ("财政部门", "财政局", "财政厅"),
    "人社": ("人力资源社会保障部门", "人力资源和社会保障", "人社局", "人社厅", "人社部门"),
    "住建": ("住房城乡建设部门", "住房和城乡建设", "住建局", "住建部门"),
    "卫生健康": ("卫生健康部门", "卫生健康委", "卫健委", "卫体局", "卫生部门"),
    "医保": ("医疗保障部门", "医疗保障局", "医保局", "医保部门"),
    "应急管理": ("应急管理部门", "应急管理局", "应急局"),
    "市场监管": ("市场监管部门", "市场监督管理", "市场监管局"),
    "编办": ("机构编制部门", "编办", "机构编制委员会"),
    "发展改革": ("发展改革部门", "发展改革委", "发展和改革委员会", "发改委"),
    "残联": ("残联", "残疾人联合会"),
    "兵役": ("兵役机关", "征兵办", "征兵办公室"),
    "消防": ("消防救援机构", "消防救援"),
    "疾控": ("疾控中心", "疾病预防控制"),
    "医疗机构": ("医疗机构",),
    "福利院": ("市福利院", "社会福利院", "儿童福利院"),
}

_WORDS = {word: key for key, words in DEPARTMENTS.items() for word in words}
_ALIASES = dict(_WORDS)
_ALIASES.update({key: key for key in DEPARTMENTS})
_ALIASES.update({"卫健": "卫生健康", "应急": "应急管理", "发改": "发展改革", "人力资源": "人社",
                 "住房": "住建", "市场监督管理": "市场监管", "征兵": "兵役", "医疗保障": "医保"})
# Longest words first, so 公安部门 wins over 公安 where it matters. Text is matched on the
# department words only (a bare 教育 or 应急 in text is not a department).
_PATTERN = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)))
_ALIAS_PATTERN = re.compile("|".join(sorted(map(re.escape, _ALIASES), key=len, reverse=True)))


def departments_in(text: str) -> list[str]:
    """Department keys named in the text, in order of first mention."""
    seen: dict[str, None] = {}
    for m in _PATTERN.finditer(text or ""):
        seen.setdefault(_WORDS[m.group(0)], None)
    return list(seen)


def normalise_dept(value: str | None) -> str | None:
    """A filter value → department key; None when empty; unknown values pass through stripped."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value in _ALIASES:
        return _ALIASES[value]
    for prefix in ("市", "县", "省"):
        if value.startswith(prefix) and value[1:] in _ALIASES:
            return _ALIASES[value[1:]]
    m = _ALIAS_PATTERN.search(value)
    return _ALIASES[m.group(0)] if m else value
