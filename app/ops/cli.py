"""Operations commands: `flask backup PATH` and `flask restore PATH --yes` (app/ops/backup.py; runbook in README)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from ..storage import StoredFileCorrupted
from . import backup as backups


def _print(verb: str, summary: backups.Summary) -> None:
    click.echo(
        f"{verb} {summary.path}: {summary.dialect} database at migration {summary.revision}, "
        f"{summary.files} uploaded files ({summary.bytes} bytes), every file's SHA-256 checked"
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write the database and every uploaded file to one archive at PATH (the app may keep running)."""
    try:
        summary = backups.backup(path)
    except (backups.BackupError, StoredFileCorrupted) as error:
        raise click.ClickException(str(error)) from None
    _print("Backed up to", summary)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm: the database and uploaded files are REPLACED by the backup's.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Replace the database and uploaded files with the backup at PATH. Stop the web and worker processes first."""
    if not yes:
        raise click.ClickException("restore replaces ALL data with the backup's; run again with --yes to confirm")
    try:
        summary = backups.restore(path)
    except (backups.BackupError, StoredFileCorrupted) as error:
        raise click.ClickException(f"restore failed: {error}") from None
    _print("Restored from", summary)


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
