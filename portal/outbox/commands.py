"""`flask portal deliver [--loop]`: the outbox's deliverer, thin over portal/outbox/deliver.py."""
from __future__ import annotations

import click

from portal.cli_support import command
from portal.outbox.deliver import deliver_due, deliver_loop
from portal.outbox.views import bp


@command("deliver")
@click.option("--loop", is_flag=True, help="Keep running: deliver, wait, deliver again.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds with --loop.")
@click.option("--batch", default=20, show_default=True, help="Deliveries claimed at a time.")
@click.option("--lease", default=600, show_default=True,
              help="Seconds a claimed delivery is held; a killed deliverer's deliveries are retried after it.")
def deliver_command(loop: bool, interval: float, batch: int, lease: int):
    """Send the messages the outbox holds (email, group robots, SMS), retrying failures with backoff."""
    if loop:
        deliver_loop(interval, batch, lease, echo=click.echo)
        return
    tally = deliver_due(batch, lease)
    for line in tally.errors:
        click.echo(line, err=True)
    click.echo(tally.line())


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (deliver_command,):
    bp.cli.add_command(_command)
