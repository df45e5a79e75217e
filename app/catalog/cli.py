"""Flask CLI commands of the catalog: `flask demo-data`."""

from __future__ import annotations

import click
from flask import Flask

from .demo_data import catalog_is_empty, load_demo_data


def register(app: Flask) -> None:
    @app.cli.command("demo-data")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Load only when the catalog has no MPP yet (keeps an edited catalog as it is).",
    )
    def demo_data(if_empty: bool) -> None:
        """Load or refresh the demo MPPs, agencies and services. Safe to repeat: rows are updated in place."""
        if if_empty and not catalog_is_empty():
            click.echo("Catalog already has MPPs; demo data not loaded (--if-empty).")
            return
        counts = load_demo_data()
        click.echo(
            "Demo catalog: {regions} regions, {mpps} MPPs, {agencies} agencies, {tenancies} tenancies, "
            "{services} services ({requirements} requirements, {steps} steps, {fees} fees), "
            "{offerings} offerings.".format(**counts)
        )
        click.echo(f"{counts['created']} rows created, {counts['updated']} rows updated.")
