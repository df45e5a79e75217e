"""Search the way a citizen types: "ktp", "e-ktp", "akte lahir", "perpanjang sim", "pasport", "skck".

1. Normalise (lowercase, accents and punctuation away), fold the many spellings of one thing into one token
   ("e-ktp", "ktp-el", "kartu tanda penduduk" → ``ktp``; akte → akta; ijin → izin) and stem Indonesian word forms
   with Sastrawi ("perpanjangan", "perpanjang" → ``panjang``; "kelahiran" → ``lahir``).
2. Each service keeps that normalised text in ``Service.search_text``, split in weighted fields
   (name | keywords | agency | other). A ``before_flush`` hook keeps it fresh whenever a service, its agency or a
   requirement changes, so whoever writes services (demo loader, admin screens) never has to think about it.
3. The database makes the first cut with ``LIKE '% token%'`` on that column (word-prefix match; the same SQL on
   SQLite and PostgreSQL), then Python ranks the few candidates: a hit in the name beats a keyword, which beats
   the agency, which beats a requirement or product word. Ties go to the more popular service.
4. Only when a word matches nothing at all, rapidfuzz corrects it against the words we know ("pasprt" → paspor).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import Select, bindparam, event, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..extensions import db
from .models import Agency, Requirement, Service, ServiceOffering

# A query longer than this is not a search any more (a pasted document, an attack): keep the start only.
MAX_QUERY_LENGTH = 100
MAX_TOKENS = 8
FIELD_SEPARATOR = " | "
# name, keywords, agency, other — the order of the fields in ``search_text``.
FIELD_WEIGHTS = (10.0, 6.0, 4.0, 1.0)
PREFIX_FACTOR = 0.7  # "pasp" while typing still finds "paspor", a little below a whole-word hit
ALL_WORDS_BONUS = 5.0  # a service that matches every word of the query beats one that matches one word well
FUZZY_CUTOFF = 75  # rapidfuzz ratio: "pasprt"/"paspor" scores 83, "sakit"/"sehat" stays below

# Multi-word names and spellings folded to one token before splitting. Applied to text that is already
# lowercase with punctuation turned into spaces ("E-KTP" → "e ktp").
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bkartu tanda penduduk( elektronik)?\b", " ktp "),
        (r"\be ?ktp\b", " ktp "),
        (r"\bktp (el|elektronik)\b", " ktp "),
        (r"\bktpel\b", " ktp "),
        (r"\bkartu keluarga\b", " kk "),
        (r"\bnomor induk berusaha\b", " nib "),
        (r"\bsurat keterangan catatan kepolisian\b", " skck "),
        (r"\bsurat izin mengemudi\b", " sim "),
        (r"\bsurat ijin mengemudi\b", " sim "),
        (r"\bsurat tanda nomor kendaraan( bermotor)?\b", " stnk "),
        (r"\bidentitas kependudukan digital\b", " ikd "),
        (r"\bpekerja migran indonesia\b", " pmi "),
        (r"\bsurat izin praktik\b", " sip "),
        (r"\bak ?1\b|\bak i\b", " ak1 "),
        (r"\bbadan penyelenggara jaminan sosial\b", " bpjs "),
    )
)

# One word, many spellings: what citizens type → the form the catalog uses.
SYNONYMS = {
    "akte": "akta",
    "ijin": "izin",
    "pasport": "paspor",
    "passport": "paspor",
    "paspot": "paspor",
    "kawin": "nikah",
    "perkawinan": "nikah",
    "menikah": "nikah",
    "ektp": "ktp",
    "ktpel": "ktp",
    "jkn": "bpjs",
    "kis": "bpjs",
    "lahiran": "lahir",
    "stnkb": "stnk",
    "kuning": "ak1",  # "kartu kuning" is what everyone calls the kartu pencari kerja AK/I
}

# Words that carry no meaning for finding a service (after stemming). Removed from both sides.
STOPWORDS = frozenset(
    [
        "dan",
        "atau",
        "yang",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "cara",
        "bagaimana",
        "gimana",
        "syarat",
        "urus",
        "saya",
        "mau",
        "ingin",
        "layan",
        "bagi",
        "oleh",
        "pada",
        "dalam",
        "apa",
        "ini",
        "itu",
        "the",
        "of",
    ]
)

# Short words (abbreviations: ktp, sim, kk) and codes with digits are never stemmed.
_NO_STEM_MIN_LENGTH = 4
_NON_WORD = re.compile(r"[^a-z0-9]+")


@cache
def _stemmer():
    """Sastrawi builds its dictionary once; the cached stemmer remembers every word it has stemmed."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


