"""督办: units 签收 what is sent to them, the office 催办s and escalates (三色督查单), replies are tracked."""
from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/duban")

from portal.supervision import assign_views, panel, unit_views, views  # noqa: E402,F401
