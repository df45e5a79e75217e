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
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import quote_plus

from flask import abort, current_app, get_template_attribute, render_template, request
from flask_babel import force_locale, gettext
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


# The badge's words per language, escaped once (a translation may hold "&"): a page shows up to eleven badges,
# and formatting each through Markup with lazy translations cost more than the rest of a prepared page.
_badge_words: dict[str, dict[str, str]] = {}


def _escaped_words(language: str) -> dict[str, str]:
    found = _badge_words.get(language)
    if found is None:
        with force_locale(language):
            found = {name: str(escape(word)) for name, word in labels.words().items()}
        found["days"] = tuple(str(escape(name)) for name in hours.day_names(language).values())
        _badge_words[language] = found
    return found


def open_status_badge(status: hours.OpeningStatus, timezone: str, language: str | None = None) -> Markup:
    """ "Buka sekarang · sampai 15.30 WITA" or "Tutup · buka besok 08.00 WITA", as the catalog shows it everywhere."""
    words = _escaped_words(language or current_language())
    zone = escape(zone_label(timezone))
    if status.is_open:
        until = words["until"] % {"time": clock(status.closes_at)}  # a clock is digits and a dot: nothing to escape
        return Markup(  # noqa: S704  (every value escaped above)
            f'<p class="open-status"><span class="badge open">{words["open_now"]}</span> '
            f'<span class="muted">{until} {zone}</span></p>'
        )
    if not status.next_opening:
        return Markup(f'<p class="open-status"><span class="badge closed">{words["closed"]}</span></p>')  # noqa: S704
    days = (status.next_opening.date() - status.checked_at.date()).days
    if days == 0:
        day = words["today"]
    elif days == 1:
        day = words["tomorrow"]
    else:
        day = words["days"][status.next_opening.weekday()]
    return Markup(  # noqa: S704  (every value escaped above)
        f'<p class="open-status"><span class="badge closed">{words["closed"]}</span> <span class="muted">· '
        f"{words['opens']} {day} {clock(status.next_opening.time())} {zone}</span></p>"
    )


def _status_slot(week: hours.Week, timezone: str, language: str, now: dt.datetime) -> str:
    return open_status_badge(hours.week_status(week, timezone, now), timezone, language)


def _local_clock_slot(timezone: str, now: dt.datetime) -> str:
    return clock(now.astimezone(hours.zone(timezone)).time())


