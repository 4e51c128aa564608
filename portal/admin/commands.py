"""`flask portal create-user`: an account without the web UI (the first admin)."""
from __future__ import annotations

import sys

import click

from portal.admin import bp
from portal.admin.services import AccountError, AccountInput, check_new_account, create_account
from portal.cli_support import command
from portal.core.roles import ROLE_ORDER

ROLE_CHOICE = click.Choice(ROLE_ORDER)


@command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's 姓名, shown everywhere in the portal.")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE_CHOICE)
@click.option("--unit", default="", help="Unit code (required for liaison).")
@click.option("--password", default=None, help="Initial password; asked for (hidden) when omitted.")
@click.option("--temporary", is_flag=True,
              help="The holder must change the password at first sign-in (it was chosen for them).")
def create_user_command(username, display_name, roles, unit, password, temporary):
    """Create an account. Name, roles and unit are checked before the password is asked for."""
    data = AccountInput(username, display_name, list(roles), unit, password)
    try:
        check_new_account(data)
        if data.password is None:
            data.password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = create_account(data, temporary=temporary)
    except AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created {user.username} {user.display_name} ({', '.join(user.roles)})"
               + ("; must change the password at first sign-in" if temporary else ""))


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (create_user_command,):
    bp.cli.add_command(_command)
