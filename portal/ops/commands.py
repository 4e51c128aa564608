"""`flask portal backup PATH`, `flask portal restore PATH` and `flask portal cleanup`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli_support import command


@command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Write one consistent archive: database (online), uploads, secret key, content version."""
    from portal.ops.backup import BackupError, backup

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
    from portal.ops.backup import BackupError, restore

    try:
        summary = restore(path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"restored: {summary.database} database, {summary.files} uploaded files. "
               "Restart the app servers, then run `flask portal reindex` to rebuild the search index.")


@command("cleanup")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def cleanup_command(dry_run: bool):
    """Remove what crashes and unconfirmed uploads left behind (.part files, evidence files no record
    names, stale staged uploads) and close abandoned import jobs. Safe while the app serves."""
    from portal.files.cleanup import sweep

    swept = sweep(dry_run=dry_run)
    for path in swept.parts + swept.orphans + swept.staged:
        click.echo(("would remove " if dry_run else "removed ") + path)
    for line in swept.lines():
        click.echo(("dry run: " if dry_run else "") + line)


def register(group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
    group.add_command(cleanup_command)
