"""What other domains' pages show of training, as template globals their templates include:

* a clause page lists the modules that implement or cite the clause ("相关培训");
* the county's 督导员和儿童主任业务培训 duty (三（二）10) shows that county's live coverage.
"""
from __future__ import annotations

from portal.training import bp

TRAINING_DUTY = "grassroots-training"  # content/duties.txt: 督导员和儿童主任业务培训


def is_training_duty(inst) -> bool:
    return inst.duty.key == TRAINING_DUTY


def training_for_clause(doc_id: str, clause_id: str) -> list:
    from portal.training.services import modules_for_clause

    return modules_for_clause(doc_id, clause_id)


def training_duty_coverage(inst) -> dict | None:
    """The county's coverage for its training duty page, or None for any other duty."""
    if not is_training_duty(inst):
        return None
    from flask_login import current_user

    from portal.duties.services import can_contribute
    from portal.training.reports import coverage
    from portal import refdata

    unit = inst.unit  # its county: the unit itself or (a bureau) its parent, from the reference data
    county = None if unit.level != "县级" else unit if unit.parent_id is None else refdata.unit(unit.parent_id)
    if county is None:
        return None
    rows, roster = coverage(county)
    from portal.training.rules import ROLE_LABELS

    return {"county": county, "rows": rows, "roster": roster, "labels": ROLE_LABELS,
            "can_attach": can_contribute(current_user, inst)}


def can_open(endpoint: str) -> bool:
    from flask_login import current_user

    from portal.access import access_of, allowed

    return allowed(current_user, access_of(endpoint))


@bp.record_once
def _register(state) -> None:
    state.app.jinja_env.globals.update(training_for_clause=training_for_clause,
                                       training_duty_coverage=training_duty_coverage,
                                       can_open=can_open)
