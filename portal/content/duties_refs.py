"""content/duties.txt against the units and the plan: each duty expanded into its instances
(one per county for ``per-county``), its unit codes and clause ids checked, and the plan's
clauses no duty covers.

Pure, like :mod:`portal.content.duties_file` (which parses the file): no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from portal.content.duties_file import (
    COUNTY,
    ROOTS,
    DutySpec,
    InstanceSpec,
    NoDutySpec,
    parse_duties,
)
from portal.content.problems import Problem


def county_codes(rows: Iterable) -> list[str]:
    """The county codes of units.csv: 县级 rows with no parent, in file order."""
    return [r.code for r in rows if r.level == "县级" and not r.parent]


def _substitute(units: Sequence[str], county: str) -> tuple[str, ...]:
    return tuple(u.replace(COUNTY, county) for u in units)


def _county_of(code: str, county_list: Sequence[str], parents: Mapping[str, str] | None) -> str | None:
    counties = set(county_list)
    if parents is not None:
        seen: set[str] = set()
        while code and code not in seen:
            if code in counties:
                return code
            seen.add(code)
            code = parents.get(code, "")
        return None
    if code in counties:
        return code
    return next((c for c in county_list if code.startswith(c + "-")), None)


def expand(duty: DutySpec, county_codes: Sequence[str],
           parents: Mapping[str, str] | None = None) -> list[InstanceSpec]:
    """The tracked instances of one duty.

    city: one instance keyed by the duty key. per-county: one per county, {county} filled in.
    per-unit: one per lead unit. Instance keys other than city are ``key@lead_unit``.
    ``parents`` (unit code → parent code from units.csv) lets per-unit instances find their
    county through the unit tree; without it a ``{county}-…`` code prefix is used.
    """
    if duty.scope == "city":
        return [InstanceSpec(duty.key, duty.lead[0], duty.cooperating, None, duty.arranged_cooperating)]
    if duty.scope == "per-county":
        out = []
        for county in county_codes:
            lead = duty.lead[0].replace(COUNTY, county)
            out.append(InstanceSpec(f"{duty.key}@{lead}", lead, _substitute(duty.cooperating, county), county,
                                    _substitute(duty.arranged_cooperating, county)))
        return out
    return [InstanceSpec(f"{duty.key}@{unit}", unit, duty.cooperating, _county_of(unit, county_codes, parents),
                         duty.arranged_cooperating)
            for unit in duty.lead]


def _unit_problems(duty: DutySpec, file: str, unit_codes: set[str], county_codes: Sequence[str]
                   ) -> list[Problem]:
    """A duty's lead and cooperating units that are not in units.csv ({county} expanded)."""
    problems: list[Problem] = []
    for name in ("lead", "cooperating"):
        line = duty.lines.get(name, duty.line)
        for unit in getattr(duty, name):
            if COUNTY in unit:
                unknown = [unit.replace(COUNTY, c) for c in county_codes
                           if unit.replace(COUNTY, c) not in unit_codes]
                if unknown:
                    shown = ", ".join(unknown[:3]) + (f", … ({len(unknown)} of {len(county_codes)})"
                                                      if len(unknown) > 3 else "")
                    problems.append(Problem(file, line, f"{unit} expands to unit codes not in units.csv: {shown}"))
            elif unit not in unit_codes:
                problems.append(Problem(file, line, f"unit {unit} is not in units.csv"))
    return problems


def validate_references(duties: Sequence[DutySpec], no_duties: Sequence[NoDutySpec], file: str,
                        unit_codes: set[str], county_codes: Sequence[str],
                        clause_ids: set[str]) -> list[Problem]:
    """Unit codes (after {county} expansion) and clause ids must exist; a clause named by a
    no-duty entry may not also be named by a duty or by another no-duty entry."""
    problems: list[Problem] = []
    if not county_codes:
        problems.append(Problem(file, 1, "units.csv has no counties (县级 rows without a parent) to expand {county}"))
    for duty in duties:
        problems += _unit_problems(duty, file, unit_codes, county_codes)
        line = duty.lines.get("clauses", duty.line)
        for cid in duty.clauses:
            if cid not in clause_ids:
                problems.append(Problem(file, line, f"clause {cid} is not in the 方案"))
    named_by_duty = {cid for d in duties for cid in d.clauses}
    first_no_duty: dict[str, str] = {}
    for nd in no_duties:
        line = nd.lines.get("clauses", nd.line)
        for cid in nd.clauses:
            if cid not in clause_ids:
                problems.append(Problem(file, line, f"clause {cid} is not in the 方案"))
            elif cid in named_by_duty:
                problems.append(Problem(file, line, f"clause {cid} has a duty; drop it from [{nd.key}]"))
            elif cid in first_no_duty:
                problems.append(Problem(file, line, f"clause {cid} is already covered by [{first_no_duty[cid]}]"))
            else:
                first_no_duty[cid] = nd.key
    problems.sort(key=lambda p: p.line)
    return problems


def check_duties(data: bytes, file: str, unit_rows: Sequence, clauses: Sequence
                 ) -> tuple[list[DutySpec], list[NoDutySpec], list[Problem]]:
    """parse_duties + validate_references against parsed units.csv rows and 方案 clauses."""
    duties, no_duties, problems = parse_duties(data, file)
    problems += validate_references(duties, no_duties, file, {r.code for r in unit_rows},
                                    county_codes(unit_rows), {c.id for c in clauses})
    problems.sort(key=lambda p: p.line)
    return duties, no_duties, problems


# ------------------------------------------------------------------ coverage

def uncovered_clauses(clauses: Sequence[tuple[str, str | None]], duties: Iterable[DutySpec],
                      no_duties: Iterable[NoDutySpec], roots: Sequence[str] = ROOTS) -> list[str]:
    """Clauses under ``roots`` (roots included) with neither a duty nor a no-duty entry, in
    document order. A clause is covered when an entry names it, or when it has children and
    all of them are covered; so an uncovered paragraph also lists the headings above it."""
    named = {cid for d in duties for cid in d.clauses} | {cid for n in no_duties for cid in n.clauses}
    children: dict[str, list[str]] = {}
    for cid, parent in clauses:
        if parent is not None:
            children.setdefault(parent, []).append(cid)
    memo: dict[str, bool] = {}

    def covered(cid: str) -> bool:
        if cid not in memo:
            kids = children.get(cid, [])
            memo[cid] = cid in named or (bool(kids) and all(covered(k) for k in kids))
        return memo[cid]

    parent_of = dict(clauses)

    def in_scope(cid: str | None) -> bool:
        seen: set[str] = set()
        while cid is not None and cid not in seen:
            if cid in roots:
                return True
            seen.add(cid)
            cid = parent_of.get(cid)
        return False

    return [cid for cid, _ in clauses if in_scope(cid) and not covered(cid)]
