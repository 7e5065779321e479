"""Phone numbers in the spellings of FORMATS.md 4.6.

``13812345678``, ``138 1234 5678``, ``138-1234-5678``, ``+86 138…``, a landline
``0372-1234567`` or two numbers ``a/b``. Each becomes a digit string (``03721234567`` for a
landline) so equal numbers compare equal.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[/／;；,，、|]+")
_NON_DIGITS = re.compile(r"\D+")
_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF0B: ord("+")}


@lru_cache(maxsize=65_536)
def normalise_phones(raw: str | None) -> tuple[str, ...]:
    """Return the phone numbers in a value as digit strings, in the order written.

    Args:
        raw: a 联系电话 value; may hold two numbers separated by ``/``.

    Returns:
        One digit string per number (country prefix ``+86``/``0086`` dropped); empty when
        the value holds no digits.
    """
    if not raw:
        return ()
    numbers: list[str] = []
    for part in _SEPARATORS.split(raw.translate(_FULLWIDTH)):
        text = part.strip()
        if text.startswith("+86"):
            text = text[3:]
        elif text.startswith("0086"):
            text = text[4:]
        digits = _NON_DIGITS.sub("", text)
        if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
            digits = digits[2:]
        if digits:
            numbers.append(digits)
    return tuple(numbers)
