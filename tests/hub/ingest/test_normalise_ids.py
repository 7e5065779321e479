"""Resident ID and disability certificate normalisation (FORMATS.md 2.1, 2.2)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.ingest.normalise.ids import (
    birth_date_from_id,
    normalise_disability_cert,
    normalise_id,
    sex_from_id,
)
from privacy.normalise import id_check_character


def test_checksum_of_the_formats_example() -> None:
    """Ingest checks IDs with privacy's GB 11643 check character (one implementation)."""
    assert id_check_character("41050219850307123") == "4"
    assert id_check_character("11010519491231002") == "X"


def test_valid_18_digit_id() -> None:
    result = normalise_id("410502198503071234")
    assert (result.number, result.kind, result.valid) == ("410502198503071234", "id18", True)


def test_15_digit_id_is_upgraded() -> None:
    result = normalise_id("110105491231002")
    assert (result.number, result.kind, result.valid) == ("11010519491231002X", "id15", True)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",  # lower-case x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",  # spaces inside
        "11010519491231002X ",  # space after
        "110105\u300019491231002X",  # ideographic space
    ],
)
def test_noise_is_removed(raw: str) -> None:
    result = normalise_id(raw)
    assert (result.number, result.kind, result.valid) == ("11010519491231002X", "id18", True)


def test_typo_keeps_the_value_but_flags_it_invalid() -> None:
    result = normalise_id("410502198503071235")
    assert (result.number, result.kind, result.valid) == ("410502198503071235", "id18", False)
    assert birth_date_from_id(result) is None
    assert sex_from_id(result) is None


def test_transposition_fails_the_checksum() -> None:
    assert not normalise_id("410502198530071234").valid


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 13812345678"])
def test_mobile_number_in_the_id_column(raw: str) -> None:
    result = normalise_id(raw)
    assert (result.number, result.kind, result.valid) == ("13812345678", "phone", False)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_missing(raw: str | None) -> None:
    assert normalise_id(raw) == (None, "missing", False, None, None)


def test_wrong_length_is_invalid() -> None:
    result = normalise_id("4105021985")
    assert (result.number, result.kind, result.valid) == ("4105021985", "invalid", False)


def test_birth_date_and_sex_from_a_valid_id() -> None:
    male = normalise_id("410502198503071234")  # sequence 123: odd
    assert birth_date_from_id(male) == date(1985, 3, 7)
    assert sex_from_id(male) == "男"
    female = normalise_id("11010519491231002X")  # sequence 002: even
    assert birth_date_from_id(female) == date(1949, 12, 31)
    assert sex_from_id(female) == "女"


def test_disability_certificate_is_split() -> None:
    cert = normalise_disability_cert("36022219840129059643")
    assert cert.id.number == "360222198401290596"
    assert cert.id.valid
    assert (cert.category_digit, cert.level_digit) == (4, 3)


def test_disability_certificate_with_id_noise() -> None:
    cert = normalise_disability_cert("１１０１０５１９４９１２３１００２ｘ２１")
    assert (cert.id.number, cert.id.valid) == ("11010519491231002X", True)
    assert (cert.category_digit, cert.level_digit) == (2, 1)


def test_disability_certificate_with_a_typo() -> None:
    cert = normalise_disability_cert("36022219840129059743")
    assert cert.id.kind == "id18"
    assert not cert.id.valid
