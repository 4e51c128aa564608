from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/units")

from portal.units import views  # noqa: E402,F401
