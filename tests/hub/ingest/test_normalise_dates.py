"""Dates and year-months in the documented styles; impossible values are rejected."""

from __future__ import annotations

from datetime import date

import pytest

from hub.ingest.normalise.dates import DateError, parse_date, parse_year_month


@pytest.mark.parametrize(
    "raw", ["1985-03-07", "1985/3/7", "1985/03/07", "19850307", "1985年3月7日", " 1985-03-07 "]
)
def test_every_documented_style(raw: str) -> None:
    assert parse_date(raw) == date(1985, 3, 7)


@pytest.mark.parametrize(
    "raw",
    ["2021-02-30", "2023-13-07", "20191305", "2020年2月31日", "2018/0/12", "0000-00-00",
     "2022-11-31", "2021-2-29", "1985.03.07", "85-03-07", "1985-03", "", "abc"],
)
def test_impossible_or_undocumented_dates(raw: str) -> None:
    with pytest.raises(DateError):
        parse_date(raw)


def test_leap_day() -> None:
    assert parse_date("2020/2/29") == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("raw", "style", "expected"),
    [("202311", "YYYYMM", date(2023, 11, 1)), ("2023-01", "YYYY-MM", date(2023, 1, 1))],
)
def test_year_month(raw: str, style: str, expected: date) -> None:
    assert parse_year_month(raw, style) == expected


@pytest.mark.parametrize(
    ("raw", "style"),
    [
        ("202113", "YYYYMM"), ("202100", "YYYYMM"), ("20210", "YYYYMM"), ("2021-1", "YYYYMM"),
        ("2021-01", "YYYYMM"), ("000001", "YYYYMM"),
        ("2021-13", "YYYY-MM"), ("2021-00", "YYYY-MM"), ("2021-1", "YYYY-MM"),
        ("202101", "YYYY-MM"), ("20210", "YYYY-MM"),
    ],
)
def test_impossible_or_wrong_style_year_months(raw: str, style: str) -> None:
    with pytest.raises(DateError):
        parse_year_month(raw, style)
