"""Phone spellings of FORMATS.md 4.6 become digit strings."""

from __future__ import annotations

import pytest

from hub.ingest.normalise.phones import normalise_phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", ("13812345678",)),
        ("138 1234 5678", ("13812345678",)),
        ("138-1234-5678", ("13812345678",)),
        ("+86 13812345678", ("13812345678",)),
        ("+86 138 1234 5678", ("13812345678",)),
        ("0372-1234567", ("03721234567",)),
        ("18258901847/15919191891", ("18258901847", "15919191891")),
        ("１３８１２３４５６７８", ("13812345678",)),
        ("", ()),
        (None, ()),
    ],
)
def test_normalise_phones(raw: str | None, expected: tuple[str, ...]) -> None:
    assert normalise_phones(raw) == expected
