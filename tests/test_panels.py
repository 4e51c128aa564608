"""Panels one domain shows on another's page are registered and read by the page's view
(portal/web/panels.py), never template globals that query while the page renders."""
from __future__ import annotations

from portal.web.panels import CLAUSE, DUTY

RETIRED_GLOBALS = {"board_duty_extras", "training_duty_coverage", "training_for_clause", "supervision_panel"}


def test_the_duty_and_clause_pages_panels_are_registered_in_order(app):
    panels = app.extensions["portal_panels"]
    assert [p.template for p in panels if p.page == DUTY] == [
        "training/_duty_coverage.html", "board/_duty_extras.html", "supervision/_duty_panel.html"]
    assert [p.template for p in panels if p.page == CLAUSE] == ["training/_clause_modules.html"]
    assert not RETIRED_GLOBALS & set(app.jinja_env.globals)
