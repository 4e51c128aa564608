"""Plans the office supervises: the list, a plan's page, importing a 方案, reviewing its drafted duties
and publishing them (运民发〔2021〕74号 is plan one, loaded from content/ by `flask portal sync`).

The view modules attach their routes to `bp` and are imported by the app factory (as portal.duties does).
"""
from flask import Blueprint

bp = Blueprint("plans", __name__)
VIEW_MODULES = ("portal.plans.views", "portal.plans.review_views", "portal.plans.division_views", "portal.plans.api")
