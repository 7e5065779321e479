"""The matching rules as pure functions: profile fit, reasons, government coverage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hub.charity.categories import (
    UnknownCategoryError,
    check_categories,
    household_types,
    statuses_of,
)
from hub.charity.fit import age_on, aid_period, as_date, assess, covered_by_government
from hub.charity.model import DonationSpec, InvalidDonationError
from hub.charity.registry import validate_spec

TODAY = date(2026, 12, 1)
WINTER = DonationSpec(title="coal", category="winter_heating", region_prefix="3602",
                      period_start=date(2026, 11, 1), period_end=date(2027, 3, 31),
                      quantity=3, programme_statuses=("dibao",))
SCHOOL = DonationSpec(title="books", category="education", region_prefix="36",
                      period_start=date(2026, 9, 1), period_end=date(2027, 7, 31),
                      quantity=3, age_min=6, age_max=18, household_types=("rural",))


def _row(aid: list[dict], *, size: int = 3, urban_rural: str = "农村",
         monitored: bool = False) -> dict:
    return {"region": "360222", "urban_rural": urban_rural, "household_size": size,
            "aid": aid, "monitored": monitored}


DIBAO = {"programme": "农村低保", "department": "民政", "period": "monthly",
         "start": date(2024, 1, 1), "end": None}


def test_fitting_recipient_gets_reasons_without_personal_values() -> None:
    fit = assess(WINTER, _row([DIBAO]), [], TODAY)
    assert fit.fits and not fit.covered
    assert fit.reasons[0] == "county 360222 lies in donation region 3602"
    assert "programme status 低保" in fit.reasons
    assert not any(ch.isdigit() for r in fit.reasons[2:] for ch in r)  # no ages, no dates


def test_programme_status_must_be_current_in_the_period() -> None:
    ended = {**DIBAO, "end": date(2026, 2, 1)}
    assert not assess(WINTER, _row([ended]), [], TODAY).fits
    assert assess(WINTER, _row([], monitored=True), [], TODAY).fits is False
    monitored = replace(WINTER, programme_statuses=("monitoring",))
    assert assess(monitored, _row([], monitored=True), [], TODAY).fits


def test_age_band_and_household_type() -> None:
    assert assess(SCHOOL, _row([]), [40, 12], TODAY).fits
    assert not assess(SCHOOL, _row([]), [40, 19], TODAY).fits
    assert not assess(SCHOOL, _row([], urban_rural="城市"), [12], TODAY).fits
    fit = assess(SCHOOL, _row([]), [12], TODAY)
    assert "recipient or a household member aged 6-18" in fit.reasons
    assert "household type rural" in fit.reasons
    assert household_types("城市", 1) == {"urban", "single_person"}


def test_government_aid_for_the_same_need_in_the_period_covers_it() -> None:
    grant = {"programme": "义务教育家庭经济困难学生生活补助", "department": "教育",
             "period": "yearly", "start": 2026}
    assert covered_by_government("education", [grant], SCHOOL.period_start, SCHOOL.period_end)
    old = {**grant, "start": 2024}
    assert not covered_by_government("education", [old], SCHOOL.period_start,
                                     SCHOOL.period_end)
    medical = {"programme": "医疗救助", "department": "医保", "period": "one_off",
               "start": date(2026, 12, 3)}
    assert covered_by_government("medical", [medical], date(2026, 12, 1), date(2026, 12, 31))
    assert not covered_by_government("education", [medical], date(2026, 12, 1),
                                     date(2026, 12, 31))
    housing = {"programme": "租赁补贴", "department": "住建", "start": date(2025, 1, 1)}
    assert covered_by_government("housing_repair", [housing], TODAY, TODAY)
    assert assess(SCHOOL, _row([grant]), [12], TODAY).covered


def test_dates_ages_and_periods() -> None:
    assert as_date(2025) == date(2025, 9, 1) and as_date("2026-03-04T00:00") == date(2026, 3, 4)
    assert as_date("soon") is None and as_date(True) is None
    assert age_on(date(2008, 12, 2), TODAY) == 17 and age_on(date(2008, 12, 1), TODAY) == 18
    assert aid_period({"start": date(2026, 1, 5), "period": "one_off"}) == (
        date(2026, 1, 5), date(2026, 1, 5))
    assert statuses_of(["城市低保;临时救助", "两项补贴"], False) == {"dibao", "disability_subsidy"}


def test_vocabularies_are_checked() -> None:
    assert check_categories(["medical", "education", "medical"]) == ["education", "medical"]
    with pytest.raises(UnknownCategoryError):
        check_categories(["spa"])
    bad = DonationSpec(title=" ", category="spa", region_prefix="3602x",
                       period_start=date(2027, 1, 1), period_end=date(2026, 1, 1), quantity=0,
                       age_min=20, age_max=10, household_types=("castle",))
    with pytest.raises(InvalidDonationError) as caught:
        validate_spec(bad)
    message = str(caught.value)
    for part in ("category", "region", "title", "period", "quantity", "age", "household"):
        assert part in message
    assert validate_spec(SCHOOL).household_types == ("rural",)
