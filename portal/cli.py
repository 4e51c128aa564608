"""`flask portal ...`: the command group, content sync and setup; each domain registers its own commands.

A domain's `commands.py` adds its commands to its blueprint's `cli` group (Flask's per-blueprint
commands); `init_app(app)` gathers every registered blueprint's commands, the operator's
(`portal.ops.commands.COMMANDS`, no blueprint) and this module's own into one `flask portal` group, so
command names do not carry the blueprint's name. A domain module never imports this one (shared
helpers are in portal/cli_support.py), so there is no import circle.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from portal.cli_support import command, display_root, echo_sync
from portal.cli_support import content_dir as _content_dir
from portal.content.check import check_content
from portal.core.roles import ROLE_LABELS
from portal.demo import ensure_demo_accounts
from portal.duties.demo import load_demo_state
from portal.duties.sync import sync_duties
from portal.faults import pause_point
from portal.files.cleanup import sweep
from portal.files.storage import tighten
from portal.ops.commands import COMMANDS as OPS_COMMANDS
from portal.policy.sync import sync_policy
from portal.refdata import replace_data_tokens
from portal.search.services import rebuild_index, sync_index
from portal.training.commands import sync_training
from portal.training.demo import load_training_demo
from portal.units.services import sync_units

portal_cli = AppGroup("portal", help="儿童福利政策落实门户 management commands.")


def init_app(app) -> None:
    """Called after the blueprints are registered (each blueprint's commands module imported by the
    app factory). Flask would file a blueprint's commands under the blueprint's name; the app
    registers its blueprints with ``cli_group="portal"`` and the group made here replaces the
    last one Flask made."""
    for cmd in (*OWN_COMMANDS, *OPS_COMMANDS):
        portal_cli.add_command(cmd)
    for blueprint in app.blueprints.values():
        for cmd in blueprint.cli.commands.values():
            portal_cli.add_command(cmd)
    app.cli.add_command(portal_cli)


def run_sync() -> bool:
    """Sync every content source; print file:line: problem for each error. True when all loaded."""
    report = sync_units(_content_dir(), display_root=display_root())
    ok = echo_sync("units", report, "retired", "the previous units stay in place")
    ok = _sync_policy() and ok
    ok = _sync_duties() and ok

    ok = sync_training() and ok
    pause_point("sync-before-search")  # the database synced, the search index not yet
    _sync_search()
    return ok


def _sync_search() -> None:
    """Bring the search index in step with the library (derived data: never fails the sync)."""
    try:
        click.echo(f"search index: {sync_index()}")
    except Exception as exc:  # the index is rebuilt at the next start or `flask portal reindex`
        click.echo(f"search index: not updated ({type(exc).__name__}: {exc})", err=True)


def _sync_duties() -> bool:
    report = sync_duties(_content_dir(), display_root=display_root())
    return echo_sync("duties", report, "archived", "the previous 任务分工表 stays in place")


def _sync_policy() -> bool:
    report = sync_policy(_content_dir(), display_root=display_root())
    for line in report.lines():
        click.echo(line)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.refused:
        click.echo(f"policy: not loaded (previous versions keep serving): {', '.join(report.refused)}", err=True)
    return report.ok


@command("check-content")
def check_content_command():
    """Validate everything under content/; print file:line: problem; exit 1 on any problem."""
    problems, files = check_content(_content_dir(), display_root=display_root())
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in content/", err=True)
        sys.exit(1)
    click.echo(f"content OK: {files} files checked")


@command("sync")
def sync_command():
    """Load content/ into the database (all or nothing per file)."""
    if not run_sync():
        sys.exit(1)


@command("reindex")
@click.option("--procs", default=1, show_default=True, help="Writer processes.")
def reindex_command(procs: int):
    """Rebuild the search index from scratch (from the library in the database)."""
    stats = rebuild_index(procs=procs)
    click.echo(f"search index rebuilt: {stats['clauses']} clauses in {stats['seconds']:.1f} s -> {stats['dir']}")


@command("setup")
@click.option("--demo/--no-demo", default=False,
              help="Create demo accounts with random passwords, printed once, and load the demo state.")
@click.option("--fixed-passwords", is_flag=True,
              help="With --demo: give new demo accounts the fixed, published demo passwords (local use only).")
def setup_command(demo: bool, fixed_passwords: bool):
    """Create or upgrade the database, sync content and (with --demo) create demo accounts."""
    upgrade()
    replace_data_tokens()
    click.echo("database: up to date")
    _private_files()
    _cleanup()
    ok = run_sync()
    if demo:
        print_demo_accounts(fixed=fixed_passwords)
        if ok:
            for line in load_demo_state():
                click.echo(f"demo state: {line}")
            for line in load_training_demo():
                click.echo(f"training demo: {line}")
    if not ok:
        click.echo("setup finished with content errors (see above)", err=True)
        sys.exit(1)


def _private_files() -> None:
    """Instances set up before files were made private: the database, uploads and instance folder
    become 0600/0700 (portal.files.storage)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    roots = [Path(current_app.instance_path), Path(current_app.config["UPLOAD_DIR"])]
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        roots += [Path(url.database + suffix) for suffix in ("", "-wal", "-shm")]
    changed = sum(tighten(root) for root in roots)
    if changed:
        click.echo(f"files: {changed} made private (0600 files, 0700 folders)")


def _cleanup() -> None:
    """What crashes and unconfirmed uploads left behind (portal.files.cleanup); never fails the setup."""
    try:
        for line in sweep().lines():
            click.echo(f"cleanup: {line}")
    except Exception as exc:  # noqa: BLE001 - a cleanup problem must not stop the setup
        click.echo(f"cleanup: skipped ({type(exc).__name__}: {exc})", err=True)


def print_demo_accounts(fixed: bool = False) -> None:
    results = ensure_demo_accounts(fixed=fixed)
    click.echo("")
    click.echo("演示账号 (demo accounts):")
    for result in results:
        demo = result.account
        roles = "、".join(ROLE_LABELS[r] for r in demo.roles)
        if result.password:
            shown = result.password
        else:
            shown = "(unchanged: shown when created; reset it on 用户管理 or with --fixed-passwords on a new database)"
        click.echo(f"  username: {demo.username:<15} password: {shown:<20} ({roles})")
    if any(r.state == "created" for r in results) and not fixed:
        click.echo("  These random passwords are shown only this once: note them now.")
    click.echo("  管理员 accounts set up a second factor (an authenticator app's codes) at their first sign-in.")
    click.echo("")


OWN_COMMANDS = (check_content_command, sync_command, reindex_command, setup_command)
