"""`flask portal backup PATH`, `restore PATH`, `cleanup` and `grant-roles APP_ROLE`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli_support import command
from portal.extensions import db
from portal.files.cleanup import sweep
from portal.ops.backup import BackupError, backup, restore
from portal.ops.roles import RoleError, grant, grant_statements


@command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Write one consistent archive: database (online), uploads, secret key, content version."""
    try:
        summary = backup(path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written: {summary.path} ({summary.database} database, {summary.files} uploaded files, "
               f"{summary.bytes} bytes of uploads)")


@command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path):
    """Restore an archive from `backup` into an empty instance (empty database and upload folder)."""
    try:
        summary = restore(path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"restored: {summary.database} database, {summary.files} uploaded files. "
               "Restart the app servers, then run `flask portal reindex` to rebuild the search index.")


@command("grant-roles")
@click.argument("app_role")
@click.option("--backup", "backup_role", default=None, help="Also a read-only role for backups.")
@click.option("--print", "print_only", is_flag=True, help="Print the statements; grant nothing.")
def grant_roles_command(app_role: str, backup_role: str | None, print_only: bool):
    """PostgreSQL: give APP_ROLE what the app needs (the audit log append-only; sequences readable, so
    `backup` works as this role) and BACKUP read-only access. Run connected as the schema owner."""
    try:
        if print_only:
            with db.engine.connect() as conn:
                statements = grant_statements(conn, app_role, backup_role)
        else:
            statements = grant(db.engine, app_role, backup_role)
    except RoleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for statement in statements:
        click.echo(statement + ";")
    if not print_only:
        click.echo(f"granted: {app_role} (app)" + (f", {backup_role} (backup, read-only)" if backup_role else ""))


@command("cleanup")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def cleanup_command(dry_run: bool):
    """Remove what crashes and unconfirmed uploads left behind (.part files, evidence files no record
    names, stale staged uploads) and close abandoned import jobs. Safe while the app serves."""
    swept = sweep(dry_run=dry_run)
    for path in swept.parts + swept.orphans + swept.staged:
        click.echo(("would remove " if dry_run else "removed ") + path)
    for line in swept.lines():
        click.echo(("dry run: " if dry_run else "") + line)


# The operator's commands belong to no blueprint: `portal.cli` adds them to `flask portal` itself.
COMMANDS = (backup_command, restore_command, cleanup_command, grant_roles_command)
