"""Standardise mention columns for blocking and comparison.

Names: a separator-free key (``name_key``), the toneless pinyin with the surname read as a
surname (曾 zeng, 单 shan, 解 xie …, which pypinyin alone gets wrong), pinyin initials, and
a canonical pinyin (``name_canon``) in which known transliteration variants of Tibetan and
Uyghur/Kazakh name parts (次仁/茨仁, 买买提/麦麦提 …) collapse to one spelling. Birth date and
sex come from a valid ID number when the source lacks them. All work is done once per
distinct value, so a million mentions with a hundred thousand names cost a hundred thousand
pinyin look-ups.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from opencc import OpenCC
from pypinyin import lazy_pinyin

from privacy.normalise import id_check_character

# Surnames whose surname reading differs from pypinyin's default reading.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha",
    "朴": "piao", "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai",
    "秘": "bi", "繁": "po", "员": "yun", "种": "chong", "折": "she", "召": "shao",
    "句": "gou", "隗": "wei", "冼": "xian", "洗": "xian", "牟": "mou", "禚": "zhuo",
    "阚": "kan", "薄": "bo", "卜": "bu", "柏": "bai", "任": "ren", "沈": "shen",
}
# Compound surnames (复姓) with their readings.
COMPOUND_SURNAMES: dict[str, str] = {
    "万俟": "moqi", "尉迟": "yuchi", "长孙": "zhangsun", "欧阳": "ouyang", "司马": "sima",
    "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang", "皇甫": "huangfu",
    "令狐": "linghu", "慕容": "murong", "宇文": "yuwen", "司徒": "situ", "司空": "sikong",
    "夏侯": "xiahou", "公孙": "gongsun", "轩辕": "xuanyuan", "澹台": "tantai",
    "单于": "chanyu", "呼延": "huyan", "端木": "duanmu", "西门": "ximen", "南宫": "nangong",
    "独孤": "dugu", "赫连": "helian", "申屠": "shentu", "闻人": "wenren", "拓跋": "tuoba",
    "百里": "baili", "东郭": "dongguo", "公冶": "gongye", "钟离": "zhongli", "宗政": "zongzheng",
    "濮阳": "puyang", "淳于": "chunyu", "太史": "taishi", "仲孙": "zhongsun", "羊舌": "yangshe",
}
# Known transliteration variants of Tibetan and Uyghur/Kazakh name parts → one spelling.
TRANSLITERATION_VARIANTS: dict[str, str] = {
    "茨仁": "次仁", "此仁": "次仁", "扎史": "扎西", "拉木": "拉姆", "达娃": "达瓦",
    "多杰": "多吉", "卓马": "卓玛", "彭措": "平措", "登珠": "顿珠", "次里": "此里",
    "鲁绒": "鲁茸", "齐林": "七林", "罗桑": "洛桑", "旦增": "丹增", "麦麦提": "买买提",
    "阿布都": "阿不都", "阿力": "艾力", "图尔逊": "吐尔逊", "古力": "古丽", "玉苏甫": "玉素甫",
}
MIDDLE_DOTS = "·•.・．‧∙⋅･"
_DOT_TABLE = str.maketrans({c: "" for c in MIDDLE_DOTS + " \u3000\t"})
_T2S = OpenCC("t2s")
_ID_PARTS = {"region": (0, 6), "year": (6, 10), "date": (10, 14), "sequence": (14, 18)}


@lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """Return the comparison key of a name: NFKC, simplified, no spaces or middle dots.

    Idempotent, so it is safe on names ingest has already normalised.

    Args:
        name: A name as written (raw or normalised).

    Returns:
        The key; ``阿不都热依木·买买提`` and ``阿不都热依木．买买提`` give the same key.
    """
    text = unicodedata.normalize("NFKC", name).translate(_DOT_TABLE)
    return _T2S.convert(text)


def split_surname(key: str) -> tuple[str | None, str]:
    """Split a name key into surname and given name.

    Uyghur/Kazakh (``本人名·父名``) and Tibetan names have no surname; names longer than four
    characters are treated that way. A compound surname (欧阳, 万俟 …) is kept whole.

    Args:
        key: A name key from :func:`name_key`.

    Returns:
        ``(surname, given)``; surname ``None`` when the name has no surname.
    """
    if len(key) > 4 or len(key) < 2:
        return None, key
    if key[:2] in COMPOUND_SURNAMES and len(key) >= 3:
        return key[:2], key[2:]
    return key[0], key[1:]


@lru_cache(maxsize=1 << 18)
def name_pinyin(key: str) -> tuple[str, ...]:
    """Return the toneless pinyin syllables of a name key, surname read as a surname.

    Args:
        key: A name key from :func:`name_key`.

    Returns:
        Syllables such as ``("zeng", "guo", "fan")`` for 曾国藩.
    """
    surname, given = split_surname(key)
    if surname is None:
        return tuple(lazy_pinyin(key, errors="ignore"))
    head = COMPOUND_SURNAMES.get(surname) or SURNAME_READINGS.get(surname)
    if head is None:
        return tuple(lazy_pinyin(key, errors="ignore"))
    return (head, *lazy_pinyin(given, errors="ignore"))


@lru_cache(maxsize=1 << 18)
def canonical_name(key: str) -> str:
    """Return the pinyin of a name key after collapsing transliteration variants.

    Args:
        key: A name key from :func:`name_key`.

    Returns:
        Concatenated pinyin of the canonical spelling (``次仁`` and ``茨仁`` agree).
    """
    text = key
    for variant in sorted(TRANSLITERATION_VARIANTS, key=len, reverse=True):
        if variant in text:
            text = text.replace(variant, TRANSLITERATION_VARIANTS[variant])
    return "".join(name_pinyin(text))


def initials(syllables: tuple[str, ...]) -> str:
    """Return the first letters of the syllables (``zgf`` for 曾国藩)."""
    return "".join(s[0] for s in syllables if s)


def id_checksum_ok(number: str) -> bool:
    """Return whether an 18-character ID passes the GB 11643 checksum."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    return id_check_character(number[:17]) == number[17].upper()