def _fold(text: str) -> str:
    """Lowercase ASCII with punctuation as spaces and the phrase table applied."""
    text = text.lower()
    if not text.isascii():  # "Pásport" → "pasport"; most text is plain ASCII and skips this
        text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = " " + _NON_WORD.sub(" ", text) + " "
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query or a document: its canonical stem and, when different, the word as written."""

    stem: str
    raw: str

    @property
    def variants(self) -> tuple[str, ...]:
        return (self.stem,) if self.stem == self.raw else (self.stem, self.raw)


@lru_cache(maxsize=50_000)
def _term(word: str) -> Term | None:
    """One folded word → its term (memoised: Sastrawi re-normalises its input on every call, which is slow)."""
    word = SYNONYMS.get(word, word)
    if len(word) < _NO_STEM_MIN_LENGTH or any(char.isdigit() for char in word):
        stem = word
    else:
        stemmed = _stemmer().stem(word) or word
        stem = SYNONYMS.get(stemmed, stemmed)
    if stem in STOPWORDS:
        return None
    return Term(stem, word)


def terms(text: str) -> list[Term]:
    """Normalised, stemmed terms of ``text``, in order, without duplicates."""
    seen: set[str] = set()
    result = []
    for word in _fold(text).split():
        term = _term(word)
        if term and term.stem not in seen:
            seen.add(term.stem)
            result.append(term)
    return result


def _field_text(texts: Iterable[str | None]) -> str:
    words: list[str] = []
    for term in terms(" ".join(text for text in texts if text)):
        words.extend(term.variants)
    return " ".join(words)


def index_text(service: Service, agency: Agency | None = None) -> str:
    """What ``Service.search_text`` holds: " name | keywords | agency | other " (spaces at both ends)."""
    agency = agency or service.agency
    fields = (
        _field_text([service.name]),
        _field_text([service.keywords]),
        _field_text([agency.name, agency.short_name] if agency else []),
        _field_text(
            [service.summary, service.product]
            + [requirement.description for requirement in service.requirements]
            + [
                requirement.document_type.value.replace("_", " ")
                for requirement in service.requirements
                if requirement.document_type
            ]
        ),
    )
    return " " + FIELD_SEPARATOR.join(fields) + " "


# --- keeping search_text fresh ----------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, flush_context, instances) -> None:
    """Recompute the search text of every service touched in this flush (its own fields, requirements, agency)."""
    services: set[Service] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Service):
            services.add(obj)
        elif isinstance(obj, Requirement):
            service = obj.service or (session.get(Service, obj.service_id) if obj.service_id else None)
            if service is not None:
                services.add(service)
        elif isinstance(obj, Agency) and obj in session.dirty:
            services.update(obj.services)
    for service in services:
        if service in session.deleted:
            continue
        agency = service.agency or (session.get(Agency, service.agency_id) if service.agency_id else None)
        text = index_text(service, agency)
        if service.search_text != text:
            service.search_text = text


def reindex_all() -> int:
    """Rebuild every service's search text (after the synonym table changes). Returns how many changed."""
    changed = 0
    for service in db.session.scalars(select(Service).options(selectinload(Service.requirements))):
        text = index_text(service)
        if service.search_text != text:
            service.search_text = text
            changed += 1
    db.session.commit()
    return changed


# --- searching --------------------------------------------------------------------------------------------------


@dataclass
class SearchResult:
    query: str  # what the citizen typed, trimmed to MAX_QUERY_LENGTH (shown back, escaped by Jinja)
    services: list[Service] = field(default_factory=list)  # strong matches: the query is in a name, keyword, agency
    # Weak matches, shown folded under "Hasil lain": the query only occurs in the rest of the standard (mostly the
    # persyaratan: 18 of 20 services ask for a copy of the KTP-el, so "ktp" matched 19 of them).
    other_services: list[Service] = field(default_factory=list)
    corrected: str | None = None  # "pasprt" → "paspor": the words actually searched, when we corrected a typo
    understood: bool = True  # False when nothing searchable was left (only emoji or punctuation)


