"""Duty boards, checklists, 销号 and 延期.

The view modules (views, api, export_views) attach their routes to `bp` and are imported by the app
factory, not here: importing a pure module such as `portal.core.duty_rules` does not load the web layer.
"""
from flask import Blueprint

bp = Blueprint("duties", __name__)
VIEW_MODULES = ("portal.duties.views", "portal.duties.api", "portal.duties.export_views")
