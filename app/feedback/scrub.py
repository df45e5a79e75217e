"""Take personal data out of free text before any officer or report sees it.

Citizens type their NIK, phone number or e-mail into suggestion boxes ("hubungi saya di 0812…") — a known failure
of feedback forms elsewhere (domain.md §3.8). A survey is anonymous to officers, so these patterns are replaced
before the text is stored: NIK and KK numbers (16 digits, also written in groups), Indonesian phone numbers
(08…, +62…, 62…), and e-mail addresses. Over-scrubbing a long number that was not personal is the safe error.
"""

from __future__ import annotations

import re

NIK_KK = "[NIK/KK]"
PHONE = "[nomor telepon]"
EMAIL = "[e-mail]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 16 digits, possibly in groups separated by spaces, dots or dashes (3374 0123 4567 8901, 33.74.01…).
_SIXTEEN = re.compile(r"(?<!\d)(?:\d[\s.\-]?){15}\d(?!\d)")
# Phone numbers: +62 / 62 / 0 followed by 8 and 7–12 more digits, with optional separators.
_PHONE = re.compile(r"(?<!\d)(?:\+?62|0)[\s.\-]?8(?:[\s.\-]?\d){7,12}(?!\d)")
# Any remaining run of 10 or more digits is treated as an identifier too (account numbers, partial NIK with typos).
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){9,}(?!\d)")


def scrub(text: str | None) -> str:
    """``text`` with NIK/KK numbers, phone numbers and e-mail addresses replaced by a neutral marker."""
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL, text)
    text = _SIXTEEN.sub(NIK_KK, text)
    text = _PHONE.sub(PHONE, text)
    text = _LONG_NUMBER.sub(NIK_KK, text)
    return text
