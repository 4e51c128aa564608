"""The 台账 rows' repeated cells, rendered once per distinct value (profiled: most of a board's
time was its per-row macro calls and URL building).

Each cell is the output of the same macro in `templates/duties/_macros.html` (so the page is
byte-for-byte what the macros give), kept per process for the few possible values of a light,
a state or a progress percentage, and per request for deadlines and a duty's clause links.
"""
from __future__ import annotations

from flask import current_app, url_for
from markupsafe import Markup

from portal import refdata
from portal.core import duty_rules
from portal.core.plan import PLAN_ID

_FIXED: dict[tuple, Markup] = {}  # (macro, value) -> output: lights, states, percentages
_UNIT_OPTIONS: list = [None, {}]  # [the refdata units tuple they were made from, {selected code: html}]


def _macros():
    return current_app.jinja_env.get_template("duties/_macros.html").module


class Cells:
    """Handed to `duties/_ledger_rows.html` as `cells`; one per request."""

    def __init__(self, clause_text: dict[str, str], my_unit_id: int | None = None):
        self._macros = _macros()
        self.my_unit_id = my_unit_id  # the unit whose 台账 this is (its cooperating rows are marked 配合)
        self._clause_text = clause_text
        self._deadlines: dict[tuple, Markup] = {}
        self._clauses: dict[int, Markup] = {}
        self.tasks = url_for("duties.index")  # "/tasks/": an instance is /tasks/<id>

    def _fixed(self, name: str, value) -> Markup:
        key = (name, value)
        out = _FIXED.get(key)
        if out is None:
            macro = getattr(self._macros, name)
            out = _FIXED[key] = Markup(macro(value) if name == "progress_bar" else macro(value, duty_rules))
        return out

    def light(self, light: str) -> Markup:
        return self._fixed("light_badge", light)

    def state(self, state: str) -> Markup:
        return self._fixed("state_badge", state)

    def progress(self, pct: int) -> Markup:
        return self._fixed("progress_bar", pct)

    def deadline(self, row, duty) -> Markup:
        key = (row.deadline, row.original_deadline, duty.deadline_kind)
        out = self._deadlines.get(key)
        if out is None:
            out = self._deadlines[key] = Markup(self._macros.deadline_cell(row, duty))
        return out

    @staticmethod
    def unit_options(selected: str) -> Markup:
        """The 单位 filter's options for the live units (hundreds), made once per selected unit and
        change of the units."""
        units = refdata.units()
        if _UNIT_OPTIONS[0] is not units:
            _UNIT_OPTIONS[:] = [units, {}]
        made = _UNIT_OPTIONS[1]
        out = made.get(selected)
        if out is None:
            out = Markup("").join(Markup('<option value="{}"{}>{}</option>').format(
                u.code, Markup(" selected") if u.code == selected else "", u.name) for u in units if u.active)
            if len(made) < 4096:
                made[selected] = out
        return out

    def clauses(self, duty) -> Markup:
        """The duty's 来源条款 links (what the template's loop over `clause_ids` wrote)."""
        out = self._clauses.get(duty.id)
        if out is None:
            env = current_app.jinja_env
            truncate, label = env.filters["truncate"], env.filters["clause_label"]
            links = [Markup('<a href="{}" title="{}">{}</a>').format(
                url_for("policy.clause", doc_id=PLAN_ID, clause_id=cid),
                truncate(env, self._clause_text.get(cid, ""), 300), label(cid)) for cid in duty.clause_ids]
            out = self._clauses[duty.id] = Markup("、").join(links)
        return out



