"""Tests for plaintext-identifier detection in ``privacy.scan``."""

from __future__ import annotations

import json
import re

import pytest

from privacy.blind_index import BlindIndexer
from privacy.fields import FieldEncryptor
from privacy.keys import Keyring
from privacy.scan import (
    LONG_DIGIT_RUN,
    NUMBER_CANDIDATE,
    TEXT_CANDIDATE,
    Finding,
    NameFinder,
    find_identifiers,
    luhn_valid,
    mask_identifier,
    mask_name,
)

ID_18 = "11010519491231002X"
ID_15 = "110105491231002"
MOBILE = "13812345678"


def _luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to ``prefix``."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


CARD_16 = _luhn_complete("622202123456789")
CARD_19 = _luhn_complete("622848001234567890")


def _kinds(text: str) -> list[str]:
    return [f.kind for f in find_identifiers(text)]


def test_luhn_known_answers() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert luhn_valid(CARD_16) and len(CARD_16) == 16


def test_finds_resident_id_with_position_and_mask() -> None:
    text = f"申请人身份证号：{ID_18}，已核实"
    [finding] = find_identifiers(text)
    assert finding.kind == "resident_id"
    assert text[finding.start : finding.end] == ID_18
    assert finding.masked == "1101**********002X"
    assert ID_18 not in repr(finding)


@pytest.mark.parametrize(
    "text",
    [ID_18.lower(), "１１０１０５１９４９１２３１００２Ｘ", f"id={ID_18};", f'"{ID_18}"', ID_15],
)
def test_finds_id_variants(text: str) -> None:
    assert _kinds(text) == ["resident_id"]


@pytest.mark.parametrize(
    "text",
    [
        f"tel {MOBILE}.",
        "电话138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 13812345678",
    ],
)
def test_finds_mobiles(text: str) -> None:
    [finding] = find_identifiers(text)
    assert finding.kind == "mobile"
    assert finding.masked == "138****5678"


@pytest.mark.parametrize("card", [CARD_16, CARD_19])
def test_finds_luhn_card_numbers(card: str) -> None:
    [finding] = find_identifiers(f"账号 {card} 开户行")
    assert finding.kind == "bank_card"
    assert finding.masked == card[:4] + "*" * (len(card) - 8) + card[-4:]


def test_finds_grouped_card_number() -> None:
    grouped = " ".join(CARD_16[i : i + 4] for i in range(0, 16, 4))
    [finding] = find_identifiers(f"卡号：{grouped}")
    assert finding.kind == "bank_card"


def test_reports_several_in_order() -> None:
    text = f"{ID_18} / {MOBILE} / {CARD_16}"
    assert _kinds(text) == ["resident_id", "mobile", "bank_card"]


def test_ignores_invalid_checksum_ids() -> None:
    wrong = [ID_18[:-1] + d for d in "0123456789" if not luhn_valid(ID_18[:-1] + d)]
    assert len(wrong) == 9  # every wrong check digit that is not also a card number
    for bad in wrong:
        assert find_identifiers(f"号码 {bad}") == []
    # One that happens to pass Luhn is at most a card, never an ID.
    lucky = next(ID_18[:-1] + d for d in "0123456789" if luhn_valid(ID_18[:-1] + d))
    assert _kinds(lucky) == ["bank_card"]


def test_ignores_implausible_ids() -> None:
    assert _kinds("990105491231002") == []  # unknown province, legacy form


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "1381234567",  # 10 digits
        "订单 2024061512",
        "12345678901",  # 11 digits, not 1[3-9]
        "0000000000000000",  # repeated digit passes Luhn but is no card
        f"x{MOBILE}",  # glued to a letter
        f"{MOBILE}5",  # 12 digits
        "1" * 25,
        "2024-06-15 12:30:45",
    ],
)
def test_ignores_short_or_non_matching_numbers(text: str) -> None:
    assert find_identifiers(text) == []


def test_ignores_digits_inside_hex_and_base64() -> None:
    assert find_identifiers(f"sha256=ab{ID_18[:-1]}9cd{CARD_16}ef") == []
    assert find_identifiers(f"payload:Zq{CARD_16}Qx") == []


