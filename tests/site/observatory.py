"""The MDN HTTP Observatory's scoring, in code: its score table and the checks that pick a row of it per test.

Follows the published rules (the Observatory's scoring methodology and its grader's SCORE_TABLE): every site
starts at 100; each test adds the modifier of the one outcome it finds; positive modifiers (bonuses) count only
when the score without them is at least 90. Redirection is judged on the chain that starts at ``http://host/``, all
other tests on the final response. Only what the Observatory itself can see is used: response headers and the
HTML of ``/``. HSTS preloading (+5) needs the domain on the browsers' preload list, which a test cannot be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# outcome -> modifier, per test (the published table; HPKP, X-XSS-Protection and contribute.json are retired).
SCORE_TABLE: dict[str, dict[str, int]] = {
    "content-security-policy": {
        "csp-implemented-with-no-unsafe-default-src-none": 10,
        "csp-implemented-with-no-unsafe": 5,
        "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
        "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
        "csp-implemented-with-unsafe-eval": -10,
        "csp-implemented-with-unsafe-inline": -20,
        "csp-implemented-with-insecure-scheme": -20,
        "csp-header-invalid": -25,
        "csp-not-implemented": -25,
    },
    "cookies": {
        "cookies-secure-with-httponly-sessions-and-samesite": 5,
        "cookies-secure-with-httponly-sessions": 0,
        "cookies-not-found": 0,
        "cookies-without-secure-flag-but-protected-by-hsts": -5,
        "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
        "cookies-without-secure-flag": -20,
        "cookies-samesite-flag-invalid": -20,
        "cookies-session-without-httponly-flag": -30,
        "cookies-session-without-secure-flag": -40,
    },
    "cross-origin-resource-sharing": {
        "cross-origin-resource-sharing-not-implemented": 0,
        "cross-origin-resource-sharing-implemented-with-public-access": 0,
        "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
        "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    },
    "redirection": {
        "redirection-to-https": 0,
        "redirection-not-needed-no-http": 0,
        "redirection-off-host-from-http": -5,
        "redirection-not-to-https-on-initial-redirection": -10,
        "redirection-not-to-https": -20,
        "redirection-missing": -20,
    },
    "referrer-policy": {
        "referrer-policy-private": 5,
        "referrer-policy-not-implemented": 0,
        "referrer-policy-unsafe": -5,
        "referrer-policy-header-invalid": -5,
    },
    "strict-transport-security": {
        "hsts-implemented-max-age-at-least-six-months": 0,
        "hsts-implemented-max-age-less-than-six-months": -10,
        "hsts-not-implemented": -20,
        "hsts-header-invalid": -20,
        "hsts-not-implemented-no-https": -20,
    },
    "subresource-integrity": {
        "sri-implemented-and-all-scripts-loaded-securely": 5,
        "sri-implemented-and-external-scripts-loaded-securely": 5,
        "sri-not-implemented-response-not-html": 0,
        "sri-not-implemented-but-no-scripts-loaded": 0,
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
        "sri-not-implemented-but-external-scripts-loaded-securely": -5,
        "sri-implemented-but-external-scripts-not-loaded-securely": -20,
        "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    },
    "x-content-type-options": {
        "x-content-type-options-nosniff": 0,
        "x-content-type-options-not-implemented": -5,
        "x-content-type-options-header-invalid": -5,
    },
    "x-frame-options": {
        "x-frame-options-implemented-via-csp": 5,
        "x-frame-options-sameorigin-or-deny": 0,
        "x-frame-options-not-implemented": -20,
        "x-frame-options-header-invalid": -20,
    },
    "cross-origin-resource-policy": {
        "cross-origin-resource-policy-implemented-with-same-origin": 10,
        "cross-origin-resource-policy-implemented-with-same-site": 10,
        "cross-origin-resource-policy-implemented-with-cross-origin": 0,
        "cross-origin-resource-policy-not-implemented": 0,
        "cross-origin-resource-policy-header-invalid": -5,
    },
}

GRADES = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"), (45, "C-"),
          (40, "D+"), (30, "D"), (25, "D-"), (0, "F")]  # fmt: skip
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15768000
SESSION_WORDS = (
    "sess",
    "login",
    "auth",
    "token",
    "sid",
    "mpp",
)  # the Observatory's session-cookie heuristic, plus ours


@dataclass
class Hop:
    """One response of the scan: the URL asked, its status, headers (name -> list of values) and body."""

    url: str
    status: int
    headers: dict[str, list[str]]
    body: str = ""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return ", ".join(values) if values else None


@dataclass
class Result:
    outcomes: dict[str, str] = field(default_factory=dict)

    @property
    def modifiers(self) -> dict[str, int]:
        return {test: SCORE_TABLE[test][outcome] for test, outcome in self.outcomes.items()}

    @property
    def score(self) -> int:
        penalties = sum(m for m in self.modifiers.values() if m < 0)
        bonuses = sum(m for m in self.modifiers.values() if m > 0)
        base = 100 + penalties
        return max(0, base + bonuses if base >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else base)

    @property
    def grade(self) -> str:
        return next(grade for floor, grade in GRADES if self.score >= floor)

    def report(self) -> str:
        lines = [f"{self.score} ({self.grade})"]
        lines += [f"  {m:+4d}  {self.outcomes[t]}" for t, m in sorted(self.modifiers.items(), key=lambda x: x[1])]
        return "\n".join(lines)


# --- the tests -------------------------------------------------------------------------------------------------------


def parse_csp(value: str | None) -> dict[str, list[str]] | None:
    if value is None:
        return None
    policy: dict[str, list[str]] = {}
    for part in value.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in policy:  # a repeated directive makes the policy unparseable for the Observatory
            raise ValueError(f"duplicate directive {name}")
        policy[name] = [token.lower() for token in tokens[1:]]
    if not policy:
        raise ValueError("empty policy")
    return policy


def _broad(source: str) -> bool:
    return source in ("*", "http:", "https:", "data:", "blob:", "filesystem:") or source.startswith("http://")


def content_security_policy(final: Hop) -> str:
    try:
        policy = parse_csp(final.header("content-security-policy"))
    except ValueError:
        return "csp-header-invalid"
    if policy is None:
        return "csp-not-implemented"
    default = policy.get("default-src")
    script = policy.get("script-src", default)
    objects = policy.get("object-src", default)
    style = policy.get("style-src", default)
    if script is None or objects is None:
        return "csp-implemented-with-unsafe-inline"  # script or object sources not restricted at all
    nonce_or_hash = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in script)
    if ("'unsafe-inline'" in script and not nonce_or_hash) or any(_broad(s) for s in script + objects):
        return "csp-implemented-with-unsafe-inline"
    if "'unsafe-eval'" in script:
        return "csp-implemented-with-unsafe-eval"
    http_in = {
        name for name, sources in policy.items() if any(s == "http:" or s.startswith("http://") for s in sources)
    }
    if http_in - {"img-src", "media-src"}:
        return "csp-implemented-with-insecure-scheme"
    if http_in:
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style is not None and ("'unsafe-inline'" in style or any(_broad(s) for s in style)):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    form_action = policy.get("form-action")
    if default == ["'none'"] and form_action is not None and set(form_action) <= {"'none'", "'self'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


def _cookie_attributes(set_cookie: str) -> tuple[str, dict[str, str]]:
    name_value, *attributes = [part.strip() for part in set_cookie.split(";")]
    flags = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        flags[key.strip().lower()] = value.strip().lower()
    return name_value.split("=", 1)[0], flags


def cookies(final: Hop, *, hsts: bool) -> str:
    set_cookies = final.headers.get("set-cookie", [])
    if not set_cookies:
        return "cookies-not-found"
    worst = "cookies-secure-with-httponly-sessions-and-samesite"
    order = list(SCORE_TABLE["cookies"])  # best first
    for raw in set_cookies:
        name, flags = _cookie_attributes(raw)
        session = any(word in name.lower() for word in SESSION_WORDS)
        found = "cookies-secure-with-httponly-sessions-and-samesite"
        if "samesite" not in flags:
            found = "cookies-secure-with-httponly-sessions"
        elif flags["samesite"] not in ("lax", "strict"):
            found = "cookies-samesite-flag-invalid"
        if "secure" not in flags or not final.url.startswith("https://"):
            if session:
                found = (
                    "cookies-session-without-secure-flag-but-protected-by-hsts"
                    if hsts
                    else "cookies-session-without-secure-flag"
                )
            else:
                found = "cookies-without-secure-flag-but-protected-by-hsts" if hsts else "cookies-without-secure-flag"
        if session and "httponly" not in flags:
            found = "cookies-session-without-httponly-flag"
        if order.index(found) > order.index(worst):
            worst = found
    return worst


def cors(final: Hop, *, asked_origin: str) -> str:
    allowed = final.header("access-control-allow-origin")
    if allowed is None:
        return "cross-origin-resource-sharing-not-implemented"
    if allowed.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = (final.header("access-control-allow-credentials") or "").strip().lower() == "true"
    if allowed.strip() == asked_origin and credentials:
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection(chain: list[Hop]) -> str:
    first, final = chain[0], chain[-1]
    if not first.url.startswith("http://"):
        return "redirection-not-needed-no-http"
    if len(chain) == 1:
        return "redirection-missing"
    if not final.url.startswith("https://"):
        return "redirection-not-to-https"
    second = urlsplit(chain[1].url)
    if second.scheme != "https":
        return "redirection-not-to-https-on-initial-redirection"
    if second.hostname != urlsplit(first.url).hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


PRIVATE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_REFERRERS = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}


def referrer_policy(final: Hop) -> str:
    value = final.header("referrer-policy")
    if value is None:
        return "referrer-policy-not-implemented"
    known = [t.strip().lower() for t in value.split(",") if t.strip().lower() in PRIVATE_REFERRERS | UNSAFE_REFERRERS]
    if not known:
        return "referrer-policy-header-invalid"
    return "referrer-policy-private" if known[-1] in PRIVATE_REFERRERS else "referrer-policy-unsafe"  # last wins


def hsts_max_age(final: Hop) -> int | None:
    value = final.header("strict-transport-security")
    if value is None:
        return None
    for part in value.split(";"):
        key, _, number = part.strip().partition("=")
        if key.lower() == "max-age" and number.strip().strip('"').isdigit():
            return int(number.strip().strip('"'))
    return -1


def strict_transport_security(final: Hop) -> str:
    if not final.url.startswith("https://"):
        return "hsts-not-implemented-no-https"
    max_age = hsts_max_age(final)
    if max_age is None:
        return "hsts-not-implemented"
    if max_age < 0:
        return "hsts-header-invalid"
    return (
        "hsts-implemented-max-age-at-least-six-months"
        if max_age >= SIX_MONTHS
        else "hsts-implemented-max-age-less-than-six-months"
    )


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def subresource_integrity(final: Hop) -> str:
    content_type = final.header("content-type") or ""
    if "html" not in content_type:
        return "sri-not-implemented-response-not-html"
    parser = _Scripts()
    parser.feed(final.body)
    sources = [script for script in parser.scripts if script.get("src")]
    if not sources:
        return "sri-not-implemented-but-no-scripts-loaded"
    host = urlsplit(final.url).hostname
    secure, similar, integrity = True, True, False
    for script in sources:
        src = urlsplit(script["src"])
        if script["src"].startswith("//") or src.scheme == "http":
            secure = False
        if src.hostname and src.hostname != host:
            similar = False
        integrity = integrity or bool(script.get("integrity"))
    if integrity:
        if not secure:
            return "sri-implemented-but-external-scripts-not-loaded-securely"
        return (
            "sri-implemented-and-all-scripts-loaded-securely"
            if similar
            else "sri-implemented-and-external-scripts-loaded-securely"
        )
    if similar and secure:
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    return (
        "sri-not-implemented-but-external-scripts-loaded-securely"
        if secure
        else "sri-not-implemented-and-external-scripts-not-loaded-securely"
    )


def x_content_type_options(final: Hop) -> str:
    value = final.header("x-content-type-options")
    if value is None:
        return "x-content-type-options-not-implemented"
    return (
        "x-content-type-options-nosniff"
        if value.strip().lower() == "nosniff"
        else "x-content-type-options-header-invalid"
    )


def x_frame_options(final: Hop) -> str:
    try:
        policy = parse_csp(final.header("content-security-policy")) or {}
    except ValueError:
        policy = {}
    if "frame-ancestors" in policy:
        return "x-frame-options-implemented-via-csp"
    value = final.header("x-frame-options")
    if value is None:
        return "x-frame-options-not-implemented"
    if value.strip().lower() in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    return "x-frame-options-header-invalid"


def cross_origin_resource_policy(final: Hop) -> str:
    value = final.header("cross-origin-resource-policy")
    if value is None:
        return "cross-origin-resource-policy-not-implemented"
    return {
        "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
        "same-site": "cross-origin-resource-policy-implemented-with-same-site",
        "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
    }.get(value.strip().lower(), "cross-origin-resource-policy-header-invalid")


def score(chain: list[Hop], *, asked_origin: str) -> Result:
    """Score a scan: ``chain`` is every response from ``http://host/`` (or ``https://``) to the final one."""
    final = chain[-1]
    hsts = final.url.startswith("https://") and (hsts_max_age(final) or 0) > 0
    return Result(
        {
            "content-security-policy": content_security_policy(final),
            "cookies": cookies(final, hsts=hsts),
            "cross-origin-resource-sharing": cors(final, asked_origin=asked_origin),
            "redirection": redirection(chain),
            "referrer-policy": referrer_policy(final),
            "strict-transport-security": strict_transport_security(final),
            "subresource-integrity": subresource_integrity(final),
            "x-content-type-options": x_content_type_options(final),
            "x-frame-options": x_frame_options(final),
            "cross-origin-resource-policy": cross_origin_resource_policy(final),
        }
    )
