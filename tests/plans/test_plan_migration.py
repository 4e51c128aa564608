"""Migration 0024_plans brings 运民发〔2021〕74号 in as plan one and loses nothing: on a database holding
the demo state (duties, instances, ticks, notes, evidence, decisions), taken back to 0023_training_signin (the revision before plans)."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.core.plan import PLAN_ID, PLAN_NUMBER
from portal.extensions import db
from tests.test_migrations import _fresh_database_url

# What an upgrade must keep, as plain SQL (the old schema has no plan_id: no ORM on it).
COUNTS = {
    "duties": "SELECT count(*) FROM duty",
    "instances": "SELECT count(*) FROM duty_instance",
    "archived instances": "SELECT count(*) FROM duty_instance WHERE archived",
    "ticks": "SELECT count(*) FROM checklist_item WHERE done",
    "checklist items": "SELECT count(*) FROM checklist_item",
    "notes": "SELECT count(*) FROM duty_note",
    "decisions": "SELECT count(*) FROM duty_note WHERE kind IN ('closed', 'returned')",
    "extension decisions": "SELECT count(*) FROM extension_request",
    "evidence files": "SELECT count(*) FROM evidence",
    "cooperators": "SELECT count(*) FROM duty_cooperator",
    "reports": "SELECT count(*) FROM monthly_report",
    "audit entries": "SELECT count(*) FROM audit_entry",
}


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {name: conn.scalar(sa.text(sql)) for name, sql in COUNTS.items()}


def _states() -> list[tuple]:
    with db.engine.connect() as conn:
        return sorted(conn.execute(sa.text("SELECT key, state, deadline, version FROM duty_instance")).all())


def test_upgrade_to_plans_keeps_every_record_of_the_first_plan(app_config, tmp_path):
    from flask_migrate import downgrade, upgrade

    from portal.duties.sync import sync_duties
    from portal.models import Duty, Plan
    from portal.policy.sync import sync_policy
    from portal.units.services import sync_units
    from tests.ui.idscan import load_scan_demo

    url, cleanup = _fresh_database_url(app_config, tmp_path)
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with other.app_context():
            upgrade()
            content = Path(other.config["CONTENT_DIR"])
            assert sync_units(content).ok
            db.session.commit()
            assert sync_policy(content).ok
            db.session.commit()
            assert sync_duties(content).ok
            load_scan_demo(other)
            db.session.commit()
            db.session.remove()
            downgrade(revision="0023_training_signin")  # the schema the demo state lived in before plans
            before, states = _counts(), _states()
            assert before["duties"] > 50 and before["ticks"] > 0 and before["evidence files"] == 1
            assert before["decisions"] >= 2 and before["extension decisions"] >= 2
            upgrade()
            assert _counts() == before
            assert _states() == states
            plans = db.session.scalars(sa.select(Plan)).all()
            assert [(p.number, p.doc_id, p.state) for p in plans] == [(PLAN_NUMBER, PLAN_ID, "published")]
            assert set(db.session.scalars(sa.select(Duty.plan_id))) == {plans[0].id}
            # The next sync recognises plan one and changes nothing.
            report = sync_duties(content)
            assert report.ok and (report.created, report.updated, report.retired) == ([], [], [])
            assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
