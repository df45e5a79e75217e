"""``flask feedback escalate``: mark overdue complaints and tell their MPP admins (run daily, e.g. from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

group = AppGroup("feedback", help="Umpan balik: complaints and surveys.")


@group.command("escalate")
def escalate_command() -> None:
    """Escalate every complaint past its working-day limit to the MPP admin (once per stage)."""
    from .complaints import escalate_overdue

    click.echo(f"escalated: {escalate_overdue()}")


def register(app) -> None:
    app.cli.add_command(group)
