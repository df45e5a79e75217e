"""Tracking numbers a citizen can read over the phone: ``7471-26-K7QX-3MW``.

    7471  region code of the MPP (Kemendagri kode wilayah; 0000 when no MPP applies)
    26    year of submission (in the MPP's zone)
    K7QX  the region-year sequence number, scrambled by a keyed permutation
    3M    two random characters
    W     a check character, so a mistyped character is caught before anything is looked up

Unique by construction: the sequence comes from ``TrackingSequence`` (one row per region and year, incremented in
the submitting transaction) and the permutation is a bijection; the column is unique as well. Not enumerable: the
permutation is keyed with the app's secret, so knowing your own number says nothing about your neighbour's, and
two random characters multiply the search space by 900. Access is still checked against the owner on every request
(a number that exists but is not yours is a 404 like one that does not exist).

The alphabet has no 0/O, 1/I/L or U (which reads as V): what is written down is what is typed back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import TrackingSequence

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)  # 30
SEQUENCE_CHARS = 4
DOMAIN = BASE**SEQUENCE_CHARS  # 810,000 applications per region and year before a fifth character appears
_BITS = 20  # 2**20 > DOMAIN: the Feistel network permutes 20 bits, cycle-walking keeps results inside DOMAIN
_HALF = _BITS // 2
_MASK = (1 << _HALF) - 1
# Weights coprime with 30, so any single wrong character changes the check character.
_WEIGHTS = (1, 7, 11, 13, 17, 19, 23, 29)
NO_REGION = "0000"

_PATTERN = re.compile(r"^(\d{4})(\d{2})([" + ALPHABET + r"]{4,})([" + ALPHABET + r"]{3})$")


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, BASE)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def _round(key: bytes, round_number: int, half: int) -> int:
    digest = hmac.new(key, f"{round_number}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & _MASK


def _permute(value: int, key: bytes) -> int:
    """A keyed bijection on [0, DOMAIN): 4-round Feistel on 20 bits, re-applied until the result is in range."""
    while True:
        left, right = value >> _HALF, value & _MASK
        for round_number in range(4):
            left, right = right, left ^ _round(key, round_number, right)
        value = (left << _HALF) | right
        if value < DOMAIN:
            return value


def _key(region_code: str, year: int) -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"tracking:{region_code}:{year}".encode(), hashlib.sha256).digest()


def check_character(chars: str) -> str:
    total = sum(_WEIGHTS[i % len(_WEIGHTS)] * ALPHABET.index(c) for i, c in enumerate(chars))
    return ALPHABET[total % BASE]


def format_number(region_code: str, year: int, sequence: int, random_part: str) -> str:
    """Pure: the tracking number for the ``sequence``-th application (1-based) of a region and year."""
    index = sequence - 1
    overflow, inside = divmod(index, DOMAIN)
    scrambled = _encode(_permute(inside, _key(region_code, year)), SEQUENCE_CHARS)
    if overflow:
        scrambled = _encode(overflow, 1 + (overflow >= BASE)) + scrambled
    body = scrambled + random_part
    return f"{region_code}-{year % 100:02d}-{scrambled}-{random_part}{check_character(body)}"


def next_sequence(region_code: str, year: int) -> int:
    """Take the next number for the region and year inside the caller's transaction (rows lock until commit)."""
    for _attempt in range(5):
        value = db.session.execute(
            update(TrackingSequence)
            .where(TrackingSequence.region_code == region_code, TrackingSequence.year == year)
            .values(last_value=TrackingSequence.last_value + 1)
            .returning(TrackingSequence.last_value)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if value is not None:
            return value
        try:
            with db.session.begin_nested():  # the first number of the year: two may race to create the row
                db.session.add(TrackingSequence(region_code=region_code, year=year, last_value=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a tracking number")  # pragma: no cover


def new_tracking_number(region_code: str | None, year: int) -> str:
    region_code = region_code or NO_REGION
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(2))
    return format_number(region_code, year, next_sequence(region_code, year), random_part)


def normalize(text: str | None) -> str | None:
    """What a citizen typed (any case, spaces, missing dashes) → the canonical number, or None if it cannot be one."""
    compact = re.sub(r"[\s\-.]", "", (text or "")).upper()
    match = _PATTERN.match(compact)
    if not match:
        return None
    region, year, scrambled, tail = match.groups()
    if check_character(scrambled + tail[:2]) != tail[2]:
        return None
    return f"{region}-{year}-{scrambled}-{tail}"