def clean_query(raw: str | None) -> str:
    """Trim, collapse whitespace, drop control characters and cut absurdly long input."""
    if not raw:
        return ""
    text = "".join(char for char in raw[: MAX_QUERY_LENGTH * 4] if char.isprintable())
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _pattern(word: str) -> str:
    # Words are [a-z0-9] only, so they never contain LIKE wildcards. Short words must match whole ("kk" must not
    # find "kkn"); longer ones may be a prefix, for search-as-you-type.
    return f"% {word} %" if len(word) < 3 else f"% {word}%"


@lru_cache(maxsize=2048)  # a few KB per service: the candidates that come up, not the whole national catalog
def _fields(search_text: str) -> tuple[tuple[frozenset[str], str], ...]:
    """A search text as ranking reads it, per field: its words, and " word word…" with a space before every word.

    Made once per text, not once per query and candidate: a search ranks every candidate on every request, and
    splitting each text and testing every word with ``startswith`` in Python was the costliest Python in a search's
    profile (in process the whole request got ~4 % cheaper). A word starts with ``variant`` exactly when
    `` variant`` occurs in the spaced text (words hold no spaces), which is one substring search in C. An edited
    service has a new text, so a stale entry is never read; it ages out."""
    fields = []
    for part in search_text.split(FIELD_SEPARATOR.strip()):
        words = part.split()
        fields.append((frozenset(words), " " + " ".join(words)))
    return tuple(fields)


def _best_weights(service: Service | Candidate, query_terms: list[Term]) -> list[float]:
    """For each query word, the weight of the best field it was found in (0 when it was not found)."""
    fields = _fields(service.search_text)
    weights = []
    for term in query_terms:
        best = 0.0
        for weight, (words, spaced) in zip(FIELD_WEIGHTS, fields, strict=False):
            for variant in term.variants:
                if variant in words:
                    best = max(best, weight)
                elif len(variant) >= 3 and " " + variant in spaced:
                    best = max(best, weight * PREFIX_FACTOR)
        weights.append(best)
    return weights


def _score(weights: list[float]) -> float:
    total = sum(weights)
    if all(weights) and len(weights) > 1:
        total += ALL_WORDS_BONUS
    return total


def _strong(weights: list[float]) -> bool:
    return max(weights, default=0.0) > FIELD_WEIGHTS[-1]


def score(service: Service | Candidate, query_terms: list[Term]) -> float:
    return _score(_best_weights(service, query_terms))


def is_strong_match(service: Service | Candidate, query_terms: list[Term]) -> bool:
    """A word of the query is in the service's name, keywords or agency — not only in the rest of its standard."""
    return _strong(_best_weights(service, query_terms))


@dataclass(frozen=True, slots=True)
class Candidate:
    """What ranking reads of a service (the database's first cut returns only these columns, no ORM objects)."""

    id: int
    name: str
    popularity: int
    search_text: str


@lru_cache(maxsize=64)
def _candidates_statement(patterns: int, by_agency: bool, by_mpp: bool) -> Select:
    """The first cut for ``patterns`` LIKE patterns, built once per shape (at most 16 patterns × 4): building the
    expression cost more than running it on a small catalog. The values are bound per search."""
    conditions = [Service.search_text.like(bindparam(f"pattern_{index}")) for index in range(patterns)]
    statement = select(Service.id, Service.name, Service.popularity, Service.search_text).where(or_(*conditions))
    if by_agency:
        statement = statement.where(Service.agency_id == bindparam("agency_id"))
    if by_mpp:
        statement = statement.where(Service.offerings.any(ServiceOffering.mpp_id == bindparam("mpp_id")))
    return statement


