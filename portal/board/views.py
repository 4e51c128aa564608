"""Board pages (thin): the board, a county, the transfer tracker, the decision queue, and the
two things the board changes on a duty — a unit's figures and a leader's 批示."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.board import bp, bulletin_word, cache, exports, pages, rollup, scoring, services
from portal.board.bulletin import build
from portal.board.forms import IndicatorForm, InstructionForm
from portal.board.snapshots import trend_chart
from portal.core import duty_rules
from portal.core.refusals import FormKey
from portal.core.time import today
from portal.duties import page
from portal.duties.services import DutyError, get_instance
from portal.duties.views import refused_on_duty_page
from portal.export_text import download_name
from portal.supervision import ladder
from portal.web.access import logged_in, requires
from portal.web.actions import attempt
from portal.web.forms import Refused, first_error
from portal.web.htmx import is_partial_request
from portal.web.inputs import parse_int
from portal.web.panels import duty_panel


def _common() -> dict:
    return dict(duty_rules=duty_rules, rollup=rollup, scoring=scoring)


@bp.route("/board")
@logged_in
def index():
    on = today()
    partial = is_partial_request() and request.headers.get("HX-Target") == "drill"
    key = (services.data_stamp(on), services.scope_key(current_user), request.query_string, partial)
    if partial:  # the cell's duties only
        return cache.get_or_render(key, lambda: render_template(
            "board/_drill.html", **_common(), **pages.drill_context(current_user, request.args, on)))
    body = cache.get_or_render(key, lambda: render_template(
        "board/_body.html", **_common(), **pages.board_context(current_user, request.args, on)))
    return render_template("board/index.html", body=Markup(body))


@bp.route("/board/counties/<county_code>")
@requires("see_all_units", "act_for_own_unit")  # a liaison sees only their own unit's rows there
def county(county_code: str):
    code = county_code

    data = pages.load(current_user, MultiDict({"plan": request.args.get("plan", "")}), today())  # the plan chosen
    name = dict(data.counties).get(code)
    if name is None:
        abort(404)
    rows = [r for r in data.rows if r.county_code == code]
    transfer = next((t for t in data.transfer if t.county_code == code and not t.institution), None)
    trend = None
    if services.scope_of(current_user) == services.FULL:
        trend = trend_chart([uid for uid, u in services.unit_infos().items() if u.county_code == code], today(),
                            data.query.filters.plan_id)
    return render_template("board/county.html", **_common(), name=name, code=code, rows=rows, trend=trend,
                           units=rollup.by_unit(rows), by_unit=rollup.group_by_unit(rows), counts=rollup.count(rows),
                           transfer=transfer, indicator_names=data.indicator_names, on=today(), q=data.query,
                           plan_id=data.query.filters.plan_id)


@bp.route("/board/transfer")
@requires("see_all_units", "act_for_own_unit")
def transfer():
    data = pages.load(current_user, request.args, today())
    names = [n for n, _ in data.indicator_names]
    return render_template("board/transfer.html", **_common(), data=data, transfer=data.transfer,
                           transfer_totals=rollup.transfer_totals(data.transfer, names),
                           transfer_dates=services.transfer_milestones(), f=data.query.filters, q=data.query)


@bp.route("/board/decisions")
@requires("see_all_units")
def decisions():
    on = today()
    return render_template("board/decisions.html", **_common(), closes=services.pending_closes(on),
                           extensions=services.pending_extension_requests(on))


# ---- changes on a duty -------------------------------------------------------------------------

def _instance(instance_id: int):
    inst = get_instance(instance_id)
    if inst is None:
        abort(404)
    return inst


def _back(inst, anchor: str):
    return redirect(url_for("duties.instance", instance_id=inst.id, _anchor=anchor))


@bp.route("/board/instances/<int:instance_id>/indicators", methods=["POST"])
@requires("act_on_any_duty", "act_for_own_unit")  # further: the lead unit's liaison (services.can_report_indicators)
def indicator(instance_id: int):
    inst = _instance(instance_id)
    form = IndicatorForm()
    return _on_duty_page(inst, form, FormKey.INDICATOR, "indicators", lambda: services.report_indicator(
        current_user, inst, form.name.data, form.value.data, form.note.data or ""),
        lambda: f"已填报{form.name.data}：{form.value.data}。")


@bp.route("/board/instances/<int:instance_id>/instruction", methods=["POST"])
@requires("give_instructions")
def instruction(instance_id: int):
    inst = _instance(instance_id)
    form = InstructionForm()
    return _on_duty_page(inst, form, FormKey.INSTRUCTION, "instructions",
                         lambda: services.add_instruction(current_user, inst, form.body.data), lambda: "批示已送达责任单位。")


def _on_duty_page(inst, form, key: str, anchor: str, action, message):
    """A board form on the duty page: validated, run (`portal.web.actions.attempt`); refused, the duty
    page again with the reason beside the form `key`; done, back to its section with `message()`."""
    if not form.validate_on_submit():
        return refused_on_duty_page(inst, Refused(key, first_error(form), request.form))
    instance_id = inst.id  # read before the action: a rollback expires `inst`
    refusal = attempt(action, DutyError)
    if refusal is not None:
        return refused_on_duty_page(get_instance(instance_id), Refused(key, str(refusal), request.form))
    flash(message(), "success")
    return _back(inst, anchor)


# ---- what the duty page shows from the board (a panel the duty view reads: portal/web/panels.py) ----

@duty_panel(bp, "board/_duty_extras.html", order=20)
def duty_extras(inst) -> dict:
    """Indicators (with history and a form for the unit) and 批示 for the duty page."""
    names = services.indicator_names(inst.duty)
    got = page.for_instance(inst)  # the duty page read its figures and 批示 with its other rows
    if got is not None:
        current, history, instructions = got.current_indicator_values, got.indicator_values, got.instructions
    else:
        current = services.current_indicators([inst.id]).get(inst.id, {}) if names else {}
        history, instructions = services.indicator_history(inst) if names else [], services.instructions(inst)
    return dict(
        names=names, current=current if names else {}, history=history if names else [],
        can_report=services.can_report_indicators(current_user, inst),
        indicator_form=IndicatorForm(formdata=None), instruction_form=InstructionForm(formdata=None),
        can_instruct=services.can_instruct(current_user, inst), instructions=instructions)



@bp.app_template_global("board_unit_trend")
def unit_trend(unit, plan_id: int = 0):
    """The trend chart on a unit's page (of the plan chosen there, or every plan), for those whose board
    shows that unit (else None)."""
    scope = services.scope_of(current_user)
    if scope == services.TOTALS or (scope == services.OWN_UNIT and current_user.unit_id != unit.id):
        return None

    return trend_chart([unit.id], today(), plan_id)


@bp.app_template_global("board_link")
def board_link(endpoint: str = "board.index", anchor: str = "", view_args: dict | None = None, **overrides) -> str:
    """The current board URL (every filter kept, repeated keys too) with `overrides` applied;
    a None override drops the key, a list repeats it."""
    args = {k: v for k, v in request.args.lists() if k not in overrides}
    args.update({k: (v if isinstance(v, list) else [v]) for k, v in overrides.items() if v is not None})
    query = urlencode(args, doseq=True)
    return url_for(endpoint, **(view_args or {})) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


# ---- the 通报 ----------------------------------------------------------------------------------

@bp.route("/board/report")
@requires("make_bulletin")
def bulletin():
    rep = build(current_user, request.args, today())
    data = rep.data
    return render_template("board/bulletin.html", **_common(), r=rep, data=data, f=data.query.filters, q=data.query,
                           on=rep.as_of, transfer=rep.transfer, transfer_totals=rep.transfer_totals,
                           transfer_dates=services.transfer_milestones())


def masthead(args) -> bulletin_word.Masthead:
    """The Word file's 版头 and 文号: the office's 督办设置, the serial typed on the 通报 page (if any)."""
    config = ladder.settings()
    return bulletin_word.Masthead(config.issuer, config.number_prefix, parse_int(args.get("serial", "")[:6], 1, 99999))


@bp.route("/board/report.<file_format>")
@requires("make_bulletin")
def bulletin_file(file_format: str):
    fmt = file_format

    if fmt not in ("xlsx", "docx"):
        abort(404)
    on = today()

    head = masthead(request.args) if fmt == "docx" else None  # the .xlsx has no 版头: no settings read

    def render() -> tuple[bytes, str]:
        rep = build(current_user, request.args, on)
        data = exports.to_xlsx(rep) if fmt == "xlsx" else bulletin_word.to_docx(rep, head)
        return data, download_name(f"{rep.scope_label}工作推进情况通报-{rep.as_of:%Y%m%d}.{fmt}")

    # The file depends only on what the board shows (its stamp), who asks and the query: kept per
    # process like the board's fragments, so a second download costs no Word or Excel building.
    key = ("report", fmt, services.data_stamp(on), services.scope_key(current_user), request.query_string,
           head and (head.issuer, head.prefix))
    data, name = cache.get_or_render(key, render)
    mimetype = exports.XLSX if fmt == "xlsx" else exports.DOCX
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
