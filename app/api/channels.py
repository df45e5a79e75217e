"""Where a service is applied for (issue 12 point 7): in this app, at a national e-service, at the counter — or several.

A service without channel rows keeps what the catalog already says: online in this app when
``Service.online_application``, and at the counter always (every MPP service can be started at its counter). Rows
are added for the services that also (or only) run through a national e-service: M-Paspor, OSS, SIGNAL, Mobile JKN.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from ..catalog.models import Service
from ..extensions import db
from .models import ChannelKind, ServiceChannel


@dataclass(frozen=True)
class Channel:
    kind: ChannelKind
    name: str | None = None
    url: str | None = None


def is_valid_channel_url(url: str | None) -> bool:
    """A national e-service link is https to a named host; nothing else is ever shown as a link."""
    if not url or len(url) > 300:
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and "." in parts.hostname


def channels_of(service: Service, rows: list[ServiceChannel] | None = None) -> list[Channel]:
    if rows is None:
        rows = list(
            db.session.scalars(
                select(ServiceChannel).where(ServiceChannel.service_id == service.id).order_by(ServiceChannel.position)
            )
        )
    if not rows:
        default = [Channel(ChannelKind.ONLINE)] if service.online_application else []
        return [*default, Channel(ChannelKind.COUNTER)]
    return [
        Channel(row.kind, row.name, row.url)
        for row in rows
        if row.kind != ChannelKind.NATIONAL or is_valid_channel_url(row.url)
    ]


def channels_by_service(services: list[Service]) -> dict[int, list[Channel]]:
    """Channels of many services in one query (lists and search results)."""
    ids = [service.id for service in services]
    rows: dict[int, list[ServiceChannel]] = {}
    if ids:
        for row in db.session.scalars(
            select(ServiceChannel).where(ServiceChannel.service_id.in_(ids)).order_by(ServiceChannel.position)
        ):
            rows.setdefault(row.service_id, []).append(row)
    return {service.id: channels_of(service, rows.get(service.id, [])) for service in services}


def channel_json(channel: Channel) -> dict:
    return {"kind": channel.kind.value, "name": channel.name, "url": channel.url}


def channels_json(service: Service, known: dict[int, list[Channel]] | None = None) -> list[dict]:
    channels = known[service.id] if known is not None and service.id in known else channels_of(service)
    return [channel_json(channel) for channel in channels]


def channels_for_page(service: Service) -> list[Channel]:
    """For templates: every service's channel rows are read once per request (a catalog page lists ~80 services;
    the whole table is a few dozen rows), never one query per card."""
    from flask import g

    if "service_channel_rows" not in g:
        rows: dict[int, list[ServiceChannel]] = {}
        for row in db.session.scalars(
            select(ServiceChannel).order_by(ServiceChannel.service_id, ServiceChannel.position)
        ):
            rows.setdefault(row.service_id, []).append(row)
        g.service_channel_rows = rows
    return channels_of(service, g.service_channel_rows.get(service.id, []))


# Services whose application runs (also or only) through a national e-service. The rest keep the defaults above.
# They load with the demo catalog, through the importer (catalog_io.demo_document).
# Each link is the official site of the e-service's owner, checked against public sources: M-Paspor is the app of
# Ditjen Imigrasi (imigrasi.go.id announces it), OSS-RBA is oss.go.id, SIGNAL (Samsat Digital Nasional) is built
# by Korlantas Polri (korlantas.polri.go.id), Mobile JKN is BPJS Kesehatan's. An app without a web front is
# linked through its owner's site, never a guessed address or an app-store page.
DEMO_CHANNELS: dict[str, list[tuple[ChannelKind, str | None, str | None]]] = {
    # The passport application and its slot are made in M-Paspor; photo and interview happen at the counter.
    "paspor-biasa": [
        (ChannelKind.NATIONAL, "M-Paspor", "https://www.imigrasi.go.id/"),
        (ChannelKind.COUNTER, None, None),
    ],
    # NIB is issued by OSS-RBA; the MPP's DPMPTSP counter helps those who cannot do it alone.
    "nib-perseorangan": [
        (ChannelKind.NATIONAL, "OSS", "https://oss.go.id/"),
        (ChannelKind.COUNTER, None, None),
    ],
    "pajak-kendaraan-tahunan": [
        (ChannelKind.NATIONAL, "SIGNAL", "https://korlantas.polri.go.id/"),
        (ChannelKind.COUNTER, None, None),
    ],
    "bpjs-kesehatan-mandiri": [
        (ChannelKind.NATIONAL, "Mobile JKN", "https://www.bpjs-kesehatan.go.id/"),
        (ChannelKind.COUNTER, None, None),
    ],
}
