"""Amounts and counts: exact decimals, negatives and non-numbers rejected."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.ingest.normalise.amounts import AmountError, parse_amount, parse_count


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1129", Decimal(1129)), ("123.00", Decimal("123.00")), ("0.00", Decimal(0)),
     (" 436.23 ", Decimal("436.23")), ("１２３", Decimal(123)), ("1,234.50", Decimal("1234.5"))],
)
def test_parse_amount(raw: str, expected: Decimal) -> None:
    assert parse_amount(raw) == expected


def test_two_decimals_are_kept() -> None:
    assert str(parse_amount("123.00")) == "123.00"


@pytest.mark.parametrize("raw", ["-1094", "-0.01", "-96.23"])
def test_negative_amount(raw: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(raw)
    assert info.value.kind == "negative"


@pytest.mark.parametrize("raw", ["abc", "12a", "NaN", "Infinity", "1..2"])
def test_non_numeric_amount(raw: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(raw)
    assert info.value.kind == "non_numeric"


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), ("3.00", 3), ("2024", 2024)])
def test_parse_count(raw: str, expected: int) -> None:
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["2.5", "-1", "x"])
def test_parse_count_rejects(raw: str) -> None:
    with pytest.raises(AmountError):
        parse_count(raw)
