"""Flask CLI: `flask demo-forms` seeds a form for every demo service; `flask purge-drafts` removes expired drafts."""

from __future__ import annotations

import click


def register(app) -> None:
    @app.cli.command("demo-forms")
    def demo_forms_command():
        """Load the demo application forms and this year's cuti bersama (safe to repeat)."""
        from .demo_forms import load_demo_form_definitions

        result = load_demo_form_definitions()
        click.echo(
            f"forms: {result['created']} new, {result['unchanged']} unchanged; "
            f"cuti bersama added: {result['collective_leave_added']}"
        )
        if result["missing_services"]:
            click.echo(
                "services not in the catalog (run `flask demo-data` first): " + ", ".join(result["missing_services"])
            )

    @app.cli.command("purge-drafts")
    def purge_drafts_command():
        """Delete application drafts past their 30-day expiry (run daily)."""
        from .drafts import purge_expired

        click.echo(f"expired drafts deleted: {purge_expired()}")
