"""VAPID keys (RFC 8292): the server's identity towards push services.

Keys come from configuration (``MPP_VAPID_PRIVATE_KEY`` / ``MPP_VAPID_PUBLIC_KEY`` / ``MPP_VAPID_SUBJECT``; make
them with ``flask vapid generate``). In the embedded default a key pair is generated on first run and kept in
``instance/vapid_private_key`` so that subscriptions survive a restart: browsers bind a subscription to the public
key it was made with, so a new key silently orphans every device. Production without keys does not guess (several app
nodes would each invent their own): push is then switched off with a warning, and the inbox still works.

Keys are plain base64url: the raw 32-byte private scalar and the 65-byte uncompressed public point — the form the
browser's ``applicationServerKey`` and every push library accept.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key
from flask import Flask, current_app
from flask.cli import AppGroup

from ..config import ConfigurationError

log = logging.getLogger(__name__)

KEY_FILE = "vapid_private_key"
EXTENSION = "mpp_vapid"


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url raw scalar (what push.py signs with)
    public_key: str  # base64url uncompressed point (the page's applicationServerKey)
    subject: str  # "mailto:…" or "https://…": whom a push service contacts about our traffic


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def encode_private(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def encode_public(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def load_private(text: str) -> ec.EllipticCurvePrivateKey:
    """A base64url raw scalar, or a PEM (as older tools write it)."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) != 32:
                raise ValueError("not 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as error:
        raise ConfigurationError(f"MPP_VAPID_PRIVATE_KEY is not a P-256 private key ({error}).") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ConfigurationError("MPP_VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key.")
    return key


def _embedded_key(instance: Path) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / KEY_FILE
    if not path.exists():
        path.write_text(encode_private(generate_private_key()))
        path.chmod(0o600)
    return path.read_text().strip()


def _default_subject(config) -> str:
    # The push service's contact for us. An e-mail address is what every push service accepts.
    sender = config.get("SMTP_FROM") or "no-reply@localhost"
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return f"mailto:{address}"


def keys_from_config(config) -> VapidKeys | None:
    """The keys, or None when push is off (production without keys). A key that is set but wrong stops the app."""
    production = config.get("MPP_ENV") == "production"
    text = config.get("VAPID_PRIVATE_KEY")
    if text is None:
        if production:
            log.warning("MPP_VAPID_PRIVATE_KEY is not set: Web Push is off (run `flask vapid generate`).")
            return None
        text = _embedded_key(Path(config["INSTANCE_DIR"]))
    private = load_private(text)
    public = encode_public(private)
    configured_public = config.get("VAPID_PUBLIC_KEY")
    if configured_public and configured_public.strip() != public:
        raise ConfigurationError("MPP_VAPID_PUBLIC_KEY does not belong to MPP_VAPID_PRIVATE_KEY.")
    subject = config.get("VAPID_SUBJECT") or _default_subject(config)
    if not subject.startswith(("mailto:", "https://")):
        raise ConfigurationError("MPP_VAPID_SUBJECT must be a mailto: address or an https:// URL.")
    return VapidKeys(private_key=encode_private(private), public_key=public, subject=subject)


def current_keys() -> VapidKeys | None:
    return current_app.extensions[EXTENSION]


def _public_key() -> str:
    keys = current_keys()
    return keys.public_key if keys else ""


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = keys_from_config(app.config)
    app.jinja_env.globals["vapid_public_key"] = _public_key
    app.cli.add_command(vapid_cli)


vapid_cli = AppGroup("vapid", help="Web Push (VAPID) keys.")


@vapid_cli.command("generate")
def generate_command() -> None:
    """Print a new VAPID key pair as environment lines for production."""
    key = generate_private_key()
    click.echo(f"MPP_VAPID_PRIVATE_KEY={encode_private(key)}")
    click.echo(f"MPP_VAPID_PUBLIC_KEY={encode_public(key)}")
    click.echo("MPP_VAPID_SUBJECT=mailto:admin@your-mpp.example")
    click.echo("# Keep the private key secret. Changing keys later orphans every device's subscription.", err=True)
