"""Name normalisation at ingest: the undoable noise of FORMATS.md section 6.

The spelling is privacy's ``normalise_name`` (the hub's one name normaliser); ingest adds
``name_or_none`` (an empty name is ``None``, not an error).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hub.ingest.normalise.names import name_or_none
from privacy import normalise_name

SAMPLE = Path(__file__).parents[2] / "data" / "sample"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("陳敏", "陈敏"),
        ("劉德華", "刘德华"),
        ("王 伟", "王伟"),
        ("王\u3000伟", "王伟"),
        (" 王伟 ", "王伟"),
        ("阿不都热依木.买买提", "阿不都热依木·买买提"),
        ("阿不都热依木•买买提", "阿不都热依木·买买提"),
        ("阿不都热依木・买买提", "阿不都热依木·买买提"),
        ("阿不都热依木．买买提", "阿不都热依木·买买提"),
        ("阿不都热依木·买买提", "阿不都热依木·买买提"),
        ("阿不都热依木 · 买买提", "阿不都热依木·买买提"),
        ("扎西次仁", "扎西次仁"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_empty_name(raw: str | None) -> None:
    assert name_or_none(raw) is None


def test_canonical_names_are_left_unchanged() -> None:
    """公安 names are canonical: normalising must not alter a single one."""
    with (SAMPLE / "gongan_hukou.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["姓名"] for row in csv.DictReader(handle) if row["姓名"]}
    changed = sorted(n for n in names if normalise_name(n) != n)
    assert changed == []
