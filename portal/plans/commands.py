"""`flask portal plan-import FILE [--publish]`: a plan's file imported (and published) as the upload page does."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli_support import command


@command("plan-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", "publish_now", is_flag=True, help="Publish the drafted duties at once.")
def plan_import_command(file: Path, publish_now: bool):
    """Read a plan (.docx/.txt/.md/.pdf), draft its duties and store it as a draft; prints the plan's id."""
    from portal.plans.imports import ImportRefused, import_plan

    try:
        result = import_plan(file.name, file.read_bytes(), actor=None, publish_now=publish_now)
    except ImportRefused as exc:
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)
    for p in result.problems:
        click.echo(f"{p.file}:{p.line}: {p.reason}", err=True)
    for reason in result.published or []:
        click.echo(f"not published: {reason}", err=True)
    click.echo(result.plan.id)
    if result.published:
        sys.exit(1)


def register(group) -> None:
    group.add_command(plan_import_command)
