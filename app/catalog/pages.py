"""The public catalog pages, assembled from pieces prepared once per catalog version (catalog/prepared.py).

A page is its catalog part — prepared once per version and language: the service's standard, an MPP's address and
hours, a search card — and its live part, made for every request: whether each counter is open at this minute,
which services a search finds. Preparing renders the page's own Jinja template (the one place its HTML is written)
with *live slots*: stand-ins that ``Prepared.content`` replaces by the live HTML of this request.

For an anonymous visitor, the layout around the content (base.html: header, menu, footer) is prepared too, once per
language, with stand-ins for the title, the description, the content and the footer's language links (they carry
this page's path). A signed-in visitor's layout shows their role, so it is rendered per request as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote_plus

from flask import abort, current_app, get_template_attribute, render_template, request
from flask_babel import gettext
from flask_login import current_user
from jinja2.filters import do_truncate
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..database import utcnow
from ..extensions import db
from ..formatting import clock, zone_label
from ..hypermedia import wants_fragment
from ..i18n import current_language
from ..security import personal_html, shareable_html
from . import hours, labels, prepared, queries
from .models import Service

SLOT = "\x1e"  # a character no catalog text holds (the importer and the forms refuse control characters)
Slot = Callable[[dt.datetime], str]


# --- live parts ---------------------------------------------------------------------------------------------------


def open_status_badge(status: hours.OpeningStatus, timezone: str) -> Markup:
    """ "Buka sekarang · sampai 15.30 WITA" or "Tutup · buka besok 08.00 WITA", as the catalog shows it everywhere."""
    words = labels.words()
    zone = zone_label(timezone)
    if status.is_open:
        return Markup(
            '<p class="open-status"><span class="badge open">{}</span> <span class="muted">{} {}</span></p>'
        ).format(words["open_now"], words["until"] % {"time": clock(status.closes_at)}, zone)
    if not status.next_opening:
        return Markup('<p class="open-status"><span class="badge closed">{}</span></p>').format(words["closed"])
    days = (status.next_opening.date() - status.checked_at.date()).days
    if days == 0:
        day = words["today"]
    elif days == 1:
        day = words["tomorrow"]
    else:
        day = hours.day_names(current_language())[status.next_opening.weekday()]
    return Markup(
        '<p class="open-status"><span class="badge closed">{}</span> <span class="muted">· {} {} {} {}</span></p>'
    ).format(words["closed"], words["opens"], day, clock(status.next_opening.time()), zone)


def _status_slot(week: hours.Week, timezone: str, now: dt.datetime) -> str:
    return open_status_badge(hours.week_status(week, timezone, now), timezone)


def _local_clock_slot(timezone: str, now: dt.datetime) -> str:
    return clock(now.astimezone(hours.zone(timezone)).time())


@dataclass(frozen=True, slots=True)
class Prepared:
    """A page's content with its live slots: ``parts`` are the static HTML around the slots, in order."""

    title: str
    description: str | None
    parts: tuple[str, ...]
    slots: tuple[Slot, ...]

    def content(self, now: dt.datetime) -> Markup:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out.append(slot(now))
            out.append(part)
        return Markup("".join(out))  # noqa: S704  (HTML rendered by Jinja with autoescape, and live HTML made here)


def _prepare(template: str, title: str, description: str | None, slots: list[Slot], **context) -> Prepared:
    marks = iter(range(len(slots) + 1))

    def live_slot() -> Markup:
        next(marks)
        return Markup(SLOT)  # noqa: S704  (a constant stand-in)

    html = render_template(template, live_slot=live_slot, **context)
    parts = tuple(html.split(SLOT))
    if len(parts) != len(slots) + 1:  # a template and its slot list disagree: a programming error, caught by tests
        raise RuntimeError(f"{template}: {len(parts) - 1} live slots rendered, {len(slots)} expected")
    return Prepared(title, description, parts, tuple(slots))


# --- the layout -------------------------------------------------------------------------------------------------

