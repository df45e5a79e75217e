"""Settings from the environment, with safe embedded defaults.

The embedded default (no environment at all) is a pilot MPP on one small server: SQLite in ``instance/``,
background jobs in the same process, uploads on local disk. The national profile only changes configuration:
``MPP_DATABASE_URL=postgresql+psycopg://…``, ``MPP_REDIS_URL=redis://…``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """The app was asked to start in a state that is unsafe (e.g. production without a secret key)."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _embedded_secret_key(instance: Path) -> str:
    """A random key kept in instance/ so that sessions survive a restart of `make run`."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def development_origin() -> str:
    """The origin a developer's browser uses: ``http://localhost:<port>`` for the port ``flask run`` listens on.

    WebAuthn checks the page's origin exactly, so `make run PORT=5119` with an origin stuck at :5000 would refuse
    every passkey; ``FLASK_RUN_PORT`` is what ``flask run`` itself reads, and the Makefile sets it from ``PORT``.
    """
    return f"http://localhost:{_env('FLASK_RUN_PORT', '5000')}"


def _upload_storage() -> str:
    kind = _env("MPP_UPLOAD_STORAGE", "folder")
    if kind not in ("folder", "database"):
        raise ConfigurationError(f"MPP_UPLOAD_STORAGE must be 'folder' or 'database', not {kind!r}.")
    return kind


def load_config(instance: Path | None = None) -> dict:
    """Build the Flask config mapping from ``MPP_*`` environment variables."""
    instance = Path(_env("MPP_INSTANCE_DIR", str(instance or DEFAULT_INSTANCE)))
    env = _env("MPP_ENV", "development")
    production = env == "production"

    secret = _env("MPP_SECRET_KEY")
    if secret is None:
        if production:
            raise ConfigurationError(
                "MPP_SECRET_KEY must be set in production (a long random value, e.g. `python -c "
                "'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        secret = _embedded_secret_key(instance)

    database_url = _env("MPP_DATABASE_URL", f"sqlite:///{instance / 'mpp.db'}")
    redis_url = _env("MPP_REDIS_URL")

    return {
        "MPP_ENV": env,
        "SECRET_KEY": secret,
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # /metrics for a scraper on another machine (Authorization: Bearer …); unset: loopback only (app/ops).
        "METRICS_TOKEN": _env("MPP_METRICS_TOKEN"),
        # Session cookie: the __Host- prefix requires Secure, Path=/ and no Domain, so it is only used where
        # the site is served over HTTPS (production). Locally the browser would drop it.
        "SESSION_COOKIE_NAME": "__Host-mpp" if production else "mpp_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Public origin of the site: WebAuthn's RP ID and expected origin, links in e-mails and push payloads.
        # Unset, it follows the development server's port (see development_origin()).
        "PUBLIC_ORIGIN": _env("MPP_PUBLIC_ORIGIN") or development_origin(),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        # CSRF tokens do not expire by time: an offline draft synced tomorrow must still be accepted. The
        # token is bound to the session (which has its own idle/absolute timeouts) and the Origin/Referer
        # is checked on every unsafe request (see security.py).
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "RATELIMIT_STORAGE_URI": _env("MPP_RATELIMIT_STORAGE", redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down or restarting (national profile): count in this process's memory meanwhile and log it, instead
        # of failing every rate-limited request with a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Booking steps admitted per MPP at a release before 429 + Retry-After (app/queue/admission.py).
        "QUEUE_ADMISSION_LIMIT": _env("MPP_QUEUE_ADMISSION", "25 per 1 second"),
        "QUEUE_ADMISSION_CONCURRENCY": int(_env("MPP_QUEUE_ADMISSION_CONCURRENCY", "2")),
        "UPLOAD_DIR": _env("MPP_UPLOAD_DIR", str(instance / "uploads")),
        # Where uploaded files live (app/storage.py): "folder" (UPLOAD_DIR, one server) or "database" (the
        # stored_file table: every web node of the national profile serves every file).
        "UPLOAD_STORAGE": _upload_storage(),
        # Outgoing e-mail (recovery codes, notices). Without MPP_SMTP_HOST, e-mails are written to instance/mail/.
        "SMTP_HOST": _env("MPP_SMTP_HOST"),
        "SMTP_PORT": int(_env("MPP_SMTP_PORT", "587")),
        "SMTP_USER": _env("MPP_SMTP_USER"),
        "SMTP_PASSWORD": _env("MPP_SMTP_PASSWORD"),
        "SMTP_FROM": _env("MPP_SMTP_FROM", "MPP Digital <no-reply@localhost>"),
        "MAIL_DIR": str(instance / "mail"),
        # Web Push (app/notifications/vapid.py): base64url keys from `flask vapid generate`; in the embedded default
        # a key pair is generated on first run and kept in instance/. Jobs: SqliteHuey in instance/ unless
        # MPP_REDIS_URL is set; the in-process worker runs inside the web process unless turned off.
        "VAPID_PRIVATE_KEY": _env("MPP_VAPID_PRIVATE_KEY"),
        "VAPID_PUBLIC_KEY": _env("MPP_VAPID_PUBLIC_KEY"),
        "VAPID_SUBJECT": _env("MPP_VAPID_SUBJECT"),
        "INPROCESS_WORKER": _env("MPP_INPROCESS_WORKER", "0" if redis_url else "1") == "1",
        "MAX_CONTENT_LENGTH": int(_env("MPP_MAX_CONTENT_LENGTH", str(12 * 1024 * 1024))),
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Static files are streamed, and Flask-Compress picks from this list for streamed responses; its default
        # has no gzip, so a gzip-only client (old WebViews, some proxies) got CSS and JS uncompressed.
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 256,
        # Public catalog pages are kept in memory this many seconds (app/pagecache.py); 0 turns the cache off.
        "PAGE_CACHE_SECONDS": int(_env("MPP_PAGE_CACHE_SECONDS", "60")),
        # Trusted reverse proxies in front of the app (load balancer, TLS terminator). With N > 0 the client IP
        # (rate limits are keyed on it) and the scheme are taken from the last N X-Forwarded-For/-Proto hops.
        # Leave 0 without a proxy: the headers would otherwise be the client's to forge.
        "PROXY_COUNT": int(_env("MPP_PROXY_COUNT", "0")),
    }
