"""Public catalog pages: home, the service catalog and search, one service's standard, MPPs and agencies.

Every view here is ``@public_page``: the HTML holds no personal data, so the service worker may keep it for
offline reading — and ``@cached_page``: the server keeps the rendered page for a minute too (app/pagecache.py).
Each works as a plain page without JavaScript; `/layanan` also answers htmx active search with the results
fragment only.
"""

from __future__ import annotations

from flask import Blueprint, request

from ..database import utcnow
from ..hypermedia import render
from ..i18n import current_language
from ..pagecache import cached_page
from ..security import public_page
from . import hours, labels, pages, prepared, queries, search  # search: the hook keeping Service.search_text fresh

bp = Blueprint("catalog", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    labels.init_app(state.app)
    prepared.init_app(state.app)
    state.app.jinja_env.globals["open_status_badge"] = pages.open_status_badge
    state.app.jinja_env.globals["prepared_service_cards"] = pages.service_cards
    state.app.jinja_env.filters["periods"] = hours.format_periods
    state.app.jinja_env.filters["legal_basis_lines"] = queries.legal_basis_lines
    state.app.jinja_env.filters["weekday_name"] = lambda moment: hours.day_names(current_language())[moment.weekday()]


@bp.get("/")
@public_page
@cached_page
def home():
    return render(
        "catalog/home.html",
        popular=queries.popular_services(),
        provinces=queries.mpps_by_province(),
    )


@bp.get("/layanan")
@public_page
@cached_page
def services():
    """The catalog grouped by agency, or search results for ``q``; ``instansi`` and ``mpp`` narrow either."""
    choices = pages.filters()
    agency = choices.agency_by_slug.get(request.args.get("instansi") or "")
    mpp = choices.mpp_by_slug.get(request.args.get("mpp") or "")
    agency_id = agency.id if agency else None
    mpp_id = mpp.id if mpp else None
    query = search.clean_query(request.args.get("q"))
    if query:
        result = search.find(query, agency_id=agency_id, mpp_id=mpp_id)
        groups = []
        suggestions = pages.popular_ids() if not result.services else []
    else:
        result = None
        groups = queries.services_by_agency(agency_id=agency_id, mpp_id=mpp_id)
        suggestions = []
    return pages.services_page(
        query=query,
        result=result,
        groups=groups,
        suggestions=suggestions,
        agency=agency,
        mpp=mpp,
        agencies=choices.agencies,
        mpps=choices.mpps,
    )


@bp.get("/layanan/<slug>")
@public_page
@cached_page
def service(slug: str):
    return pages.service_page(slug)


@bp.get("/mpp")
@public_page
@cached_page
def mpps():
    now = utcnow()
    provinces = queries.mpps_by_province()
    schedules = {mpp.id: queries.mpp_schedule(mpp, now, current_language()) for _, group in provinces for mpp in group}
    return render("catalog/mpps.html", provinces=provinces, schedules=schedules)


@bp.get("/mpp/<slug>")
@public_page
@cached_page
def mpp(slug: str):
    return pages.mpp_page(slug)


@bp.get("/instansi/<slug>")
@public_page
@cached_page
def agency(slug: str):
    return pages.agency_page(slug)