_TITLE, _DESCRIPTION, _CONTENT, _NEXT = (SLOT + name + SLOT for name in ("title", "description", "content", "next"))
_NEXT_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query value (werkzeug's urlencode)


def _encoded_next(path: str) -> str:
    """The footer's ``next=`` value for ``path`` as url_for writes it into an attribute."""
    return str(escape(quote_plus(path, safe=_NEXT_SAFE)))


def _this_path() -> str:
    return request.full_path.rstrip("?")


def _shell(has_description: bool) -> tuple[str, ...] | None:
    """The anonymous layout of this language, cut at its stand-ins; None when it cannot be cut safely."""
    html = shareable_html(
        render_template(
            "catalog/_page.html",
            title=_TITLE,
            description=_DESCRIPTION if has_description else None,
            content=Markup(_CONTENT),  # noqa: S704  (a constant stand-in)
        )
    )
    own = "next=" + _encoded_next(_this_path())
    html = html.replace(own, "next=" + _NEXT)
    pieces = html.split(SLOT)
    names = pieces[1::2]
    expected = {"title", "content", "next"} | ({"description"} if has_description else set())
    if set(names) != expected or names.count("title") != 1 or names.count("content") != 1:
        return None
    return tuple(pieces)


def page(title: str, content: Markup, description: str | None = None) -> str:
    """The whole page around ``content``."""
    if current_user.is_authenticated:
        return render_template("catalog/_page.html", title=title, description=description, content=content)
    shell = prepared.piece("shell", (description is not None,), partial(_shell, description is not None))
    if shell is None:
        return render_template("catalog/_page.html", title=title, description=description, content=content)
    values = {
        "title": str(escape(title)),
        "description": str(escape(description or "")),
        "content": str(content),
        "next": _encoded_next(_this_path()),
    }
    out = list(shell)
    for index in range(1, len(out), 2):
        out[index] = values[out[index]]
    return personal_html("".join(out))


# --- pages ------------------------------------------------------------------------------------------------------


def _service_page(slug: str) -> Prepared | None:
    service = queries.get_service(slug)
    if service is None:
        return None
    now = utcnow()  # the counters' hours are kept; their status is computed again for every request
    counters = queries.service_counters(service, now, current_language())
    slots = [partial(_status_slot, hours.week(counter.schedule_rows), counter.mpp.timezone) for counter in counters]
    return _prepare(
        "catalog/_service_body.html",
        service.name,
        _truncate(service.summary),
        slots,
        service=service,
        counters=counters,
        lowest_fee=queries.lowest_fee(service),
        step_total=queries.total_step_time(service.steps),
    )


def service_page(slug: str) -> str:
    prepared_page = prepared.piece("service", (slug,), partial(_service_page, slug)) or abort(404)
    return page(prepared_page.title, prepared_page.content(utcnow()), prepared_page.description)


def _mpp_page(slug: str) -> Prepared | None:
    mpp = queries.get_mpp(slug)
    if mpp is None:
        return None
    now = utcnow()
    counters = queries.mpp_counters(mpp, now, current_language())
    slots: list[Slot] = [
        partial(_status_slot, hours.week(mpp.hours), mpp.timezone),
        partial(_local_clock_slot, mpp.timezone),
    ]
    slots += [partial(_status_slot, hours.week(counter.schedule_rows), mpp.timezone) for counter in counters]
    return _prepare(
        "catalog/_mpp_body.html",
        mpp.name,
        gettext("Address, opening hours, agencies and services of %(name)s.", name=mpp.name),
        slots,
        mpp=mpp,
        schedule=queries.mpp_schedule(mpp, now, current_language()),
        counters=counters,
        groups=queries.services_by_agency(mpp_id=mpp.id),
    )


def mpp_page(slug: str) -> str:
    prepared_page = prepared.piece("mpp", (slug,), partial(_mpp_page, slug)) or abort(404)
    return page(prepared_page.title, prepared_page.content(utcnow()), prepared_page.description)


def _truncate(text: str, length: int = 150) -> str:
    """Jinja's ``truncate`` filter, as the service page's description has always been cut."""
    return do_truncate(current_app.jinja_env, text, length)


# --- search -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """An agency or MPP in the search form's filters."""

    id: int
    slug: str
    short_name: str
    name: str


@dataclass(frozen=True, slots=True)
class Filters:
    agencies: tuple[Choice, ...]  # only agencies with services, by short name
    mpps: tuple[Choice, ...]  # by name
    agency_by_slug: dict[str, Choice]
    mpp_by_slug: dict[str, Choice]


def _filters() -> Filters:
    agencies = tuple(Choice(a.id, a.slug, a.short_name, a.name) for a in queries.all_agencies())
    mpps = tuple(Choice(m.id, m.slug, m.name, m.name) for m in queries.all_mpps())
    return Filters(agencies, mpps, {a.slug: a for a in agencies}, {m.slug: m for m in mpps})


def filters() -> Filters:
    return prepared.piece("filters", (), _filters, per_language=False)


def _cards() -> dict[int, str]:
    card = get_template_attribute("catalog/_macros.html", "service_card")
    words = labels.page_words()
    services = db.session.scalars(
        select(Service).options(joinedload(Service.agency), selectinload(Service.fees))
    ).unique()
    return {service.id: str(card(service, words)) for service in services}


def service_cards(items) -> Markup:
    """The result list of ``items`` (services, search candidates or ids), each card rendered once per version."""
    cards = prepared.piece("cards", (), _cards)
    ids = (getattr(item, "id", item) for item in items)
    return Markup('\n<ul class="card-list">\n' + "".join(cards[i] for i in ids if i in cards) + "\n</ul>\n")  # noqa: S704


def services_page(**context) -> str:
    """/layanan: the results fragment alone for an htmx search, else the whole page."""
    if wants_fragment():
        return render_template("catalog/_results.html", **context)
    content = Markup(render_template("catalog/_services_body.html", **context))  # noqa: S704  (autoescaped)
    title = gettext("Services") + (f" – “{context['query']}”" if context["query"] else "")
    return page(title, content)


def popular_ids() -> tuple[int, ...]:
    return prepared.piece(
        "popular", (), lambda: tuple(service.id for service in queries.popular_services()), per_language=False
    )
