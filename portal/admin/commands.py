"""`flask portal create-user`: an account without the web UI (the first admin)."""
from __future__ import annotations

import sys

import click

from portal.cli_support import command

ROLE_CHOICE = click.Choice(["admin", "leader", "liaison", "trainer", "staff", "trainee"])


@command("create-user")
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


def register(group) -> None:
    group.add_command(create_user_command)
