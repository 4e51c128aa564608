"""The leadership board (总览): the whole plan by department, task area and county; the 通报."""
from flask import Blueprint

bp = Blueprint("board", __name__)

from portal.board import api_views, assessment_views, views  # noqa: E402,F401
