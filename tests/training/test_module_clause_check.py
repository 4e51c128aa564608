"""The training-module sync checks every clause a module cites against the library read once
(`portal.training.modules.library_clause_check`), with check-content's rule."""
from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import PolicyClause, PolicyDocument
from portal.training.modules import library_clause_check

STATUTE = "weichengnianren-baohu-fa"


def test_a_plan_clause_must_exist_and_a_statute_not_imported_is_accepted(app, policy_library):
    check = library_clause_check()
    assert check(None, "3.1.1.1") and check("yunmin-2021-74", "3.1.1.1")  # None: the 方案
    assert not check(None, "9.9.9.9")
    assert check(STATUTE, "a9") and not check(STATUTE, "a9999")
    assert check("not-imported-yet", "a1")  # a statute the library does not have (yet)


def test_a_retired_clause_no_longer_counts(app, policy_library):
    clause = db.session.scalar(sa.select(PolicyClause).join(PolicyDocument).where(
        PolicyDocument.doc_id == STATUTE, PolicyClause.clause_id == "a9"))
    clause.retired = True
    db.session.flush()
    assert not library_clause_check()(STATUTE, "a9")
