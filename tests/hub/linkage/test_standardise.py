from __future__ import annotations

from datetime import date

import pytest

from hub.linkage.standardise import (
    canonical_name,
    id_checksum_ok,
    name_key,
    name_pinyin,
    split_surname,
    standardise,
)
from tests.hub.linkage.linkage_helpers import frame, make_id, mention


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("曾国藩", "zeng"), ("单雄信", "shan"), ("解缙", "xie"), ("区伟", "ou"),
        ("仇英", "qiu"), ("查良镛", "zha"), ("朴树", "piao"), ("盖聂", "ge"),
        ("乐嘉", "yue"), ("覃静", "qin"), ("缪斯", "miao"), ("翟志刚", "zhai"),
        ("万俟卨", "moqi"), ("尉迟恭", "yuchi"), ("长孙无忌", "zhangsun"),
    ],
)
def test_surname_reading(name: str, expected: str) -> None:
    assert name_pinyin(name_key(name))[0] == expected


def test_given_name_keeps_default_reading() -> None:
    assert name_pinyin("王单") == ("wang", "dan")


@pytest.mark.parametrize("variant", ["阿不都热依木•买买提", "阿不都热依木.买买提",
                                     "阿不都热依木・买买提", "阿不都热依木．买买提",
                                     "阿不都热依木买买提", "阿不都热依木 买买提"])
def test_middle_dot_variants_share_a_key(variant: str) -> None:
    assert name_key(variant) == name_key("阿不都热依木·买买提")


def test_traditional_surname_equal_after_normalisation() -> None:
    assert name_key("陳建國") == name_key("陈建国")
    assert name_key("劉 偉") == "刘伟"


def test_transliteration_variants_share_canonical_pinyin() -> None:
    assert canonical_name("茨仁卓马") == canonical_name("次仁卓玛")
    assert canonical_name("麦麦提·吐尔逊") == canonical_name("买买提图尔逊")
    assert canonical_name("扎西") != canonical_name("达瓦")


def test_tibetan_and_uyghur_names_have_no_surname() -> None:
    assert split_surname("阿不都热依木买买提")[0] is None
    assert split_surname("欧阳修") == ("欧阳", "修")


def test_birth_date_and_sex_come_from_a_valid_id() -> None:
    valid = make_id("41050219850307123")
    df = standardise(frame(mention("a", "1", "王伟", valid, birth=None)))
    row = df.iloc[0]
    assert row["dob"] == 19850307
    assert row["sex"] == "男"
    assert row["valid_id"] == valid
    assert id_checksum_ok(valid)


def test_source_birth_date_wins_and_invalid_id_is_not_trusted() -> None:
    typo = "410502198503071239"
    df = standardise(frame(mention("a", "1", "王伟", typo, birth=date(1985, 3, 8))))
    row = df.iloc[0]
    assert row["dob"] == 19850308
    assert row["valid_id"] is None
    assert row["id_key"] == typo


def test_legacy_id_check_character_is_masked() -> None:
    upgraded = make_id("11010519491231002")
    df = standardise(frame(mention("a", "1", "李敏", upgraded, kind="id15")))
    assert df.iloc[0]["id_cmp"].endswith("?")
    assert df.iloc[0]["valid_id"] is None
    assert df.iloc[0]["dob"] == 19491231
