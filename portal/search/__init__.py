"""Full-text search over the policy library's clauses: the engine (pure, on plain records) and
the ``search`` blueprint (the search page, its htmx partial, and ``/api/search``)."""
from flask import Blueprint

bp = Blueprint("search", __name__)

from portal.search import views  # noqa: E402,F401
