"""What each board page shows, assembled from rows and roll-ups (views stay thin)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from flask import current_app, url_for

from portal.board import assessment, rollup, services
from portal.models import User
from portal.models.org import LEVELS
from portal.web.query_args import plan_arg


@dataclass
class Query:
    """The board's URL state: filters, the selected matrix cell, expanded department groups."""

    filters: rollup.Filters
    cell_unit: str = ""
    cell_area: str = ""
    expand: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)


def parse_query(args, county_list: list[tuple[str, str]], kinds: list[str]) -> Query:
    problems = []

    def pick(name: str, allowed, label: str) -> str:
        value = args.get(name, "").strip()[:60]
        if value and value not in allowed:
            problems.append(f"{label}“{value}”不在可选范围内，已忽略。")
            return ""
        return value

    codes = {c for c, _ in county_list}
    by_name = {n: c for c, n in county_list}
    county_raw = args.get("county", "").strip()[:60]
    county = by_name.get(county_raw, county_raw)  # a county may be given by name (盐湖区) or code
    if county and county not in codes:
        problems.append(f"县（市、区）“{county_raw}”不在可选范围内，已忽略。")
        county = ""
    plan_id = plan_arg(args, problems)
    f = rollup.Filters(level=pick("level", LEVELS, "层级"), county=county, kind=pick("kind", kinds, "部门类别"),
                       area=pick("area", (rollup.GOALS_AREA, *rollup.TASK_AREAS), "任务领域"), plan_id=plan_id)
    return Query(f, args.get("u", "").strip()[:40], args.get("a", "").strip()[:20],
                 tuple(e[:60] for e in args.getlist("expand")[:20]), problems)


def kinds_of(rows: list[rollup.Row]) -> list[str]:
    return sorted({r.kind for r in rows})


@dataclass
class BoardData:
    scope: str
    rows: list[rollup.Row]          # visible and filtered
    city: rollup.Counts             # every live duty, unfiltered
    totals: rollup.Counts           # the visible, filtered rows
    transfer: list[rollup.TransferRow]
    indicator_names: list[tuple[str, str]]
    counties: list[tuple[str, str]]
    kinds: list[str]
    query: Query
    all_rows: list[rollup.Row] = field(default_factory=list, repr=False)


def load(user: User, args, on: date) -> BoardData:
    all_rows = services.load_rows(on)
    county_list = services.counties()
    kinds = kinds_of(all_rows)
    query = parse_query(args, county_list, kinds)
    scope = services.scope_of(user)
    rows = rollup.apply_filters(services.visible(user, all_rows), query.filters)
    transfer = []
    tracked = services.transfer_duty()  # the tracker belongs to its plan: none for another plan chosen
    if scope != services.TOTALS and not (query.filters.plan_id and (tracked is None
                                                                    or tracked.plan_id != query.filters.plan_id)):
        codes = {r.unit_code for r in rows} if scope == services.OWN_UNIT or query.filters.active else None
        transfer = [t for t in services.transfer_rows(on, all_rows)
                    if (codes is None or t.unit_code in codes)
                    and (not query.filters.county or t.county_code == query.filters.county)]
    return BoardData(scope, rows, rollup.count(all_rows), rollup.count(rows), transfer,
                     services.indicator_names(services.transfer_duty()), county_list, kinds, query, all_rows)


def cell_base(args) -> str:
    """The board URL with the current filters and an open `u=` for a cell's unit (built once
    per page, not once per cell: the matrix has a thousand cells)."""
    keep = [(k, v) for k, vs in args.lists() if k not in ("u", "a") for v in vs]
    return url_for("board.index") + "?" + (urlencode(keep) + "&" if keep else "") + "u="


def drill_context(user: User, args, on: date) -> dict:
    """Just what the drill-down fragment needs."""
    county_list = services.counties()
    rows = services.load_rows(on)
    query = parse_query(args, county_list, kinds_of(rows))
    visible = rollup.apply_filters(services.visible(user, rows), query.filters)
    drill = rollup.drill(visible, query.cell_unit, query.cell_area) if query.cell_unit and query.cell_area else []
    return dict(q=query, drill=drill, drill_unit=next((r.unit_name for r in drill), ""))


def board_context(user: User, args, on: date) -> dict:
    data = load(user, args, on)
    q = data.query
    columns, area_rows = rollup.task_area_matrix(data.rows)
    drill = rollup.drill(data.rows, q.cell_unit, q.cell_area) if q.cell_unit and q.cell_area else []
    names = [n for n, _ in data.indicator_names]
    context = dict(
        data=data, q=q, f=q.filters, on=on, cell_base=cell_base(args), task_area_titles=services.task_area_titles(),
        departments=rollup.department_matrix(data.rows),
        area_columns=columns, area_rows=area_rows, drill=drill,
        drill_unit=next((r.unit_name for r in drill), ""),
        county_rows=rollup.county_summaries(data.rows, data.counties, data.transfer),
        transfer=data.transfer, transfer_totals=rollup.transfer_totals(data.transfer, names),
        transfer_dates=services.transfer_milestones(),
        # Staff and trainers see the plan's milestones as city totals; others their visible rows.
        milestones=rollup.milestones(data.all_rows if data.scope == services.TOTALS else data.rows, on),
        milestone_x=[],
        red=rollup.red_list(data.rows, on), yellow=rollup.yellow_list(data.rows),
        headline=services.headline(on, q.filters.plan_id),
        ranking=_ranking(data, on),
    )
    days = [m.on for m in context["milestones"]]
    if days:
        context["milestone_x"] = rollup.timeline_positions(days, min(days), max(max(days), date(2025, 12, 31)), 660)
    return context


def _ranking(data: BoardData, on: date) -> list:
    """考核 for those who see every unit (a liaison's board shows no other unit's score)."""
    if data.scope != services.FULL:
        return []

    plan_id = data.query.filters.plan_id  # the plan chosen on the board: its duties, returns and 催办
    rows = rollup.apply_filters(data.all_rows, rollup.Filters(plan_id=plan_id))
    return assessment.ranking(rows, on, current_app.config["REPORT_DUE_DAY"], plan_id)