def _candidates(query_terms: list[Term], *, agency_id: int | None, mpp_id: int | None) -> list[Candidate]:
    patterns = [_pattern(variant) for term in query_terms for variant in term.variants]
    values: dict[str, object] = {f"pattern_{index}": pattern for index, pattern in enumerate(patterns)}
    if agency_id is not None:
        values["agency_id"] = agency_id
    if mpp_id is not None:
        values["mpp_id"] = mpp_id
    statement = _candidates_statement(len(patterns), agency_id is not None, mpp_id is not None)
    return [Candidate(*row) for row in db.session.connection().execute(statement, values)]


def _read_vocabulary() -> list[str]:
    words: set[str] = set()
    for text in db.session.scalars(select(Service.search_text)):
        words.update(word for word in text.split() if word != "|" and len(word) >= 3)
    return sorted(words)


def _vocabulary() -> list[str]:
    """Every word of the catalog, for typo correction: read once per catalog version (catalog/prepared.py)."""
    from . import prepared

    return prepared.piece("search-vocabulary", (), _read_vocabulary, per_language=False)


def _correct(query_terms: list[Term], candidates: list[Candidate]) -> list[Term] | None:
    """Replace each word that matched nothing with the closest word we know, if one is close enough."""
    known = " ".join(service.search_text for service in candidates)
    vocabulary: list[str] | None = None
    corrected: list[Term] = []
    changed = False
    for term in query_terms:
        if any(_pattern(variant).replace("%", "") in known for variant in term.variants) or len(term.raw) < 4:
            corrected.append(term)
            continue
        vocabulary = vocabulary if vocabulary is not None else _vocabulary()
        match = process.extractOne(term.raw, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if match is None:
            corrected.append(term)
            continue
        corrected.append(Term(match[0], match[0]))
        changed = True
    return corrected if changed else None


@dataclass
class Found:
    """What a search found, as ranking candidates (ids, names); ``SearchResult`` is the same with the services."""

    query: str
    services: list[Candidate] = field(default_factory=list)
    other_services: list[Candidate] = field(default_factory=list)
    corrected: str | None = None
    understood: bool = True


def find(raw_query: str | None, *, agency_id: int | None = None, mpp_id: int | None = None, limit: int = 50) -> Found:
    """Services matching what the citizen typed, best first. Never raises for any input."""
    query = clean_query(raw_query)
    result = Found(query=query)
    query_terms = terms(query)[:MAX_TOKENS]
    if not query_terms:
        result.understood = not query
        return result

    candidates = _candidates(query_terms, agency_id=agency_id, mpp_id=mpp_id)
    corrected = _correct(query_terms, candidates)
    if corrected is not None:
        query_terms = corrected
        candidates = _candidates(query_terms, agency_id=agency_id, mpp_id=mpp_id)
        result.corrected = " ".join(term.stem for term in query_terms)

    weighed = [(candidate, _best_weights(candidate, query_terms)) for candidate in candidates]  # once each
    ranked = sorted(
        ((_score(weights), candidate, weights) for candidate, weights in weighed),
        key=lambda row: (-row[0], -row[1].popularity, row[1].name),
    )
    found = [(candidate, weights) for points, candidate, weights in ranked if points > 0][:limit]
    strong = [candidate for candidate, weights in found if _strong(weights)]
    if strong:  # when nothing is strong, the weak matches are all there is: shown as the results, not folded
        result.services = strong
        result.other_services = [candidate for candidate, weights in found if not _strong(weights)]
    else:
        result.services = [candidate for candidate, _weights in found]
    return result


def search_services(
    raw_query: str | None, *, agency_id: int | None = None, mpp_id: int | None = None, limit: int = 50
) -> SearchResult:
    """``find``, with the services found loaded (agency and fees too) for callers that show or serialise them."""
    found = find(raw_query, agency_id=agency_id, mpp_id=mpp_id, limit=limit)
    ids = [candidate.id for candidate in (*found.services, *found.other_services)]
    by_id = {}
    if ids:
        statement = (
            select(Service).where(Service.id.in_(ids)).options(joinedload(Service.agency), selectinload(Service.fees))
        )
        by_id = {service.id: service for service in db.session.scalars(statement).unique()}
    return SearchResult(
        query=found.query,
        services=[by_id[candidate.id] for candidate in found.services if candidate.id in by_id],
        other_services=[by_id[candidate.id] for candidate in found.other_services if candidate.id in by_id],
        corrected=found.corrected,
        understood=found.understood,
    )