def test_ignores_ciphertext_tokens_and_blind_indexes(keyring: Keyring) -> None:
    fields = FieldEncryptor(keyring)
    indexes = BlindIndexer(keyring)
    where = {"label": "SourceRecord", "record_key": "GA1", "field": "id_number"}
    tokens = [fields.encrypt(ID_18, field_class="identifier", **where) for _ in range(200)]
    # A token whose payload happens to hold a digit run must not be flagged either.
    crafted = f"enc1.A256GCM.identifier.1.AAAAAA.{CARD_16}{'A' * 30}"
    hex_indexes = [indexes.id_number(ID_18), indexes.phone(MOBILE)]
    text = "\n".join([*tokens, crafted, *hex_indexes])
    assert find_identifiers(text) == []


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID_18, "1101**********002X"),
        ("659001 19800101 123X", "6590**********123X"),
        (MOBILE, "138****5678"),
        ("+86 138-1234-5678", "8613*****5678"),
        ("12345678", "12****78"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_identifier(value: str, masked: str) -> None:
    assert mask_identifier(value) == masked


def test_finding_is_a_small_frozen_value() -> None:
    finding = Finding("mobile", 0, 11, "138****5678")
    with pytest.raises(AttributeError):
        finding.kind = "x"  # type: ignore[misc]


# -- digits inside floats (issue 20: LinkRun.settings_json) --------------------------------

# the masked values the issue reported, as the floats of a linkage model print them
LUHN_FLOATS = [f"0.{_luhn_complete('037512345678906')}", f"{_luhn_complete('999912345678997')}.5"]


def test_the_planted_floats_would_pass_as_cards_without_the_decimal_rule() -> None:
    for number in LUHN_FLOATS:
        digits = max(number.split("."), key=len)
        assert 13 <= len(digits) <= 19 and luhn_valid(digits)


@pytest.mark.parametrize(
    "text",
    [
        *LUHN_FLOATS,
        json.dumps({"m_probabilities": [float(LUHN_FLOATS[0]), 0.25], "prior": LUHN_FLOATS[1]}),
        f"lambda={LUHN_FLOATS[0]}e-05",
        f"{ID_18[:-1]}.5",
        f"3.{MOBILE}",
    ],
)
def test_ignores_digits_on_either_side_of_a_decimal_point(text: str) -> None:
    assert find_identifiers(text) == []


@pytest.mark.parametrize(
    "text", [f"No.{ID_18}", f"Tel.{MOBILE}", f"tel {MOBILE}.", f"卡号{CARD_16}。"])
def test_a_dot_that_is_no_decimal_point_still_bounds_an_identifier(text: str) -> None:
    assert len(find_identifiers(text)) == 1


# -- residents' names ---------------------------------------------------------------------

NAMES = ["龙春雷", "王伟", "扎西·多吉", "卓玛", "张三丰", "张三"]


def _names(text: str) -> list[str]:
    return [text[f.start:f.end] for f in NameFinder(NAMES).find(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("浮梁县峙滩镇龙春雷养殖场", ["龙春雷"]),  # the example: anywhere in a word
        ("王伟", ["王伟"]),  # a two-character name as a whole value
        ("户主:王伟;电话", ["王伟"]),  # or a whole segment
        ("申请人 卓玛 外出务工", ["卓玛"]),
        ("扎西.多吉在家", ["扎西.多吉"]),  # another dot variant of a dotted name
        ("扎西多吉", ["扎西多吉"]),
        ("张三丰、张三", ["张三丰", "张三"]),  # longest first where names overlap
        ("汪王伟明", []),  # two characters inside a longer Chinese word: not reported
        ("城乡居民基本养老保险", []),
        ("no Chinese here", []),
    ],
)
def test_name_finder(text: str, found: list[str]) -> None:
    assert _names(text) == found


def test_name_findings_are_masked_and_the_finder_reveals_nothing() -> None:
    finder = NameFinder(NAMES)
    [finding] = finder.find("浮梁县峙滩镇龙春雷养殖场")
    assert finding.kind == "person_name" and finding.masked == "龙**"
    assert "龙春雷" not in repr(finding) and "龙" not in repr(finder)
    assert mask_name("扎西·多吉") == "扎****"


def test_single_characters_and_blank_names_are_ignored() -> None:
    finder = NameFinder(["", "  ", "王", "A B"])
    assert len(finder) == 0
    assert finder.find("王先生") == []


# -- the database prefilters are supersets of the detectors ----------------------------------

@pytest.mark.parametrize(
    "text",
    [
        ID_18, ID_15, MOBILE, CARD_16, CARD_19, "+86 138 1234 5678", "138-1234-5678",
        "0086 13812345678", "+8613812345678", " ".join(CARD_16[i:i + 4] for i in range(0, 16, 4)),
        "１１０１０５１９４９１２３１００２Ｘ", f"x {ID_18.lower()} y", f"tel {MOBILE}.",
    ],
)
def test_number_candidate_lets_every_identifier_through(text: str) -> None:
    assert find_identifiers(text)
    assert re.fullmatch(NUMBER_CANDIDATE, text)
    assert re.fullmatch(LONG_DIGIT_RUN, text)
    assert re.fullmatch(LONG_DIGIT_RUN, f"joined\n{text}\nvalues")


@pytest.mark.parametrize(
    "text", ["260000000001", "yibao_medical:260000000001", "2024-06-15 12:30:45", *LUHN_FLOATS,
             "batch-1234567890123456a", "P0123456789AB"],
)
def test_number_candidate_keeps_most_other_text_out(text: str) -> None:
    assert re.fullmatch(NUMBER_CANDIDATE, text) is None


@pytest.mark.parametrize("text", ["ab12345678901cd", "0.13812345678", "2024-06-15", "batch-12"])
def test_long_digit_run_needs_a_run_not_glued_to_a_letter_or_decimal_point(text: str) -> None:
    assert re.fullmatch(LONG_DIGIT_RUN, text) is None


def test_text_candidate_needs_two_chinese_characters() -> None:
    assert re.fullmatch(TEXT_CANDIDATE, "x龙春雷y")
    assert re.fullmatch(TEXT_CANDIDATE, "本人")
    assert re.fullmatch(TEXT_CANDIDATE, "男") is None
    assert re.fullmatch(TEXT_CANDIDATE, "batch-12") is None
