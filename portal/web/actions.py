"""Running a service action from a view: the one answer to the refusal family (portal/core/refusals.py).

    refusal = attempt(lambda: services.add_note(current_user, inst, body))
    if refusal is not None:
        return <the page or fragment again, `Refused(key, str(refusal), request.form)` beside the form>

`NotAllowed` rolls back and answers 403 (404 where a page hides what it may not show:
`not_allowed=404`); a `Refusal` (a `Stale` one too) rolls back and is returned for the view to draw
beside its form (the form's name is a `portal.core.refusals.FormKey`); anything else is a bug and
propagates (a 500, logged). `portal/duties/bulk.py` alone catches refusals itself: a refused row is
reported in the batch's result.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import abort

from portal.core.refusals import NotAllowed, Refusal
from portal.extensions import db


def attempt(action: Callable[[], object], refusals: type[Refusal] | tuple[type[Refusal], ...] = Refusal,
            not_allowed: int = 403) -> Refusal | None:
    """Run `action`; None when it went through, the Refusal (rolled back) when the service refused.
    `refusals` narrows which refusals are answered here (others propagate); `not_allowed` is the
    status a NotAllowed answers (403, or 404 where the thing's existence is not to be told)."""
    try:
        action()
    except NotAllowed:
        db.session.rollback()
        abort(not_allowed)
    except refusals as exc:
        db.session.rollback()
        return exc
    return None
