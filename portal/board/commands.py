"""`flask portal snapshot | send-bulletin`: the day's picture of every duty (thin over
`portal.board.snapshots`), the 通报 emailed now (`portal.board.schedule`)."""
from __future__ import annotations

import sys

import click

from portal.board import bp
from portal.board.schedule import send_scheduled
from portal.board.snapshots import take
from portal.cli_support import command
from portal.core.time import today
from portal.web.zhcontrols import parse_zh_date


@command("snapshot")
@click.option("--on", "on", default="", help="The day to record (default today; e.g. 2026-12-05 for a missed day).")
def snapshot_command(on: str):
    """Record every duty instance's state, light, progress and overdue days for the day (run daily;
    `remind` runs it too). Running again the same day replaces that day's rows."""
    day = parse_zh_date(on) if on else today()
    if day is None:
        click.echo(f"--on: “{on}” is not a date (e.g. 2026-12-05)", err=True)
        sys.exit(2)
    if day > today():
        click.echo(f"--on: {day.isoformat()} is in the future; a snapshot records a day that has begun", err=True)
        sys.exit(2)
    click.echo(take(day).line)


@command("send-bulletin")
def send_bulletin_command():
    """Put the 通报 (this month's default period, .xlsx and .docx attached) into the outbox now, to the
    leaders chosen in 督办设置; `remind` sends it on the office's day each month."""
    for line in send_scheduled(today(), now=True):
        click.echo(line)


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (snapshot_command, send_bulletin_command):
    bp.cli.add_command(_command)
