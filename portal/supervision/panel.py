"""What the duty page shows of 督办 (a panel the duty view reads: portal/web/panels.py): the lead unit's 签收, the 催办 and ladder steps on this duty with their 签收 and replies."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from portal.capabilities import can
from portal.core import duty_rules
from portal.supervision import assign, bp, rules
from portal.supervision.forms import AckForm, CloseUrgeForm
from portal.supervision.services import duty_panel_rows
from portal.web.panels import duty_panel


@duty_panel(bp, "supervision/_duty_panel.html", order=30)
def supervision_panel(inst) -> dict:
    signed, steps, matter = duty_panel_rows(inst)
    own_unit = can(current_user, "act_for_own_unit") and current_user.unit_id == inst.unit_id
    return dict(signed=signed, steps=steps, rules=rules, matter=matter, assign=assign,
                close_form=CloseUrgeForm(formdata=None), can_close=can(current_user, "supervise"),
                can_sign=own_unit and signed is None, own_unit=own_unit, can_urge=can(current_user, "supervise") and inst.state in duty_rules.OPEN_STATES and not inst.archived,
                ack_form=AckForm(formdata=None), here=request.path)
