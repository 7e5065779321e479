"""Named value parsers that mapping files refer to (``parser = "date"``).

Mappings are data, so they name parsers instead of holding code; this registry turns a
name into a function ``str -> value``. Fact parsers return typed values (``int``,
``Decimal``, ``date``, ``bool``, ``list[str]``); personal parsers return ``str`` because
personal values are encrypted as text by the writer. Every parser receives a non-empty,
stripped value; empty cells become ``None`` before any parser runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from hub.ingest.normalise.amounts import parse_amount, parse_count
from hub.ingest.normalise.dates import parse_date
from hub.ingest.normalise.ids import clean_id_text
from hub.ingest.normalise.names import name_or_none
from hub.ingest.normalise.phones import normalise_phones

Parser = Callable[[str], Any]

_LIST_SEPARATORS = re.compile(r"\s*[;；、]\s*")
_LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
_DISABILITY_NONE = frozenset({"无", "否", "-"})

# 重特大疾病 names of FORMATS.md 4.4 (adult and child lists).
MAJOR_ILLNESSES = frozenset(
    {
        "肺恶性肿瘤", "胃恶性肿瘤", "肝恶性肿瘤", "乳腺恶性肿瘤", "宫颈恶性肿瘤",
        "结直肠恶性肿瘤", "食管恶性肿瘤", "慢性肾衰竭（尿毒症期）", "慢性肾衰竭(尿毒症期)",
        "急性白血病", "重性精神疾病", "耐多药肺结核", "肝硬化失代偿期", "系统性红斑狼疮",
        "再生障碍性贫血", "脑卒中后遗症", "慢性心力衰竭", "器官移植术后抗排异治疗",
        "急性淋巴细胞白血病", "先天性心脏病", "血友病", "儿童恶性肿瘤", "地中海贫血",
        "1型糖尿病",
    }
)


def _text(value: str) -> str:
    return value


def _list(value: str) -> list[str]:
    return [item for item in _LIST_SEPARATORS.split(value) if item]


def _yes_no(value: str) -> bool | None:
    return {"是": True, "否": False}.get(value)


def _level(value: str) -> int | None:
    return _LEVELS.get(value)


@lru_cache(maxsize=1024)
def _disability_parts(value: str) -> tuple[str | None, int | None]:
    """Split ``肢体二级`` / ``二级肢体`` / ``肢体残疾二级`` into category and level."""
    if value in _DISABILITY_NONE:
        return None, None
    category = next((c for c in _CATEGORIES if c in value), None)
    level = next((n for text, n in _LEVELS.items() if text in value), None)
    return category, level


def _disability_category(value: str) -> str | None:
    return _disability_parts(value)[0]


def _disability_level(value: str) -> int | None:
    return _disability_parts(value)[1]


def _declared(value: str) -> bool:
    return value not in _DISABILITY_NONE


def _major_illness(value: str) -> bool:
    return value in MAJOR_ILLNESSES


def _school_year_start(value: str) -> int:
    return parse_count(value.split("-", 1)[0])


def _phones(value: str) -> str:
    return ";".join(normalise_phones(value))


def _identifier(value: str) -> str:
    return clean_id_text(value)


def _name(value: str) -> str:
    return name_or_none(value) or value


FACT_PARSERS: dict[str, Parser] = {
    "text": _text,
    "int": parse_count,
    "decimal": parse_amount,
    "date": parse_date,
    "year_month": _text,  # replaced per column by the column's declared style
    "list": _list,
    "yes_no": _yes_no,
    "level": _level,
    "disability_category": _disability_category,
    "disability_level": _disability_level,
    "declared": _declared,
    "major_illness": _major_illness,
    "school_year_start": _school_year_start,
}
"""Parsers allowed in ``facts``; ``year_month`` is bound to the column's style."""

PERSONAL_PARSERS: dict[str, Parser] = {
    "text": _text,
    "phones": _phones,
    "identifier": _identifier,
    "name": _name,
}
"""Parsers allowed in ``personal``: all return text (it is encrypted as text)."""
