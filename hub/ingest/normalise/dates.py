"""Dates and year-months in the styles of FORMATS.md section 1.

Dates: ``1985-03-07``, ``1985/3/7``, ``19850307``, ``1985年3月7日`` (files mix them from row to
row). Year-months are ``YYYYMM`` or ``YYYY-MM`` as each column declares. A value that is not a
real calendar date (``2021-02-30``, ``0000-00-00``, month 13) raises :class:`DateError`:
validation turns that into an ``unparseable_date`` rejection.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Literal

YearMonthStyle = Literal["YYYYMM", "YYYY-MM"]
YEAR_MONTH_STYLES: tuple[str, ...] = ("YYYYMM", "YYYY-MM")

_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_YEAR_MONTH_PATTERNS = {
    "YYYYMM": re.compile(r"(\d{4})(\d{2})"),
    "YYYY-MM": re.compile(r"(\d{4})-(\d{2})"),
}


class DateError(ValueError):
    """A value is not a real calendar date (or year-month) in a documented style."""


@lru_cache(maxsize=131_072)
def parse_date(raw: str) -> date:
    """Parse a date in any of the four documented styles.

    Args:
        raw: a non-empty date value (surrounding spaces are ignored).

    Returns:
        The calendar date.

    Raises:
        DateError: not in a documented style, or not a real date (e.g. ``2021-02-30``).
    """
    value = raw.strip()
    if (len(value) == 10 and value[4] == "-" and value[7] == "-") or (
        len(value) == 8 and value.isdigit() and value.isascii()
    ):
        try:  # C fast path for the two commonest styles, 1985-03-07 and 19850307
            return date.fromisoformat(value)
        except ValueError:
            pass  # e.g. full-width digits, or an impossible date: decided below
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise DateError(f"not a real calendar date: {value}") from exc
    raise DateError(f"not a date in a documented style: {value}")


@lru_cache(maxsize=16_384)
def parse_year_month(raw: str, style: str) -> date:
    """Parse a year-month written in the column's declared style.

    Args:
        raw: a non-empty value such as ``202311`` or ``2023-11``.
        style: ``YYYYMM`` or ``YYYY-MM``.

    Returns:
        The first day of that month (a ``date`` sorts, compares and stores natively).

    Raises:
        DateError: wrong style (``2021-1``, ``20210``) or impossible month (``202113``).
    """
    value = raw.strip()
    match = _YEAR_MONTH_PATTERNS[style].fullmatch(value)
    if match is None:
        raise DateError(f"not a {style} year-month: {value}")
    year, month = int(match.group(1)), int(match.group(2))
    try:
        return date(year, month, 1)
    except ValueError as exc:
        raise DateError(f"not a real year-month: {value}") from exc
