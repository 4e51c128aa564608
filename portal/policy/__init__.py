from flask import Blueprint

bp = Blueprint("policy", __name__, url_prefix="/policy")
api_bp = Blueprint("policy_api", __name__, url_prefix="/api/policy")

from portal.policy import favourite_views, retrain_views, views  # noqa: E402,F401
