"""Human words for the catalog's enums and durations, translated (English msgids, Indonesian by default)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..i18n import current_language
from .models import DocumentType, DurationUnit, RequirementKind

DOCUMENT_TYPE_LABELS = {
    DocumentType.KTP: _l("Identity card (KTP-el)"),
    DocumentType.KK: _l("Family card (KK)"),
    DocumentType.AKTA_KELAHIRAN: _l("Birth certificate"),
    DocumentType.PAS_FOTO: _l("Passport photo"),
    DocumentType.IJAZAH: _l("Diploma"),
    DocumentType.BUKU_NIKAH: _l("Marriage book"),
    DocumentType.STNK: _l("Vehicle registration (STNK)"),
    DocumentType.BPKB: _l("Vehicle ownership book (BPKB)"),
    DocumentType.SIM: _l("Driving licence (SIM)"),
    DocumentType.SKCK: _l("Police clearance (SKCK)"),
    DocumentType.PASPOR: _l("Passport"),
    DocumentType.STR: _l("Registration certificate (STR)"),
    DocumentType.SURAT_KETERANGAN_SEHAT: _l("Health certificate"),
    DocumentType.SURAT_KEHILANGAN: _l("Police loss report"),
    DocumentType.SURAT_PINDAH: _l("Moving certificate"),
    DocumentType.SURAT_KETERANGAN_LAHIR: _l("Birth statement from the midwife or hospital"),
    DocumentType.LAINNYA: _l("Other document"),
}

REQUIREMENT_KIND_LABELS = {
    RequirementKind.DOCUMENT: _l("Document"),
    RequirementKind.CONDITION: _l("Condition"),
    RequirementKind.IN_PERSON: _l("At the counter"),
}


def duration_label(value: int | None, unit: DurationUnit | None) -> str:
    """ "3 hari kerja", "15 menit"; a step with no time of its own is done on the spot ("Langsung")."""
    if not value or unit is None:
        return _("Immediately")
    if unit == DurationUnit.WORKING_DAYS:
        return _("%(value)s working day(s)", value=value)
    if unit == DurationUnit.DAYS:
        return _("%(value)s day(s)", value=value)
    if unit == DurationUnit.HOURS:
        return _("%(value)s hour(s)", value=value)
    return _("%(value)s minute(s)", value=value)


def total_duration_label(duration) -> str:
    """A ``queries.Duration`` as "2 hari kerja + 1 jam 30 menit"."""
    parts = []
    if duration.working_days:
        parts.append(duration_label(duration.working_days, DurationUnit.WORKING_DAYS))
    if duration.days:
        parts.append(duration_label(duration.days, DurationUnit.DAYS))
    hours, minutes = divmod(duration.minutes, 60)
    clock = " ".join(
        label
        for label in (
            duration_label(hours, DurationUnit.HOURS) if hours else "",
            duration_label(minutes, DurationUnit.MINUTES) if minutes else "",
        )
        if label
    )
    if clock:
        parts.append(clock)
    return " + ".join(parts) if parts else _("Immediately")


# Words a catalog page repeats once per service card or counter. Each _() in a template is a Flask-Babel context
# lookup (~10 µs); a search page with 20 cards or a service page with 11 counters made ~90 of them, a third of the
# page's render time. A page takes one PageWords and each word is translated the first time it is used.
REPEATED_WORDS = {
    "fee": _l("Fee"),
    "time": _l("Time"),
    "online": _l("Can be applied for online"),
    "at_counter": _l("At the counter"),
    "free": _l("Free"),
    "plus_other_costs": _l("%(amount)s + other costs"),
    "see_fee_details": _l("See the fee details"),
    "from_amount": _l("from %(amount)s"),
    "depends": _l("Depends on the case"),
    "open_now": _l("Open now"),
    "until": _l("until %(time)s"),
    "closed": _l("Closed"),
    "opens": _l("opens"),
    "today": _l("today"),
    "tomorrow": _l("tomorrow"),
    "service_hours": _l("Service hours"),
    # /layanan's results (PageWords.text: formatted as a template's _() formats them)
    "services": _l("Services"),
    "found": _l("Found %(count)s services"),
    "found_and_other": _l("Found %(count)s services and %(other)s other results"),
    "services_count": _l("Services: %(count)s"),
    "search_results": _l("Search results"),
    "corrected": _l("Nothing matched “%(query)s” exactly; showing results for “%(corrected)s”."),
    "other_results": _l("Other results (%(count)s)"),
    "other_results_hint": _l("These services mention “%(query)s” only in their requirements or procedure."),
    "not_found": _l("Not found"),
    "no_match": _l("No service matches “%(query)s”."),
    "try_these": _l("Check the spelling, use fewer words, or try one of these:"),
    "popular": _l("Popular services"),
    "see_all": _l("See all services"),
    "none_published": _l("No services have been published here yet."),
}


class PageWords:
    """``words.closed`` → "Tutup" in the language of this page: translated once per language and process (the
    catalogs of translations do not change while it runs), so a page asks Flask-Babel for none of them."""

    def __init__(self, words: dict[str, str]) -> None:
        self.__dict__.update(words)

    def text(self, name: str, **variables) -> Markup:
        """A template's ``_(msgid, **variables)`` for one of the words, without asking Flask-Babel: the
        translation is trusted markup and the values are escaped, exactly as Jinja's gettext formats them (a
        search page spent a tenth of its time in those lookups)."""
        return Markup(self.__dict__[name]) % variables  # noqa: S704  (our own translation; values escaped by %)


_by_language: dict[str, PageWords] = {}


def words() -> dict[str, str]:
    """The repeated words in the language of this request."""
    return page_words().__dict__


def page_words(language: str | None = None) -> PageWords:
    language = language or current_language()
    found = _by_language.get(language)
    if found is None:
        found = _by_language[language] = PageWords({name: str(word) for name, word in REPEATED_WORDS.items()})
    return found


def requirement_tag(requirement) -> str:
    """The small tag after a requirement: its document type, or its kind — but never a repeat of what the line
    already says ("KTP-el [KTP-el]", "Fotokopi Kartu Keluarga [Kartu Keluarga (KK)]"), and never the empty
    "other document" (the line names it). Empty when there is nothing to add."""
    if requirement.document_type is None or requirement.document_type == DocumentType.LAINNYA:
        kind = str(REQUIREMENT_KIND_LABELS.get(requirement.kind, requirement.kind))
        # "Dokumen pendukung perubahan [Dokumen]", "Perekaman … di loket Disdukcapil [Di loket]": said already.
        return "" if kind.casefold() in requirement.description.casefold() else kind
    tag = str(DOCUMENT_TYPE_LABELS.get(requirement.document_type, requirement.document_type))
    name, _sep, short = tag.partition(" (")
    description = requirement.description.casefold()
    lead = " ".join(name.casefold().split()[:2])  # "surat keterangan …" lines name their kind themselves
    if name.casefold() in description or (short and short.rstrip(")").casefold() in description):
        return ""
    if len(name.split()) > 2 and description.startswith(lead):
        return ""
    return tag


def init_app(app) -> None:
    app.jinja_env.globals["catalog_words"] = page_words
    app.jinja_env.filters["requirement_tag"] = requirement_tag
    app.jinja_env.filters["document_type_label"] = lambda value: DOCUMENT_TYPE_LABELS.get(value, value)
    app.jinja_env.filters["requirement_kind_label"] = lambda value: REQUIREMENT_KIND_LABELS.get(value, value)
    app.jinja_env.filters["duration_label"] = duration_label
    app.jinja_env.filters["total_duration_label"] = total_duration_label
