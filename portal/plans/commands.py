"""`flask portal plan-import FILE [--publish]`: a plan's file imported (and published) as the upload page does."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import click
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from portal.cli_support import command, content_dir
from portal.content.units_file import parse_units
from portal.extensions import db
from portal.models import Unit
from portal.plan_text import drafting, reader
from portal.plan_text.units import units_from_register
from portal.plans import bp
from portal.plans.imports import ImportRefused, import_plan


@command("plan-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", "publish_now", is_flag=True, help="Publish the drafted duties at once.")
def plan_import_command(file: Path, publish_now: bool):
    """Read a plan (.docx/.txt/.md/.pdf), draft its duties and store it as a draft; prints the plan's id."""
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
@click.option("--json", "as_json", is_flag=True, help="Print the draft as a JSON list.")
def plan_draft_command(file: Path, as_json: bool):
    """Read a plan file (.docx/.txt/.md/.pdf) and print the drafted 任务分工; writes nothing."""
    document = reader.read_plan(file)
    for problem in document.problems:
        click.echo(f"{problem.file}:{problem.line}: {problem.reason}", err=True)
    duties = drafting.draft_duties(document, _register_units(), document.issued)
    if as_json:
        click.echo(json.dumps([duty.as_json() for duty in duties], ensure_ascii=False, indent=1))
    else:
        click.echo(f"{document.title or file.name}{'（' + document.number + '）' if document.number else ''}："
                   f"{len(document.clauses)} 个条款，拟出 {len(duties)} 项任务")
        for duty in duties:
            lead = "、".join(duty.lead) or "（未识别牵头单位）"
            cooperating = f"；配合：{'、'.join(duty.cooperating)}" if duty.cooperating else ""
            click.echo(f"  {duty.clause}  {duty.title}｜牵头：{lead}{cooperating}"
                       f"{'｜时限：' + duty.deadline_text if duty.deadline_text else ''}")
    if not document.clauses:
        sys.exit(1)


def _register_units():
    """The unit register to match names against: the database's when it is set up, else the seed
    content/units.csv (ids are then its line numbers: only whether a name is known matters)."""
    try:
        rows = db.session.scalars(sa.select(Unit).where(Unit.active.is_(True))).all()
    except SQLAlchemyError:  # no database yet (never set up): the seed register
        db.session.rollback()
        rows = []
    if rows:
        return units_from_register(rows)

    path = content_dir() / "units.csv"
    parsed, _problems = parse_units(path.read_bytes(), str(path)) if path.exists() else ([], [])
    return units_from_register([SimpleNamespace(id=r.line, name=r.name, short_name=r.short_name, aliases=r.aliases,
                                                level=r.level) for r in parsed])


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (plan_import_command, plan_draft_command):
    bp.cli.add_command(_command)
