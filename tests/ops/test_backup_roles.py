"""The README's PostgreSQL role split (issue 18): the schema owner runs setup and `grant-roles`; the
app role then serves, keeps the audit log append-only, and can take the nightly backup (it failed
with "permission denied for sequence" when the role could only use, not read, the sequences); a
read-only backup role can back up and write nothing; the archive restores as the owner.

Needs a PostgreSQL role allowed to create roles (CI's `portal` has CREATEDB and CREATEROLE: .ci/run);
the login roles and the database it makes are its own and dropped at the end. On SQLite the same
command says there are no roles to grant."""
from __future__ import annotations

import secrets
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import make_user

pytestmark = pytest.mark.fresh_db


def _app(app_config, url, tmp_path, name: str):
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                       "UPLOAD_DIR": str(tmp_path / f"uploads-{name}")})


def _cli(app, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["portal", *args])
        db.session.remove()
        db.engine.dispose()
        return result


def test_the_readme_role_split_serves_backs_up_and_restores(app, app_config, tmp_path):
    base = sa.engine.make_url(app_config["SQLALCHEMY_DATABASE_URI"])
    if base.get_backend_name() == "sqlite":
        result = _cli(app, "grant-roles", "portal_app")
        assert result.exit_code == 1 and "roles are PostgreSQL's" in result.output
        return
    tag = uuid.uuid4().hex[:8]
    names = {"db": f"{base.database}_roles_{tag}", "restored": f"{base.database}_restored_{tag}"}
    roles = {"app": f"portal_app_{tag}", "backup": f"portal_backup_{tag}"}
    password = secrets.token_hex(12)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        for role in roles.values():
            conn.execute(sa.text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
    owner_url = base.set(database=names["db"]).render_as_string(hide_password=False)

    def as_role(role: str) -> str:
        return base.set(database=names["db"], username=roles[role], password=password).render_as_string(hide_password=False)

    try:
        owner = _app(app_config, owner_url, tmp_path, "owner")
        with owner.app_context():
            upgrade()
            from pathlib import Path

            from portal.units.services import sync_units

            sync_units(Path(owner.config["CONTENT_DIR"]))
            make_user("owner-made", "staff")
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        granted = _cli(owner, "grant-roles", roles["app"], "--backup", roles["backup"])
        assert granted.exit_code == 0, granted.output
        assert f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {roles['app']};" in granted.output

        served = _app(app_config, as_role("app"), tmp_path, "owner")
        with served.app_context():
            make_user("app-made", "staff")  # rows, roles and an audit entry, ids from the sequences
            db.session.commit()
            for statement in ("UPDATE audit_entry SET action = 'tampered'", "DELETE FROM audit_entry"):
                with pytest.raises(sa.exc.DBAPIError, match="permission denied|append-only"):
                    with db.engine.begin() as conn:
                        conn.execute(sa.text(statement))
            db.session.remove()
            db.engine.dispose()
        archive = tmp_path / "nightly.tar.gz"
        result = _cli(served, "backup", str(archive))
        assert result.exit_code == 0, result.output  # was: pg_dump: permission denied for sequence

        read_only = _app(app_config, as_role("backup"), tmp_path, "owner")
        result = _cli(read_only, "backup", str(tmp_path / "by-backup-role.tar.gz"))
        assert result.exit_code == 0, result.output
        with read_only.app_context():
            with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text("UPDATE unit SET name = 'x'"))
            db.session.remove()
            db.engine.dispose()

        restored = _app(app_config, base.set(database=names["restored"]).render_as_string(hide_password=False),
                        tmp_path / "restored", "restored")
        result = _cli(restored, "restore", str(archive))
        assert result.exit_code == 0, result.output
        with restored.app_context():
            users = db.session.scalars(sa.text("SELECT username FROM user_account ORDER BY username")).all()
            assert users == ["app-made", "owner-made"]
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in roles.values():
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
