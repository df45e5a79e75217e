"""Flask CLI: `flask staff create-admin` (the first national admin) and `flask staff demo-invitations`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..accounts.models import Role
from ..catalog.models import Mpp, Tenancy
from ..extensions import db
from .invitations import InvitationInvalid, InvitationRequest, create_invitation

DEMO_MPP = "kota-kendari"  # the demo officers' MPP (WITA, so time zones are exercised in the demo too)

staff = AppGroup("staff", help="Back-office staff: invitations that enrol a passkey.")


def _link(token: str) -> str:
    return f"{current_app.config['PUBLIC_ORIGIN'].rstrip('/')}/petugas/undangan/{token}"


def _fail(error: InvitationInvalid) -> None:
    raise click.ClickException("; ".join(f"{field}: {message}" for field, message in error.errors.items()))


@staff.command("create-admin")
@click.option("--email", required=True, help="Work e-mail address of the national administrator.")
@click.option("--name", required=True, help="Full name.")
def create_admin(email: str, name: str) -> None:
    """Invite a national administrator; prints the single-use link (valid 72 hours) that enrols their passkey."""
    try:
        _invitation, token = create_invitation(
            None,
            InvitationRequest(
                email=email, display_name=name, role=Role.NATIONAL_ADMIN.value, mpp_id=None, agency_id=None
            ),
        )
    except InvitationInvalid as error:
        _fail(error)
    click.echo(f"Invitation for {email} (national administrator), valid 72 hours, single use:")
    click.echo(_link(token))


@staff.command("demo-invitations")
@click.option("--mpp", "mpp_slug", default=DEMO_MPP, show_default=True, help="The MPP of the demo staff.")
def demo_invitations(mpp_slug: str) -> None:
    """Print one invitation link per agency with a counter at the demo MPP, plus one for its MPP admin."""
    mpp = db.session.scalar(select(Mpp).where(Mpp.slug == mpp_slug))
    if mpp is None:
        raise click.ClickException(f"MPP {mpp_slug!r} not found; run `flask demo-data` first.")
    tenancies = db.session.scalars(select(Tenancy).where(Tenancy.mpp_id == mpp.id)).all()
    rows = [(Role.MPP_ADMIN, None, f"admin.{mpp.slug}@demo.mpp.go.id", f"Admin {mpp.name}")]
    for tenancy in sorted(tenancies, key=lambda t: t.agency.slug):
        agency = tenancy.agency
        rows.append(
            (Role.OFFICER, agency, f"petugas.{agency.slug}.{mpp.slug}@demo.mpp.go.id", f"Petugas {agency.short_name}")
        )
    click.echo(f"Demo staff invitations for {mpp.name} (valid 72 hours, single use):")
    for role, agency, email, name in rows:
        try:
            _invitation, token = create_invitation(
                None,
                InvitationRequest(
                    email=email,
                    display_name=name,
                    role=role.value,
                    mpp_id=mpp.id,
                    agency_id=agency.id if agency else None,
                ),
            )
        except InvitationInvalid as error:
            click.echo(f"  skipped {email}: {'; '.join(str(m) for m in error.errors.values())}")
            continue
        label = agency.short_name if agency else "Admin MPP"
        click.echo(f"  {label:<22} {email}\n    {_link(token)}")


def register(app: Flask) -> None:
    app.cli.add_command(staff)
