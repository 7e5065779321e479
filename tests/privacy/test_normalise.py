"""Tests for the identifier normalisers in ``privacy.normalise``."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from privacy.errors import InvalidIdentifierError
from privacy.normalise import (
    id_check_character,
    is_valid_id_number,
    name_index_form,
    normalise_birth_date,
    normalise_id_number,
    normalise_name,
    normalise_phone,
    plausible_birth_date,
    upgrade_id_15_to_18,
)


def test_check_character_is_the_weighted_sum_of_gb_11643() -> None:
    """The base-13 shortcut in ``id_check_character`` equals the standard's weighted sum."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for first17 in ("41050219850307123", "11010519491231002", "99999999999999999",
                     "00000000000000000", "36022219811104529", "12345678901234567"):
        total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
        assert id_check_character(first17) == "10X98765432"[total % 11]


def test_check_character_known_answers() -> None:
    assert id_check_character("41050219850307123") == "4"
    assert id_check_character("11010519491231002") == "X"
    assert id_check_character("36022219811104529") == "3"  # sample hukou row


def test_upgrade_15_to_18() -> None:
    assert upgrade_id_15_to_18("110105491231002") == "11010519491231002X"
    with pytest.raises(InvalidIdentifierError):
        upgrade_id_15_to_18("11010549123100")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
        ("110105 19491231 002X", "11010519491231002X"),  # ASCII spaces
        ("110105\u300019491231\u3000002x", "11010519491231002X"),  # ideographic spaces
        (" 410502198503071234\t", "410502198503071234"),
        ("110105491231002", "11010519491231002X"),  # 15 → 18
        ("１１０１０５４９１２３１００２", "11010519491231002X"),  # full-width 15
    ],
)
def test_normalise_id_number(raw: str, expected: str) -> None:
    assert normalise_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "1101051949123100", "11010519491231002Y", "11010519491231002XX", "1101-0519491231002X"],
)
def test_normalise_id_number_rejects_bad_shapes(raw: str) -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        normalise_id_number(raw)
    assert info.value.kind == "id_number"
    assert raw == "" or raw not in str(info.value)


def test_normalise_id_number_checksum() -> None:
    with pytest.raises(InvalidIdentifierError, match="check character") as info:
        normalise_id_number("410502198503071235")
    assert "410502198503071235" not in str(info.value)
    assert normalise_id_number("410502198503071235", verify_checksum=False).endswith("5")


def test_is_valid_id_number() -> None:
    assert is_valid_id_number("410502198503071234")
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("11010519491231002x")  # not canonical
    assert not is_valid_id_number("410502198503071235")  # checksum
    assert not is_valid_id_number("990502198503071234")  # no such province
    first17 = "41050219851307123"  # month 13
    assert not is_valid_id_number(first17 + id_check_character(first17))


def test_plausible_birth_date() -> None:
    assert plausible_birth_date("19491231")
    assert not plausible_birth_date("18991231")
    assert not plausible_birth_date("19490230")
    assert not plausible_birth_date("2999010")
    assert not plausible_birth_date("20300101", max_year=2026)


@pytest.mark.parametrize(
    "raw",
    [
        "阿依古丽·买买提",
        "阿依古丽•买买提",
        "阿依古丽・买买提",
        "阿依古丽．买买提",
        "阿依古丽.买买提",
        "阿依古丽 · 买买提",
        " 阿依古丽\u3000买买提 ",
        "阿依古丽･买买提",  # half-width katakana middle dot
    ],
)
def test_name_index_form_unifies_dots_and_spaces(raw: str) -> None:
    assert name_index_form(raw) == "阿依古丽买买提"
    assert normalise_name(raw) in ("阿依古丽·买买提", "阿依古丽买买提")


def test_name_index_form_full_width_latin_and_case() -> None:
    assert name_index_form("ＪＯＨＮ Smith") == name_index_form("john smith") == "johnsmith"
    assert normalise_name("ＪＯＨＮ Smith") == "JOHNSmith"
    with pytest.raises(InvalidIdentifierError):
        name_index_form(" · ")
    with pytest.raises(InvalidIdentifierError):
        normalise_name(" · ")


def test_name_index_form_is_idempotent_on_the_stored_spelling() -> None:
    for raw in ("阿不都热依木 • 买买提", "劉德華", "ＪＯＨＮ Smith"):
        assert name_index_form(normalise_name(raw)) == name_index_form(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "8613812345678",
        "１３８１２３４５６７８",
        "(+86) 138.1234.5678",
    ],
)
def test_normalise_phone(raw: str) -> None:
    assert normalise_phone(raw) == "13812345678"


def test_normalise_phone_keeps_landline_area_code() -> None:
    assert normalise_phone("0791-8888 6666") == "079188886666"
    with pytest.raises(InvalidIdentifierError, match="phone"):
        normalise_phone("n/a")


@pytest.mark.parametrize(
    "raw",
    [
        "1985-03-07",
        "19850307",
        "1985/3/7",
        "1985年3月7日",
        "1985.03.07",
        date(1985, 3, 7),
        datetime(1985, 3, 7, 12, 0),
    ],
)
def test_normalise_birth_date(raw: str | date) -> None:
    assert normalise_birth_date(raw) == "1985-03-07"


@pytest.mark.parametrize("raw", ["1985-02-30", "85-3-7", "unknown", "19851307"])
def test_normalise_birth_date_rejects(raw: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        normalise_birth_date(raw)
