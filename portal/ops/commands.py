"""`flask portal backup PATH` and `flask portal restore PATH`."""
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


def register(group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
