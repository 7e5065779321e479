"""Find plaintext identifiers in text (logs, exports, free-text fields): ``hub privacy scan``.

Pure detection, no I/O. Three kinds are reported:

- ``resident_id``: 18 characters (17 digits + digit/X) with a valid GB 11643 checksum, a
  known province code and a plausible birth date; or a legacy 15-digit number with a
  known province code and a plausible 19xx birth date.
- ``mobile``: a mainland mobile number ``1[3-9]xxxxxxxxx``, optionally written
  ``+86``/``0086``-prefixed and grouped 3-4-4 with spaces or hyphens.
- ``bank_card``: 13 to 19 digits (optionally in groups of four) passing the Luhn check.

Precision rules: a candidate must be a whole run of ASCII digits, bounded by characters
that are neither ASCII letters nor digits, so digits inside hex hashes, base64 payloads
or words are ignored; ciphertext tokens (``enc1.…``) are skipped entirely; runs of one
repeated digit are not cards. Full-width digits are read as ASCII digits. Residual false
positives: a blind-index value whose 16 hex characters happen to be all decimal digits
(about 1 in 2,000) can pass Luhn (1 in 10); scan index columns with that in mind.

A :class:`Finding` never holds the value, only its kind, span and a masked form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privacy.normalise import (
    PROVINCE_CODES,
    is_valid_id_number,
    plausible_birth_date,
)

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_TOKEN = re.compile(r"enc[0-9]+\.[A-Za-z0-9_.\-]*")
_ID = re.compile(_EDGE_BEFORE + r"(?:[0-9]{17}[0-9Xx]|[0-9]{15})" + _EDGE_AFTER)
_MOBILE = re.compile(
    _EDGE_BEFORE
    + r"(?:(?:\+|00)86[ \-]?)?(1[3-9][0-9])([ \-]?)([0-9]{4})\2([0-9]{4})"
    + _EDGE_AFTER
)
_CARD = re.compile(
    _EDGE_BEFORE
    + r"(?:[0-9]{13,19}|[0-9]{4}(?:([ \-])[0-9]{4}){2,3}(?:\1[0-9]{1,3})?)"
    + _EDGE_AFTER
)
# Priority when candidates overlap: the most specific kind wins.
_PRIORITY = {"resident_id": 0, "mobile": 1, "bank_card": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """A suspected plaintext identifier in scanned text.

    Attributes:
        kind: ``"resident_id"``, ``"mobile"`` or ``"bank_card"``.
        start: Index of the first character in the scanned text.
        end: Index one past the last character (``text[start:end]`` is the match).
        masked: The value with its middle replaced by ``*``, e.g. ``6590**********123X``.
    """

    kind: str
    start: int
    end: int
    masked: str


def mask_identifier(value: str) -> str:
    """Mask the middle of an identifier, keeping just enough to recognise it.

    Spaces, hyphens and a leading ``+`` are dropped first. Keeps the first 4 and last 4
    characters from 13 characters up (``6590**********123X``), first 3 and last 4 for 11
    or 12 (``138****5678``), first and last 2 for 7 to 10, and nothing below that.
    """
    compact = "".join(value.split()).replace("-", "").lstrip("+")
    n = len(compact)
    if n >= 13:
        head, tail = 4, 4
    elif n >= 11:
        head, tail = 3, 4
    elif n >= 7:
        head, tail = 2, 2
    else:
        return "*" * n
    return compact[:head] + "*" * (n - head - tail) + compact[n - tail :]


def luhn_valid(digits: str) -> bool:
    """Return True if the ASCII digit string ``digits`` passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _plausible_id(candidate: str) -> bool:
    candidate = candidate.upper()
    if len(candidate) == 18:
        return is_valid_id_number(candidate)
    return candidate[:2] in PROVINCE_CODES and plausible_birth_date("19" + candidate[6:12])


def find_identifiers(text: str) -> list[Finding]:
    """Report substrings of ``text`` that look like resident IDs, mobiles or bank cards.

    Args:
        text: Any text; nothing is stored or logged.

    Returns:
        Non-overlapping findings sorted by position, each with a masked value only.
    """
    scanned = text.translate(_FULLWIDTH)
    skipped = [m.span() for m in _TOKEN.finditer(scanned)]
    candidates: list[Finding] = []
    for m in _ID.finditer(scanned):
        if _plausible_id(m.group()):
            candidates.append(Finding("resident_id", *m.span(), mask_identifier(m.group())))
    for m in _MOBILE.finditer(scanned):
        number = m.group(1) + m.group(3) + m.group(4)
        candidates.append(Finding("mobile", *m.span(), mask_identifier(number)))
    for m in _CARD.finditer(scanned):
        digits = re.sub(r"[ \-]", "", m.group())
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            candidates.append(Finding("bank_card", *m.span(), mask_identifier(digits)))
    accepted: list[Finding] = []
    for finding in sorted(candidates, key=lambda f: (_PRIORITY[f.kind], f.start)):
        span = (finding.start, finding.end)
        if not any(_overlaps(span, (a.start, a.end)) for a in accepted) and not any(
            _overlaps(span, s) for s in skipped
        ):
            accepted.append(finding)
    return sorted(accepted, key=lambda f: f.start)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
