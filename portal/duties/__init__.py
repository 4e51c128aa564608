from flask import Blueprint

bp = Blueprint("duties", __name__)

from portal.duties import api, export_views, views  # noqa: E402,F401
