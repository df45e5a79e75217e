"""Verification codes: unguessable, unique, easy to read aloud and to type from paper.

20 symbols from a 29-symbol alphabet without look-alikes (no 0/O, 1/I/L, U/V pairs) carry 97 bits: a forger who
tries a million codes a second would need ~10^16 years to hit one issued code, and the rate limit on /verifikasi
makes that a billion times slower still. Shown in groups of four ("7KQ2-…") like a bank transfer code.
"""

from __future__ import annotations

import math
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # 29 symbols: no 0 O 1 I L U V
LENGTH = 20
GROUP = 4
BITS = LENGTH * math.log2(len(ALPHABET))  # ≈ 97 bits
SEPARATORS = str.maketrans("", "", " -.–_")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize(raw: str | None) -> str | None:
    """The canonical code for what someone typed (any case, with or without dashes), or None if it cannot be one."""
    if not raw or len(raw) > 64:
        return None
    code = raw.translate(SEPARATORS).upper()
    if len(code) != LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code
