"""The glossary's column renames (docs/GLOSSARY.md) lose nothing: on a database holding the demo state,
each migration is taken down, up and down again and every renamed column keeps its values.

* 0031_glossary_columns: duty.area → theme, trainee.role and training_cohort.role → post (the duties, the
  training roster, group rules, assignments);
* 0032_post_columns: training_tally.role, training_course.role → post and training_certificate.person_role
  → person_post (the summary, a course, module and course certificates)."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.core.time import today
from portal.duties.sync import sync_duties
from portal.extensions import db
from portal.policy.sync import sync_policy
from portal.units.services import sync_units
from tests.test_migrations import _fresh_database_url
from tests.ui.idscan import load_scan_demo

BEFORE = "0030_multiplan"
# What each column holds, by row id, read with plain SQL (the ORM knows only the new names).
READS = {
    "duty": "SELECT id, {area} FROM duty ORDER BY id",
    "trainee": "SELECT id, {role} FROM trainee ORDER BY id",
    "training_cohort": "SELECT id, {role} FROM training_cohort ORDER BY id",
}
COUNTS = ("duty_instance", "training_assignment", "training_completion", "audit_entry")


def _read(area: str, role: str) -> dict:
    with db.engine.connect() as conn:
        rows = {table: conn.execute(sa.text(sql.format(area=area, role=role))).all() for table, sql in READS.items()}
        rows.update({table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in COUNTS})
    return rows


def _columns(table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _indexes(table: str) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        return {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes(table)}


def _load_demo(app) -> None:
    """The head schema with the demo state in it (units, statutes, duties, the scan's demo)."""
    upgrade()
    content = Path(app.config["CONTENT_DIR"])
    assert sync_units(content).ok
    db.session.commit()
    assert sync_policy(content).ok
    db.session.commit()
    assert sync_duties(content).ok
    load_scan_demo(app)
    db.session.commit()


def test_the_renamed_columns_keep_every_value_both_ways(app_config, tmp_path):
    url, cleanup = _fresh_database_url(app_config, tmp_path)
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with other.app_context():
            _load_demo(other)
            db.session.remove()
            downgrade(revision=BEFORE)
            assert {"area"} <= _columns("duty") and "theme" not in _columns("duty")
            old = _read("area", "role")
            assert len(old["duty"]) > 50 and {v for _, v in old["duty"]} >= {"县级机构转型", "部门职责"}
            assert {v for _, v in old["trainee"]} == {"supervisor", "director"}
            assert {v for _, v in old["training_cohort"]} == {"director", ""}
            assert old["training_assignment"] > 0

            upgrade()
            assert _read("theme", "post") == old
            assert "area" not in _columns("duty") and "role" not in _columns("trainee") | _columns("training_cohort")
            indexes = _indexes("trainee")
            assert indexes["ix_trainee_post"] == ["post"] and "ix_trainee_role" not in indexes
            assert indexes["ix_trainee_place"] == ["county_id", "active", "township_id", "post", "village_id", "name"]
            with db.engine.connect() as conn:  # foreign keys intact: nothing was rebuilt
                if conn.dialect.name == "sqlite":
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []

            downgrade(revision=BEFORE)
            assert _read("area", "role") == old
            assert _indexes("trainee")["ix_trainee_role"] == ["role"]
            upgrade()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


# ---- 0032_post_columns ---------------------------------------------------------------------------

BEFORE_POST = "0031_glossary_columns"
POST_READS = {
    "training_tally": "SELECT county_id, module_id, due, {post} FROM training_tally ORDER BY county_id, module_id, due, {post}",
    "training_course": "SELECT id, {post} FROM training_course ORDER BY id",
    "training_certificate": "SELECT id, {person_post} FROM training_certificate ORDER BY id",
}
POST_COUNTS = ("trainee", "training_assignment", "training_completion", "audit_entry")


def _read_posts(post: str, person_post: str) -> dict:
    with db.engine.connect() as conn:
        rows = {table: conn.execute(sa.text(sql.format(post=post, person_post=person_post))).all()
                for table, sql in POST_READS.items()}
        rows.update({table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in POST_COUNTS})
    return rows


def _primary_key(table: str) -> dict:
    with db.engine.connect() as conn:
        return sa.inspect(conn).get_pk_constraint(table)


def _add_course_and_certificates() -> None:
    """A director's module certificate and a course for directors over that module (its certificate too)."""
    from portal.models import Trainee
    from portal.training import courses, services
    from tests.training.helpers import admin_actor

    actor = admin_actor()
    person = db.session.scalar(sa.select(Trainee).where(Trainee.active, Trainee.post == "director").order_by(Trainee.id))
    module = next(m for m in services.live_modules() if "director" in m.audience)
    on = today()
    if services.needs_completion(person.id, module.id):
        services.mark_completed(actor, person, module, on)
    courses.save_course(actor, None, None, courses.CourseValues(
        "儿童主任上岗培训", "onboarding", "director", (module.id,), "3.2.10", "", 24), on)
    db.session.commit()


def test_the_post_columns_keep_every_value_both_ways(app_config, tmp_path):
    url, cleanup = _fresh_database_url(app_config, tmp_path)
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with other.app_context():
            _load_demo(other)
            _add_course_and_certificates()
            db.session.remove()
            downgrade(revision=BEFORE_POST)
            assert "role" in _columns("training_tally") and "post" not in _columns("training_tally")
            old = _read_posts("role", "person_role")
            # Who the demo's sign-in sheet ticks follows the database's collation of names: the posts vary.
            posts = {"supervisor", "director"}
            assert old["training_tally"] and {r[-1] for r in old["training_tally"]} <= posts
            assert [r[-1] for r in old["training_course"]] == ["director"]
            printed = {r[-1] for r in old["training_certificate"]}
            assert len(old["training_certificate"]) >= 2 and "director" in printed and printed <= posts
            assert old["training_assignment"] > 0 and old["training_completion"] > 0

            upgrade()
            assert _read_posts("post", "person_post") == old
            assert "role" not in _columns("training_tally") | _columns("training_course")
            assert "person_role" not in _columns("training_certificate")
            assert "person_post" in _columns("training_certificate")
            pk = _primary_key("training_tally")  # the summary's upsert conflicts on these four columns
            assert pk["constrained_columns"] == ["county_id", "post", "module_id", "due"]
            with db.engine.connect() as conn:
                if conn.dialect.name == "sqlite":  # foreign keys intact: nothing was rebuilt
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                else:
                    assert pk["name"] == "pk_training_tally"
            for table in POST_READS:  # no index or constraint is named after the old column
                names = [i["name"] for i in sa.inspect(db.engine).get_indexes(table)]
                names += [c["name"] or "" for c in sa.inspect(db.engine).get_unique_constraints(table)]
                assert not [n for n in names if "role" in n], (table, names)

            downgrade(revision=BEFORE_POST)
            assert _read_posts("role", "person_role") == old
            assert _primary_key("training_tally")["constrained_columns"] == ["county_id", "role", "module_id", "due"]
            upgrade()
            assert _read_posts("post", "person_post") == old
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
