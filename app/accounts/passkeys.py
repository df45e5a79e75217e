"""WebAuthn behind one module of ours. The ONLY module that imports py_webauthn.

It builds ceremony options and verifies browser responses; every library error becomes a `PasskeyError` with a
reason for the log (English, technical) and a message for the citizen (Indonesian via gettext, plain).
Storage of challenges and the rules around them live in `ceremonies.py`.

Policy fixed here (stack.md, "WebAuthn traps"): user verification REQUIRED on both ceremonies — the passkey is
the only factor; resident key REQUIRED so sign-in works without typing anything (empty allowCredentials);
attestation "none" — we do not want to know the phone's make (privacy), only that the key works.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json, parse_registration_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

CEREMONY_TIMEOUT_MS = 120_000  # two minutes: slow phones, fingerprint retries, older citizens


class PasskeyError(Exception):
    """A refused ceremony. `reason` goes to the log; `message` is shown to the citizen."""

    default_message = _l("Your passkey could not be verified. Please try again.")

    def __init__(self, reason: str, message=None):
        super().__init__(reason)
        self.reason = reason
        self.message = message or self.default_message


class ChallengeError(PasskeyError):
    """Missing, already used (replay) or expired challenge."""

    default_message = _l("This confirmation has expired or was already used. Please try again.")


class UnknownCredentialError(PasskeyError):
    default_message = _l(
        "This passkey is not registered with MPP Digital. It may have been removed. "
        "Choose another passkey or recover your account."
    )


class UserHandleMismatchError(PasskeyError):
    """The assertion's userHandle is not the owner of the credential it claims to be."""


class DuplicateCredentialError(PasskeyError):
    default_message = _l("This passkey is already registered. Use it to sign in, or create a new one.")


class UserNotVerifiedError(PasskeyError):
    default_message = _l(
        "Your phone did not verify that it is you (fingerprint, face or screen lock). "
        "Turn on a screen lock and try again."
    )


@dataclass(frozen=True)
class RegisteredCredential:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    backed_up: bool
    device_type: str
    transports: list[str]


@dataclass(frozen=True)
class VerifiedAssertion:
    credential_id: bytes
    new_sign_count: int
    backed_up: bool
    device_type: str


def relying_party() -> tuple[str, str]:
    """(RP ID, expected origin) from PUBLIC_ORIGIN: the RP ID is its host name (``localhost`` in tests)."""
    origin = current_app.config["PUBLIC_ORIGIN"].rstrip("/")
    return urlsplit(origin).hostname or "localhost", origin


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _descriptors(credential_ids: list[bytes]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=credential_id) for credential_id in credential_ids]


def registration_options(
    *, challenge: bytes, user_handle: bytes, user_name: str, display_name: str, exclude: list[bytes]
) -> str:
    """Options JSON for ``navigator.credentials.create()`` (feeds ``parseCreationOptionsFromJSON``)."""
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="MPP Digital",
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        challenge=challenge,
        timeout=CEREMONY_TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(exclude),
    )
    return options_to_json(options)


def authentication_options(*, challenge: bytes, allow: list[bytes] | None = None) -> str:
    """Options JSON for ``navigator.credentials.get()``. No ``allow`` = discoverable (the phone offers its passkeys)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=challenge,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=_descriptors(allow or []),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


def client_challenge(credential: dict) -> bytes:
    """The challenge the browser signed (from clientDataJSON), used to find our stored, single-use copy."""
    try:
        client_data = json.loads(_b64url_decode(credential["response"]["clientDataJSON"]))
        return _b64url_decode(client_data["challenge"])
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise PasskeyError(f"malformed clientDataJSON: {error.__class__.__name__}") from error


def credential_id_of(credential: dict) -> bytes:
    try:
        return _b64url_decode(credential["rawId"])
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise PasskeyError("malformed credential: no rawId") from error


def user_handle_of(credential: dict) -> bytes | None:
    """The userHandle of an assertion, or None. py_webauthn does not check it: the caller must."""
    try:
        parsed = parse_authentication_credential_json(json.dumps(credential))
    except (WebAuthnException, TypeError, ValueError) as error:
        raise PasskeyError(f"malformed assertion: {error}") from error
    return parsed.response.user_handle or None


def _uv_refusal(error: Exception) -> bool:
    return "verif" in str(error).lower() and "user" in str(error).lower()


def verify_registration(*, credential: dict, challenge: bytes) -> RegisteredCredential:
    rp_id, origin = relying_party()
    try:
        parsed = parse_registration_credential_json(json.dumps(credential))
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except WebAuthnException as error:
        if _uv_refusal(error):
            raise UserNotVerifiedError(f"registration without user verification: {error}") from error
        raise PasskeyError(f"registration refused: {error}") from error
    except (TypeError, ValueError, KeyError) as error:
        raise PasskeyError(f"malformed registration: {error.__class__.__name__}: {error}") from error
    transports = []
    for transport in parsed.response.transports or []:
        transports.append(transport.value if isinstance(transport, AuthenticatorTransport) else str(transport))
    return RegisteredCredential(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        backed_up=verified.credential_backed_up,
        device_type=str(verified.credential_device_type.value),
        transports=transports,
    )


def verify_assertion(*, credential: dict, challenge: bytes, public_key: bytes) -> VerifiedAssertion:
    """Verify signature, challenge, origin, RP ID and UV. The sign counter is judged by the caller.

    We pass a current count of 0 so py_webauthn never refuses on the counter itself: a regression is a risk
    signal we record and show (synced passkeys legitimately report 0), not a reason to lock a citizen out.
    """
    rp_id, origin = relying_party()
    try:
        parsed = parse_authentication_credential_json(json.dumps(credential))
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except WebAuthnException as error:
        if _uv_refusal(error):
            raise UserNotVerifiedError(f"assertion without user verification: {error}") from error
        raise PasskeyError(f"assertion refused: {error}") from error
    except (TypeError, ValueError, KeyError) as error:
        raise PasskeyError(f"malformed assertion: {error.__class__.__name__}: {error}") from error
    return VerifiedAssertion(
        credential_id=verified.credential_id,
        new_sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        device_type=str(verified.credential_device_type.value),
    )
