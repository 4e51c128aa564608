"""`flask portal units`: the units as loaded."""
from __future__ import annotations

import click
import sqlalchemy as sa

from portal.cli_support import command
from portal.extensions import db
from portal.models import Unit
from portal.units import bp


@command("units")
@click.option("--all", "show_all", is_flag=True, help="Include retired units.")
def units_command(show_all: bool):
    """Print one unit per line: code, a space, name."""
    stmt = sa.select(Unit).order_by(Unit.sort_order, Unit.code)
    if not show_all:
        stmt = stmt.where(Unit.active)
    for unit in db.session.scalars(stmt):
        click.echo(f"{unit.code} {unit.name}")


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (units_command,):
    bp.cli.add_command(_command)
