"""`flask portal coverage | remind | roll-periods | demo-data | encrypt-evidence | division-check`: duty commands,
thin over the services."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from portal.board.schedule import send_scheduled
from portal.board.snapshots import take
from portal.cli_support import command
from portal.cli_support import content_dir as _content_dir
from portal.content.policy_doc import label_for
from portal.core.time import today
from portal.duties import bp
from portal.duties.demo import load_demo_state, remove_demo_state
from portal.duties.evidence import encrypt_stored
from portal.duties.periods import checkin_reminders, roll_all
from portal.duties.reminders import send_reminders
from portal.duties.sync import clause_coverage_gaps
from portal.extensions import db
from portal.models import Unit
from portal.plan_text.division_table import read_division_table
from portal.plan_text.units import units_from_register
from portal.supervision.ladder import run_escalations
from portal.training.reminders import send_training_reminders
from portal.training.tally import fold_past


@command("coverage")
def coverage_command():
    """List clauses under 二、三、四 with neither a duty nor a 'no duty' entry; exit 1 if any."""
    gaps, problems = clause_coverage_gaps(_content_dir())
    for problem in problems:
        click.echo(str(problem), err=True)
    for clause_id in gaps:
        click.echo(f"{clause_id} {label_for(clause_id)}")
    if problems or gaps:
        sys.exit(1)
    click.echo("coverage: every clause has a duty or a 'no duty' entry")


@command("remind")
@click.option("--days", default=30, show_default=True, help="Due within this many days counts as due soon.")
def remind_command(days: int):
    """Post each unit's due-soon and overdue list as an in-app notice (and email when SMTP is set)."""
    on = today()  # the portal's day, read once
    click.echo(f"periods: {roll_all(on)} periodic duty instance(s) moved to their current period")
    for line in send_reminders(days) + send_training_reminders():
        click.echo(line)
    for line in run_escalations(on):  # the 督办 ladder's steps due today (each taken once)
        click.echo(line)
    for line in checkin_reminders(on):
        click.echo(line)
    click.echo(take().line)  # the day's snapshot of every duty (trends, 本期与上期相比)
    for line in send_scheduled(on):  # the month's 通报 to leaders, on the office's day
        click.echo(line)
    folded = fold_past(on)  # the training figures' summary: past dues summed into one row each
    db.session.commit()
    click.echo(f"training figures: {folded} past-due summary row(s) folded")


@command("roll-periods")
def roll_periods_command():
    """Move every periodic duty whose period is over to its current period (kept in its history)."""
    click.echo(f"periods: {roll_all(today())} periodic duty instance(s) moved to their current period")


@command("demo-data")
@click.option("--remove", is_flag=True, help="Remove the demo state, leaving everything else.")
def demo_data_command(remove: bool):
    """Add (or remove) a clearly labelled demo state on the duty boards."""
    lines = remove_demo_state() if remove else load_demo_state()
    for line in lines:
        click.echo(line)


@command("encrypt-evidence")
@click.option("--dry-run", is_flag=True, help="Count what would be encrypted; change nothing.")
def encrypt_evidence_command(dry_run: bool):
    """Encrypt evidence files stored before encryption at rest (each checked against its SHA-256)."""
    done, already, problems = encrypt_stored(dry_run=dry_run)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(("dry run: " if dry_run else "") + f"{done} evidence file(s) encrypted, {already} already encrypted, "
               f"{len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@command("division-check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def division_check_command(file: str):
    """Read an edited 任务分工表 (.xlsx or .docx) against the unit register; print every problem as
    file:row: reason and exit 1 if there is any. Writes nothing."""
    units = units_from_register(db.session.scalars(sa.select(Unit).where(Unit.active)))
    rows, problems = read_division_table(file, units)
    for problem in problems:
        click.echo(f"{problem.file}:{problem.line}: {problem.reason}", err=True)
    click.echo(f"{len(rows)} 项任务，{len(problems)} 个问题")
    if problems:
        sys.exit(1)


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (coverage_command, remind_command, roll_periods_command, demo_data_command, encrypt_evidence_command,
                 division_check_command):
    bp.cli.add_command(_command)
