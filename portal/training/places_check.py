"""New places of a roster import checked against the gazetteer of 运城市 (`portal.content.gazetteer`):
a township in another county, or a village the 国家统计局 codes do not list, is flagged in the preview
for the trainer to confirm (「盐湖区 / 蒲州镇」 would otherwise create a 盐湖区蒲州镇 that does not exist)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context

from portal.content.gazetteer import FILE as GAZETTEER_FILE
from portal.content.gazetteer import Gazetteer, parse_gazetteer

FILE = Path(GAZETTEER_FILE)


@lru_cache(maxsize=2)
def _load(path: str, _mtime: float) -> Gazetteer | None:
    gaz, problems = parse_gazetteer(Path(path).read_bytes(), path)
    if problems:
        current_app.logger.error("gazetteer not used: %s", "; ".join(str(p) for p in problems[:3]))
        return None
    return gaz


def gazetteer() -> Gazetteer | None:
    """The shipped gazetteer (re-read when the file changes), or None when there is none to check against."""
    if not has_app_context():
        return None
    path = Path(current_app.config["CONTENT_DIR"]) / FILE
    try:
        return _load(str(path), path.stat().st_mtime)
    except OSError:
        return None


def flags(rows, counties, missing: set[tuple]) -> list[str]:
    """「第3行 盐湖区蒲州镇：蒲州镇在国家统计局区划中属于永济市，不属于盐湖区」 for each new place that the
    gazetteer does not place where the row does (one line per place, at its first row)."""
    gaz = gazetteer()
    if gaz is None or not missing:
        return []
    out, seen = [], set()
    for r in rows:
        county = counties[r.county]
        town_new = (county.id, None, "township", r.township) in missing
        village_new = bool(r.village) and any(k[0] == county.id and k[2] == "village" and k[3] == r.village
                                              for k in missing)
        if not (town_new or village_new):
            continue
        place = (county.name, r.township, r.village if village_new else "")
        if place in seen:
            continue
        seen.add(place)
        if place[2] and gaz.problem(county.name, r.township):
            continue  # the township's own line says it (a wrong township makes every village under it wrong)
        problem = gaz.problem(*place)
        if problem:
            out.append(f"第{r.row}行 {''.join(place)}：{problem}")
    return out
