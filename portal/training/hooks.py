"""What other domains' pages show of training, as panels their views read (portal/web/panels.py):

* a clause page lists the modules that implement or cite the clause ("相关培训");
* the county's 督导员和儿童主任业务培训 duty (三（二）10) shows that county's live coverage.
"""
from __future__ import annotations

from flask_login import current_user

from portal import refdata
from portal.core.training_rules import POST_LABELS
from portal.duties.services import can_contribute
from portal.training import bp
from portal.training.figures import coverage
from portal.training.modules import modules_for_clause
from portal.web.access import access_of, allowed
from portal.web.panels import clause_panel, duty_panel

TRAINING_DUTY = "grassroots-training"  # content/duties.txt: 督导员和儿童主任业务培训


def is_training_duty(inst) -> bool:
    return inst.duty.key == TRAINING_DUTY


@clause_panel(bp, "training/_clause_modules.html", order=10)
def training_for_clause(doc_id: str, clause_id: str) -> list:
    return modules_for_clause(doc_id, clause_id)


@duty_panel(bp, "training/_duty_coverage.html", order=10)
def training_duty_coverage(inst) -> dict | None:
    """The county's coverage for its training duty page, or None for any other duty."""
    if not is_training_duty(inst):
        return None

    unit = inst.unit  # its county: the unit itself or (a bureau) its parent, from the reference data
    county = None if unit.level != "县级" else unit if unit.parent_id is None else refdata.unit(unit.parent_id)
    if county is None:
        return None
    rows, roster = coverage(county)

    return {"county": county, "rows": rows, "roster": roster, "labels": POST_LABELS,
            "can_attach": can_contribute(current_user, inst)}


def can_open(endpoint: str) -> bool:
    return allowed(current_user, access_of(endpoint))


@bp.record_once
def _register(state) -> None:
    state.app.jinja_env.globals.update(can_open=can_open)
