"""Running a service action from a view: the one answer to the refusal family (portal/core/refusals.py).

    refusal = attempt(lambda: services.add_note(current_user, inst, body))
    if refusal is not None:
        return <the page or fragment again, `Refused(key, str(refusal), request.form)` beside the form>

`NotAllowed` rolls back and answers 403; a `Refusal` (a `Stale` one too) rolls back and is returned
for the view to draw beside its form; anything else is a bug and propagates (a 500, logged).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import abort

from portal.core.refusals import NotAllowed, Refusal
from portal.extensions import db


def attempt(action: Callable[[], object], refusals: type[Refusal] | tuple[type[Refusal], ...] = Refusal
            ) -> Refusal | None:
    """Run `action`; None when it went through, the Refusal (rolled back) when the service refused.
    `refusals` narrows which refusals are answered here (others propagate)."""
    try:
        action()
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except refusals as exc:
        db.session.rollback()
        return exc
    return None