def _birth_from_id(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _derived(values: pd.Series, fn: Callable[[Any], tuple[Any, ...]],
             width: int) -> list[np.ndarray]:
    """The ``width`` outputs of ``fn`` per row, computed once per distinct value.

    Missing values give ``None`` in every output.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    rows = [fn(u) for u in uniques]
    out = []
    for i in range(width):
        table = np.empty(len(rows) + 1, dtype=object)
        table[:-1] = [r[i] for r in rows]
        table[-1] = None
        out.append(table[codes])
    return out


def _name_parts(name: str) -> tuple[str | None, ...]:
    key = name_key(name)
    syllables = name_pinyin(key)
    surname, given = split_surname(key)
    parts = (key, "".join(syllables), initials(syllables), canonical_name(key), surname,
             given if surname else None)
    return tuple(p or None for p in parts)


_NAME_COLUMNS = ("name_key", "name_pinyin", "name_initials", "name_canon", "surname",
                 "given_name")
_EMPTY_ID: tuple[Any, ...] = (None,) * 9


def _id_parts(number: str) -> tuple[Any, ...]:
    """Everything derived from one ID string: 18-digit parts, birth date and sex."""
    if len(number) != 18:
        return _EMPTY_ID
    without = tuple(number[:a] + number[b:] for a, b in _ID_PARTS.values())
    sex = ("男" if int(number[16]) % 2 else "女") if number[16].isdigit() else None
    return (number, number[:17] + "?", number[:6], *without, _birth_from_id(number), sex)


def _dob(values: pd.Series) -> pd.Series:
    """``YYYYMMDD`` integers (nullable) of dates given as dates or text."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce")
    ints = (parsed.dt.year * 10000 + parsed.dt.month * 100 + parsed.dt.day).astype("Int64")
    table = pd.array([*ints, pd.NA], dtype="Int64")
    return pd.Series(table[codes], index=values.index)


def standardise(mentions: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns blocking and comparison use.

    Expects the columns of :func:`hub.linkage.frame.mentions_frame`. Adds ``name_key``,
    ``name_pinyin``, ``name_initials``, ``name_canon``, ``surname`` and ``given_name``
    (both ``None`` for names without a surname), ``id_key`` (the ID
    number when it is one, not a phone), ``id_cmp`` (the same, with the computed check
    character of an upgraded 15-digit number masked as ``?``), ``valid_id`` (only
    checksum-valid 18-digit numbers), ``id_region`` and ``id_without_<part>`` for the
    parts region, year, date and sequence (typo-tolerant blocking), ``birth_date`` and
    ``sex`` (filled from a valid ID), ``birth_year`` and ``dob`` (``YYYYMMDD`` integer).
    Every derivation runs once per distinct name, ID or date, not once per mention.

    Args:
        mentions: One row per mention.

    Returns:
        A new DataFrame with the added columns; the input is not modified.
    """
    df = mentions.copy()
    for column, values in zip(_NAME_COLUMNS, _derived(df["name"], _name_parts,
                                                      len(_NAME_COLUMNS)), strict=True):
        df[column] = values
    kind = df["id_kind"].astype("object")
    idn = df["id_number"].astype("object")
    is_id = (kind.isin(["id18", "id15", "invalid"]) & idn.notna()).to_numpy()
    id_key = idn.where(is_id, None)
    full, masked, region, *without, births, sexes = _derived(id_key, _id_parts, 9)
    df["id_key"] = id_key
    # An upgraded 15-digit number's check character was computed, not checked: a typo in
    # it cannot be detected, so it is compared on 17 characters and never trusted as valid.
    legacy = (kind == "id15").to_numpy() & pd.notna(full)
    df["id_cmp"] = np.where(legacy, masked, id_key.to_numpy())
    trusted = is_id & (kind == "id18").to_numpy() & df["id_valid"].fillna(False).to_numpy(
        dtype=bool)
    df["valid_id"] = idn.where(trusted, None)
    df["id_region"] = region
    # Pigeonhole keys: the number with one of its four parts left out. A single wrong
    # character (or a swap inside a part) leaves one of the four keys intact.
    for label, values in zip(_ID_PARTS, without, strict=True):
        df[f"id_without_{label}"] = values
    from_id = trusted | legacy
    birth = df["birth_date"].astype("object")
    df["birth_date"] = birth.where(birth.notna(), pd.Series(
        np.where(from_id, births, None), index=df.index, dtype=object))
    sex = df["sex"].astype("object")
    df["sex"] = sex.where(sex.notna(), pd.Series(np.where(from_id, sexes, None),
                                                 index=df.index, dtype=object))
    df["dob"] = _dob(df["birth_date"])
    df["birth_year"] = (df["dob"] // 10000).astype("Int64")
    return df
