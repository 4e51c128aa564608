"""What every domain's `flask portal ...` commands share: where content lives, how paths are shown."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.config import PROJECT_ROOT


def content_dir() -> Path:
    """The content folder in force (PORTAL_CONTENT_DIR, or the project's content/)."""
    return Path(current_app.config["CONTENT_DIR"])


def display_root() -> Path:
    """Paths inside the project are shown relative to it, others in full (read-only use)."""
    return PROJECT_ROOT


def shown(path: Path) -> Path:
    root = display_root()
    return path.relative_to(root) if path.is_relative_to(root) else path


def command(name: str, **kwargs):
    """`@command("name")`: a click command that runs inside the app context (as AppGroup.command does),
    defined at module level and added to the group by its domain's `register(group)`."""
    def decorator(f):
        return click.command(name, **kwargs)(with_appcontext(f))
    return decorator


def echo_sync(name: str, report, retired_word: str, kept: str) -> bool:
    """How every content sync reports: counts when it loaded, else each `file:line: problem` and what
    stays in place. Returns whether it loaded."""
    if report.ok:
        click.echo(f"{name}: {len(report.created)} created, {len(report.updated)} updated, "
                   f"{len(report.retired)} {retired_word}")
    else:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{name}: not loaded; {kept}", err=True)
    return report.ok
