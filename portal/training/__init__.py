"""Training of township 儿童督导员 and village 儿童主任 (issue #8): roster, modules, assignment, completion."""
from flask import Blueprint

bp = Blueprint("training", __name__)

from portal.training import (  # noqa: E402,F401
    assign_views,
    bank_views,
    certificate_views,
    course_views,
    edit_views,
    export_views,
    figure_views,
    hooks,
    import_views,
    learn_views,
    signin_views,
    tally,  # noqa: E402,F401 (its session hooks keep the figures' summary)
    views,
)
