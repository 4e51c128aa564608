"""Whose rules a document is: the portal is a 运城 office's, so the 方案, the national laws and
山西's own rules answer first; another province's local rules come after them unless the query
names that place.

``of(title, issuers, stated)`` reads a document's jurisdiction: what its metadata states
(``jurisdiction:`` in the front matter: 全国 / 山西 / 运城 / another place's name), else the place its title
or issuer begins with (上海市未成年人保护条例 → 上海), else national (法律, 国务院 and 部委 texts name
no place). ``rank(j)`` is its tier: 0 for 运城, 山西 and national texts, 1 for any other place.
"""
from __future__ import annotations

import re

NATIONAL, SHANXI, YUNCHENG = "全国", "山西", "运城"
OWN = frozenset({NATIONAL, SHANXI, YUNCHENG})

PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
             "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
# 山西's cities (运城 among them): their rules are the province's own
SHANXI_CITIES = ("太原", "大同", "阳泉", "长治", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁")
# a title naming a city or prefecture first: 德州市…, 延边朝鲜族自治州…
PLACE_RE = re.compile(r"^([\u4e00-\u9fff]{2,7}?)(?:省|市|自治区|自治州|地区|盟)")
NOT_PLACES = ("中华人民共和国", "全国", "国家", "国务院", "中国", "城市", "城乡", "农村", "社会", "关于")
NOT_IN_PLACE = re.compile("[我本各全该其于的和与及]")   # 关于加快推进我市…: no place name


def place_in(text: str) -> str | None:
    """The place ``text`` begins with (a province, a 山西 city, or any X市/X州), or None."""
    text = (text or "").strip()
    if not text or text.startswith(NOT_PLACES):
        return None
    if text.startswith("晋") and re.match(r"^晋[\u4e00-\u9fff]{0,3}发", text):  # 晋民发〔2021〕42号
        return SHANXI
    for p in PROVINCES:
        if text.startswith(p):
            return p
    for c in SHANXI_CITIES:
        if text.startswith(c):
            return c
    m = PLACE_RE.match(text)
    return m.group(1) if m and not NOT_IN_PLACE.search(m.group(1)) else None


def of(title: str, issuers: str = "", stated: str = "") -> str:
    """The document's jurisdiction: 全国, 山西, 运城, or another place's name."""
    stated = (stated or "").strip()
    if stated:
        return normalise(stated)
    for text in (*re.split(r"[\s,，、;；]+", issuers or ""), title):
        place = place_in(text)
        if place:
            return normalise(place)
    return NATIONAL


def normalise(place: str) -> str:
    place = place.strip().removesuffix("省").removesuffix("市")
    if place == YUNCHENG:
        return YUNCHENG
    if place in SHANXI_CITIES or place == SHANXI:
        return SHANXI
    if place in ("国家", "中央", "national"):
        return NATIONAL
    return place


def own(jurisdiction: str) -> int:
    """0 for the office's own city (运城: the 方案 and its local rules), else 1: among clauses that
    answer a query equally well, the city's own come first."""
    return 0 if jurisdiction == YUNCHENG else 1


def rank(jurisdiction: str, asked: frozenset[str] = frozenset()) -> int:
    """0: the office's own (运城, 山西, national) or a place the query names; 1: elsewhere."""
    return 0 if not jurisdiction or jurisdiction in OWN or jurisdiction in asked else 1


def places_named(words) -> frozenset[str]:
    """The places a query's words name (上海, 山东省): their local rules are asked for."""
    out = set()
    for w in words:
        p = place_in(w) or (w if w in PROVINCES else None)
        if p:
            out.add(normalise(p))
    return frozenset(out)
