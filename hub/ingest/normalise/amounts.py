"""Money, counts and areas: ``1129``, ``123.00``, ``-1094`` (a bad row).

Amounts become :class:`~decimal.Decimal` so that sums of balances and aid amounts stay exact
(the eligibility rules compare them with limits to the yuan). Negative or non-numeric values
raise :class:`AmountError`, which validation reports as ``negative_amount`` or
``non_numeric_amount``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

_STRIP = " \u3000\t"


class AmountError(ValueError):
    """A numeric column holds a negative or non-numeric value."""

    def __init__(self, kind: Literal["negative", "non_numeric"], value: str) -> None:
        super().__init__(f"{kind} amount: {value}")
        self.kind = kind


def parse_amount(raw: str) -> Decimal:
    """Parse a non-negative amount written as an integer or with decimals.

    Args:
        raw: a non-empty value (ASCII or full-width digits, optional thousands commas).

    Returns:
        The amount as a ``Decimal`` (``123.00`` keeps its two places).

    Raises:
        AmountError: the value is negative (``kind="negative"``) or not a finite number.
    """
    value = raw.strip(_STRIP)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        try:
            amount = Decimal(value.replace(",", "").replace("，", ""))
        except InvalidOperation as exc:
            raise AmountError("non_numeric", value) from exc
    if not amount.is_finite():
        raise AmountError("non_numeric", value)
    if amount < 0:
        raise AmountError("negative", value)
    return amount


def parse_count(raw: str) -> int:
    """Parse a non-negative whole number (household size, people covered, a year).

    Args:
        raw: a non-empty value such as ``3`` or ``3.00``.

    Returns:
        The integer.

    Raises:
        AmountError: negative, non-numeric or not a whole number.
    """
    value = raw.strip(_STRIP)
    if value.isdigit() and value.isascii():
        return int(value)
    amount = parse_amount(value)
    if amount != amount.to_integral_value():
        raise AmountError("non_numeric", value)
    return int(amount)
