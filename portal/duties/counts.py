"""Checklist counts as a subquery, for pages that read instances and their progress in one statement."""
from __future__ import annotations

import sqlalchemy as sa

from portal.models import ChecklistItem


def checklist_counts_subquery() -> sa.Subquery:
    """(iid, done, total) over live checklist items per instance, to join into a page's own
    statement (outer join: an instance without items has no row)."""
    return (sa.select(ChecklistItem.instance_id.label("iid"),
                      sa.func.sum(sa.case((ChecklistItem.done, 1), else_=0)).label("done"),
                      sa.func.count(ChecklistItem.id).label("total"))
            .where(~ChecklistItem.archived).group_by(ChecklistItem.instance_id).subquery())
