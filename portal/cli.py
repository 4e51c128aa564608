"""`flask portal ...` commands: thin wrappers over the services."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from portal.config import PROJECT_ROOT
from portal.extensions import db

portal_cli = AppGroup("portal", help="儿童福利政策落实门户 management commands.")


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def run_sync() -> bool:
    """Sync every content source; print file:line: problem for each error. True when all loaded."""
    from portal.units.services import sync_units

    ok = True
    report = sync_units(_content_dir(), display_root=PROJECT_ROOT)
    if report.ok:
        click.echo(
            f"units: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.retired)} retired"
        )
    else:
        ok = False
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo("units: not loaded; the previous units stay in place", err=True)
    ok = _sync_policy() and ok
    ok = _sync_duties() and ok
    _sync_search()
    return ok


def _sync_search() -> None:
    """Bring the search index in step with the library (derived data: never fails the sync)."""
    from portal.search.services import sync_index

    try:
        click.echo(f"search index: {sync_index()}")
    except Exception as exc:  # the index is rebuilt at the next start or `flask portal reindex`
        click.echo(f"search index: not updated ({type(exc).__name__}: {exc})", err=True)


def _sync_duties() -> bool:
    from portal.duties.sync import sync_duties

    report = sync_duties(_content_dir(), display_root=PROJECT_ROOT)
    if report.ok:
        click.echo(f"duties: {len(report.created)} created, {len(report.updated)} updated, "
                   f"{len(report.retired)} archived")
    else:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo("duties: not loaded; the previous 任务分工表 stays in place", err=True)
    return report.ok


def _sync_policy() -> bool:
    from portal.policy.services import sync_policy

    report = sync_policy(_content_dir(), display_root=PROJECT_ROOT)
    for line in report.lines():
        click.echo(line)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.refused:
        click.echo(f"policy: not loaded (previous versions keep serving): {', '.join(report.refused)}", err=True)
    return report.ok


@portal_cli.command("check-content")
def check_content_command():
    """Validate everything under content/; print file:line: problem; exit 1 on any problem."""
    from portal.content.check import check_content

    problems, files = check_content(_content_dir(), display_root=PROJECT_ROOT)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in content/", err=True)
        sys.exit(1)
    click.echo(f"content OK: {files} files checked")


@portal_cli.command("sync")
def sync_command():
    """Load content/ into the database (all or nothing per file)."""
    if not run_sync():
        sys.exit(1)


@portal_cli.command("reindex")
@click.option("--procs", default=1, show_default=True, help="Writer processes.")
def reindex_command(procs: int):
    """Rebuild the search index from scratch (from the library in the database)."""
    from portal.search.services import rebuild_index

    stats = rebuild_index(procs=procs)
    click.echo(f"search index rebuilt: {stats['clauses']} clauses in {stats['seconds']:.1f} s -> {stats['dir']}")


@portal_cli.command("units")
@click.option("--all", "show_all", is_flag=True, help="Include retired units.")
def units_command(show_all: bool):
    """Print one unit per line: code, a space, name."""
    from portal.models import Unit

    stmt = sa.select(Unit).order_by(Unit.sort_order, Unit.code)
    if not show_all:
        stmt = stmt.where(Unit.active)
    for unit in db.session.scalars(stmt):
        click.echo(f"{unit.code} {unit.name}")


ROLE_CHOICE = click.Choice(["admin", "leader", "liaison", "trainer", "staff"])


@portal_cli.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE_CHOICE)
@click.option("--unit", default="", help="Unit code (required for liaison).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Display name (defaults to USERNAME).")
def create_user_command(username, roles, unit, password, display_name):
    """Create an account non-interactively."""
    from portal.admin.services import AccountError, AccountInput, create_account

    try:
        user = create_account(AccountInput(username, display_name or username, list(roles), unit, password))
    except AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created {user.username} ({', '.join(user.roles)})")


@portal_cli.command("setup")
@click.option("--demo/--no-demo", default=False, help="Create the demo accounts and print them.")
def setup_command(demo: bool):
    """Create or upgrade the database, sync content and (with --demo) create demo accounts."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database: up to date")
    ok = run_sync()
    if demo:
        print_demo_accounts()
        if ok:
            from portal.duties.demo import load_demo_state

            for line in load_demo_state():
                click.echo(f"demo state: {line}")
    if not ok:
        click.echo("setup finished with content errors (see above)", err=True)
        sys.exit(1)


def print_demo_accounts() -> None:
    from portal.demo import ensure_demo_accounts
    from portal.roles import ROLE_LABELS

    results = ensure_demo_accounts()
    click.echo("")
    click.echo("演示账号 (demo accounts):")
    for demo, state in results:
        roles = "、".join(ROLE_LABELS[r] for r in demo.roles)
        password = demo.password if state != "password changed" else "(password was changed by its user)"
        click.echo(f"  username: {demo.username:<15} password: {password:<20} ({roles})")
    click.echo("")


# Commands owned by other domains register themselves on the group.
from portal.duties import commands as _duty_commands  # noqa: E402,F401
from portal.policy import commands as _policy_commands  # noqa: E402,F401
