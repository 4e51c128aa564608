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


@command("plan-draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the drafted duties as a JSON list.")
def plan_draft_command(file: Path, as_json: bool):
    """Read a plan and print the duties drafted from it, writing nothing."""
    import json

    from portal.plans.imports import ImportRefused, draft_only

    try:
        drafted, problems = draft_only(file.name, file.read_bytes())
    except ImportRefused as exc:
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)
    for p in problems:
        click.echo(f"{p.file}:{p.line}: {p.reason}", err=True)
    if as_json:
        click.echo(json.dumps([d.as_json() for d in drafted], ensure_ascii=False, indent=1))
        return
    for d in drafted:
        click.echo(f"{d.clause}\t{d.title}\t{'、'.join(d.lead)}\t{d.deadline_text}")


def register(group) -> None:
    group.add_command(plan_import_command)
    group.add_command(plan_draft_command)
