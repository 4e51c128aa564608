"""`flask portal import-roster FILE [--dry-run]` and the training part of `sync`, thin over the services."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli_support import command, display_root, echo_sync
from portal.cli_support import content_dir as _content_dir
from portal.core.time import today
from portal.extensions import db
from portal.training import bp, tally
from portal.training.certificates import issue_missing
from portal.training.demo import load_training_demo, remove_training_demo
from portal.training.modules import sync_modules
from portal.training.roster import import_roster


def sync_training() -> bool:
    """Load content/training/ (called by `flask portal sync` and `setup`)."""
    report = sync_modules(_content_dir(), display_root=display_root())
    return echo_sync("training modules", report, "retired", "the previous modules stay in place")


@command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; write nothing.")
def import_roster_command(file: Path, dry_run: bool):
    """Import a trainee roster (.xlsx or .csv, the template's columns); all or nothing."""
    result = import_roster(file.read_bytes(), file.name, None, dry_run=dry_run)
    for problem in result.problems:
        click.echo(str(problem))
    if not result.ok:
        click.echo(f"{len(result.problems)} problem(s): nothing imported", err=True)
        sys.exit(1)
    prefix = "dry run (nothing written): " if dry_run else ""
    click.echo(f"{prefix}{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
               f"{len(result.new_places)} new places, {len(result.new_accounts)} new accounts"
               + ("" if dry_run else f", {result.assigned} assignments added"))
    if dry_run and result.new_accounts:
        click.echo("new accounts (their initial passwords are printed once, by the real import): "
                   + ", ".join(result.new_accounts))
    if result.initial_passwords:
        click.echo("Initial passwords of the new accounts, shown only now (only their hashes are stored; "
                   "each must be changed at first login; an admin can reset a lost one):")
        click.echo("姓名\t账号\t初始密码")
        for name, account, password in result.initial_passwords:
            click.echo(f"{name}\t{account}\t{password}")


@command("training-demo")
@click.option("--remove", is_flag=True, help="Remove the demo roster and its records.")
def training_demo_command(remove: bool):
    """Add (or remove) a clearly labelled demo roster for the training module."""
    for line in (remove_training_demo() if remove else load_training_demo()):
        click.echo(line)


@command("training-tally")
@click.option("--rebuild", is_flag=True, help="Recompute the summary from the rows (after rows were written in bulk "
                                               "outside the services, or when the check finds a difference).")
def training_tally_command(rebuild: bool):
    """Check the training figures' summary against a recount of the rows (exit 1 on a difference)."""
    if rebuild:
        rows = tally.rebuild()
        folded = tally.fold_past(today())  # past dues summed, as the daily job leaves them
        db.session.commit()
        click.echo(f"training figures' summary rebuilt: {rows} rows ({folded} of past dues folded)")
        return
    differences = tally.drift(today())
    for key, kept, counted in differences[:20]:
        click.echo(f"county {key[0]} {key[1]} module {key[2]} due {key[3]}: kept {kept}, counted {counted}")
    if differences:
        click.echo(f"{len(differences)} difference(s): run `flask portal training-tally --rebuild`", err=True)
        sys.exit(1)
    click.echo("training figures' summary agrees with the rows")


@command("issue-certificates")
def issue_certificates_command():
    """Number a 结业证书 for every standing completion that has none yet (run once after upgrading)."""
    click.echo(f"{issue_missing()} certificate(s) issued")


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (import_roster_command, training_demo_command, training_tally_command, issue_certificates_command):
    bp.cli.add_command(_command)
