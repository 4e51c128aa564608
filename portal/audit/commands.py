"""`flask portal audit-purge`: remove audit records past the retention period, archived first."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from portal.audit import bp
from portal.audit.retention import RetentionError, purge
from portal.cli_support import command
from portal.core.time import today


@command("audit-purge")
@click.option("--before", "before", required=True, help="YYYY-MM-DD: remove records from before this day "
              "(at least 180 days ago).")
@click.option("--archive", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A new .xlsx or .csv file that receives every removed record first.")
def purge_command(before: str, archive: Path):
    """Archive, then remove, audit records older than the retention period (run as the schema owner)."""
    try:
        cutoff = date.fromisoformat(before)
    except ValueError:
        click.echo(f"error: --before must be a date like 2026-01-31, not {before!r}", err=True)
        sys.exit(2)
    try:
        removed = purge(cutoff, archive, today())
    except RetentionError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"audit records removed: {removed}" + (f"; archived in {archive}" if removed else " (none that old)"))


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (purge_command,):
    bp.cli.add_command(_command)
