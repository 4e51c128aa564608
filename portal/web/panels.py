"""Panels one domain shows on another domain's page, read by the page's view.

The duty page shows the county's training coverage (training), the figures and 批示 (board) and the
督办 (supervision); a clause page shows 相关培训 (training); a training module's page shows the new
editions of the laws it cites that changed a cited article (policy). The domain that owns a panel registers it
with its blueprint — a template and a function reading the panel's data — and the page's view reads
every panel of its page before rendering (`read_panels`), so every statement runs in the view and in
its query budget, never from a template while the page renders. A panel's template finds its data
as `panel`; a panel whose read gives None (or an empty value) is left out.

    @duty_panel(bp, "board/_duty_extras.html", order=20)
    def duty_extras(inst) -> dict: ...

The page then includes the panels in order: `{% for p in panels %}{% with panel = p.data %}{% include
p.template %}{% endwith %}{% endfor %}`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, current_app

DUTY, CLAUSE, MODULE = "duty", "clause", "module"  # the pages that show other domains' panels
_KEY = "portal_panels"


@dataclass(frozen=True, slots=True)
class Panel:
    page: str
    template: str
    read: Callable[..., object]
    order: int = 0  # place on the page, lowest first


@dataclass(frozen=True, slots=True)
class PanelData:
    template: str
    data: object
    name: str = ""  # the read function's name: a page may place a panel's data elsewhere too


def panel(bp: Blueprint, page: str, template: str, order: int = 0):
    """Decorator: the function reads a panel of `page`, drawn with `template`; registered on every app
    the blueprint is registered on."""
    def decorator(read):
        @bp.record_once
        def _register(state) -> None:
            panels = state.app.extensions.setdefault(_KEY, [])
            panels.append(Panel(page, template, read, order))
            panels.sort(key=lambda p: p.order)
        return read
    return decorator


def duty_panel(bp: Blueprint, template: str, order: int = 0):
    """A panel on the duty page; its read gets the duty instance."""
    return panel(bp, DUTY, template, order)


def clause_panel(bp: Blueprint, template: str, order: int = 0):
    """A panel on a clause page; its read gets the document's id and the clause's id."""
    return panel(bp, CLAUSE, template, order)


def module_panel(bp: Blueprint, template: str, order: int = 0):
    """A panel on a training module's page; its read gets the module."""
    return panel(bp, MODULE, template, order)


def read_panels(page: str, *args) -> list[PanelData]:
    """Every panel of `page` read now, in order; the ones with nothing to show left out."""
    out = []
    for p in current_app.extensions.get(_KEY, ()):
        if p.page == page:
            data = p.read(*args)
            if data:
                out.append(PanelData(p.template, data, p.read.__name__))
    return out