def _whole_minutes(weeks: list[hours.Week]) -> bool:
    """Every opening and closing time falls on a whole minute (as the forms and the importer write them)."""
    return all(
        moment.second == 0 and moment.microsecond == 0
        for week in weeks
        for periods in week.values()
        for period in periods
        for moment in period
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A page's content with its live slots: ``parts`` are the static HTML around the slots, in order.

    The live slots say what holds at this minute (open now or not, the local time) and nothing finer: with
    ``per_minute`` their HTML is made once per minute and reused by the requests of that minute. Every time zone's
    offset is a whole number of minutes (the last one with seconds ended in 1972), so a minute of UTC is a minute
    of every local clock; ``per_minute`` is False when an opening time has seconds of its own."""

    title: str
    description: str | None
    parts: tuple[str, ...]
    slots: tuple[Slot, ...]
    per_minute: bool = False
    _minute: list = field(default_factory=lambda: [None], compare=False, repr=False)  # [(minute, HTML)]

    def content(self, now: dt.datetime) -> Markup:
        if not self.per_minute:
            return self._content(now)
        minute = now.replace(second=0, microsecond=0)
        kept = self._minute[0]  # one tuple, replaced whole: a thread never sees one minute with another's HTML
        if kept is not None and kept[0] == minute:
            return kept[1]
        html = self._content(now)
        self._minute[0] = (minute, html)
        return html

    def _content(self, now: dt.datetime) -> Markup:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out.append(slot(now))
            out.append(part)
        return Markup("".join(out))  # noqa: S704  (HTML rendered by Jinja with autoescape, and live HTML made here)


def _prepare(
    template: str, title: str, description: str | None, slots: list[Slot], per_minute: bool, **context
) -> Prepared:
    marks = iter(range(len(slots) + 1))

    def live_slot() -> Markup:
        next(marks)
        return Markup(SLOT)  # noqa: S704  (a constant stand-in)

    html = render_template(template, live_slot=live_slot, **context)
    parts = tuple(html.split(SLOT))
    if len(parts) != len(slots) + 1:  # a template and its slot list disagree: a programming error, caught by tests
        raise RuntimeError(f"{template}: {len(parts) - 1} live slots rendered, {len(slots)} expected")
    return Prepared(title, description, parts, tuple(slots), per_minute)


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


def page(title: str, content: Markup, description: str | None = None, *, language: str | None = None) -> str:
    """The whole page around ``content`` (in ``language``, the request's: passed when the caller knows it)."""
    if current_user.is_authenticated:
        return render_template("catalog/_page.html", title=title, description=description, content=content)
    shell = prepared.piece(
        "shell", (description is not None,), partial(_shell, description is not None), language=language
    )
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
    language = current_language()
    counters = queries.service_counters(service, now, language)
    weeks = [hours.week(counter.schedule_rows) for counter in counters]
    slots = [
        partial(_status_slot, week, counter.mpp.timezone, language)
        for week, counter in zip(weeks, counters, strict=True)
    ]
    return _prepare(
        "catalog/_service_body.html",
        service.name,
        _truncate(service.summary),
        slots,
        _whole_minutes(weeks),
        service=service,
        counters=counters,
        lowest_fee=queries.lowest_fee(service),
        step_total=queries.total_step_time(service.steps),
    )


def service_page(slug: str) -> str:
    language = current_language()
    prepared_page = prepared.piece("service", (slug,), partial(_service_page, slug), language=language) or abort(404)
    return page(prepared_page.title, prepared_page.content(utcnow()), prepared_page.description, language=language)


def _mpp_page(slug: str) -> Prepared | None:
    mpp = queries.get_mpp(slug)
    if mpp is None:
        return None
    now = utcnow()
    language = current_language()
    counters = queries.mpp_counters(mpp, now, language)
    weeks = [hours.week(mpp.hours)] + [hours.week(counter.schedule_rows) for counter in counters]
    slots: list[Slot] = [
        partial(_status_slot, weeks[0], mpp.timezone, language),
        partial(_local_clock_slot, mpp.timezone),
    ]
    slots += [partial(_status_slot, week, mpp.timezone, language) for week in weeks[1:]]
    return _prepare(
        "catalog/_mpp_body.html",
        mpp.name,
        gettext("Address, opening hours, agencies and services of %(name)s.", name=mpp.name),
        slots,
        _whole_minutes(weeks),
        mpp=mpp,
        schedule=queries.mpp_schedule(mpp, now, language),
        counters=counters,
        groups=queries.services_by_agency(mpp_id=mpp.id),
    )


def mpp_page(slug: str) -> str:
    language = current_language()
    prepared_page = prepared.piece("mpp", (slug,), partial(_mpp_page, slug), language=language) or abort(404)
    return page(prepared_page.title, prepared_page.content(utcnow()), prepared_page.description, language=language)


def _agency_page(slug: str) -> Prepared | None:
    agency = queries.get_agency(slug)
    if agency is None:
        return None
    language = current_language()
    counters = queries.agency_counters(agency, utcnow(), language)
    weeks = [hours.week(hours.effective_hours(counter.tenancy)) for counter in counters]
    slots = [
        partial(_status_slot, week, counter.mpp.timezone, language)
        for week, counter in zip(weeks, counters, strict=True)
    ]
    return _prepare(
        "catalog/_agency_body.html",
        agency.name,
        gettext("Services of %(name)s and the MPPs where it serves.", name=agency.short_name),
        slots,
        _whole_minutes(weeks),
        agency=agency,
        counters=counters,
    )


def agency_page(slug: str) -> str:
    language = current_language()
    prepared_page = prepared.piece("agency", (slug,), partial(_agency_page, slug), language=language) or abort(404)
    return page(prepared_page.title, prepared_page.content(utcnow()), prepared_page.description, language=language)


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


def service_cards(items, language: str | None = None) -> Markup:
    """The result list of ``items`` (services, search candidates or ids), each card rendered once per version."""
    cards = prepared.piece("cards", (), _cards, language=language)
    ids = (getattr(item, "id", item) for item in items)
    return Markup('\n<ul class="card-list">\n' + "".join(cards[i] for i in ids if i in cards) + "\n</ul>\n")  # noqa: S704


def _form_slot(name: str) -> Markup:
    return Markup(SLOT + name + SLOT)  # noqa: S704  (a constant stand-in; catalog slugs hold no control characters)


def _search_form() -> tuple[str, ...]:
    """/layanan's heading and search form in this language, cut at its stand-ins (odd pieces name them)."""
    choices = filters()
    html = render_template(
        "catalog/_services_body.html", form_slot=_form_slot, agencies=choices.agencies, mpps=choices.mpps
    )
    return tuple(html.split(SLOT))


def services_page(**context) -> str:
    """/layanan: the results fragment alone for an htmx search, else the whole page.

    The search form (33 filter options, links and labels) is rendered once per catalog version and language; a
    request fills in the words searched, marks the chosen filters and renders only what it found."""
    language = current_language()
    words = labels.page_words(language)
    if wants_fragment():
        return render_template("catalog/_results.html", words=words, language=language, **context)
    found = render_template("catalog/_services_found.html", words=words, language=language, **context)
    values = {"q": str(escape(context["query"])), "found": found}
    if context["agency"] is not None:
        values["instansi:" + context["agency"].slug] = " selected"
    if context["mpp"] is not None:
        values["mpp:" + context["mpp"].slug] = " selected"
    out = list(prepared.piece("search-form", (), _search_form, language=language))
    for index in range(1, len(out), 2):
        out[index] = values.get(out[index], "")
    content = Markup("".join(out))  # noqa: S704  (rendered by Jinja with autoescape; the words searched escaped above)
    title = words.services + (f" – “{context['query']}”" if context["query"] else "")
    return page(title, content, language=language)


def popular_ids() -> tuple[int, ...]:
    return prepared.piece(
        "popular", (), lambda: tuple(service.id for service in queries.popular_services()), per_language=False
    )
