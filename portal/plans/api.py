"""GET /api/plans: every plan with its 文号, state and counts."""
from __future__ import annotations

from flask import jsonify

from portal.plans import bp, services
from portal.web.access import logged_in


@bp.route("/api/plans")
@logged_in
def api_plans():
    plans = services.list_plans()
    counts = services.counts([p.id for p in plans])
    return jsonify([services.as_json(p, counts.get(p.id, services.PlanCounts())) for p in plans])
