"""The one family of refusals every domain raises and every view answers the same way.

* `Refusal`: a user-facing Chinese reason an action was refused; the view draws the page (or fragment)
  again with the message beside the form and what was typed kept (`portal.web.forms.Refused`). Each
  domain's error class (`portal.duties.services.DutyError`, `portal.training.scope.TrainingError`, …)
  is a Refusal.
* `Stale`: a Refusal because someone saved first (optimistic locking); the message names who and when
  and, where it can, the colleague's version is shown beside what was typed (`conflict`).
* `NotAllowed`: not this person's to do at all: a 403 (never a message), the one class for every domain.

Views run a service action through `portal.web.actions.attempt`, which answers these three.
Pure: no Flask, no database.
"""
from __future__ import annotations


class Refusal(Exception):
    """A user-facing reason (Chinese, shown as is) why an action was refused."""

    conflict = None  # a portal.locking.Conflict: the colleague's version beside what was typed


class Stale(Refusal):
    """Someone else changed the thing since the page was drawn."""


class NotAllowed(PermissionError):
    """The user may not do this at all (a 403), as opposed to a Refusal shown beside the form."""
