"""A software passkey authenticator (ES256, "none" attestation) for tests without a browser.

It produces exactly what a browser's `credential.toJSON()` sends, signed for real, so the server's verification
runs end to end — and each field can be tampered with to prove a refusal (wrong origin, RP ID, UV false,
userHandle of someone else, a replayed challenge, a cloned counter).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


@dataclass
class SoftAuthenticator:
    """Holds resident credentials like a phone does. ``synced`` sets the backup flags (a Google/Apple passkey)."""

    origin: str
    rp_id: str = "localhost"
    user_verified: bool = True
    synced: bool = False
    counter_step: int = 1
    credentials: list[Credential] = field(default_factory=list)

    def _flags(self, *, attested: bool = False) -> int:
        flags = UP | (UV if self.user_verified else 0)
        if self.synced:
            flags |= BE | BS
        return flags | (AT if attested else 0)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(
        self, options: dict, *, origin: str | None = None, rp_id: str | None = None, reuse: Credential | None = None
    ) -> dict:
        """Answer ``navigator.credentials.create()`` options; ``reuse`` re-registers an existing credential id."""
        rp = rp_id or options["rp"]["id"]
        credential = reuse or Credential(
            credential_id=secrets.token_bytes(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp,
            user_handle=unb64url(options["user"]["id"]),
        )
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(attested=True)])
            + struct.pack(">I", credential.sign_count)
            + bytes(16)  # AAGUID: zeros with attestation "none"
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + credential.cose_public_key()
        )
        if reuse is None:
            self.credentials.append(credential)
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict,
        *,
        credential: Credential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        user_handle: bytes | None | bool = True,
        sign_count: int | None = None,
    ) -> dict:
        """Answer ``navigator.credentials.get()``; by default with the newest credential and its own userHandle."""
        credential = credential or self.credentials[-1]
        if sign_count is None:
            credential.sign_count += self.counter_step if self.counter_step else 0
            sign_count = credential.sign_count
        rp = rp_id or credential.rp_id
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([self._flags()]) + struct.pack(">I", sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if user_handle is True:
            response["userHandle"] = b64url(credential.user_handle)
        elif isinstance(user_handle, bytes):
            response["userHandle"] = b64url(user_handle)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
