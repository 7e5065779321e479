"""Validation of a department's aid report: every bad field named, no value echoed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hub.ingest.aid_report import AidReport, validate

GOOD = AidReport(id_number="659001198001011230", record_id="YB-2026-0001",
                 programme="医疗救助", amount=1200.5, period="one_off",
                 start=date(2026, 11, 2), region_code="659001")


def test_a_well_formed_report_has_no_problems() -> None:
    assert validate(GOOD) == []
    assert validate(replace(GOOD, end=date(2026, 11, 2), period="monthly")) == []


def test_every_bad_field_is_reported_together() -> None:
    bad = replace(GOOD, record_id="bad id with spaces", programme="", amount=-1.0,
                  period="weekly", region_code="6590", end=date(2026, 1, 1))
    problems = validate(bad)
    assert [p.split(":")[0] for p in problems] == [
        "recordId", "programme", "amount", "period", "regionCode", "end"]
    assert not any("bad id" in p or "6590" in p or "weekly" in p for p in problems)


def test_amounts_are_bounded() -> None:
    assert validate(replace(GOOD, amount=0.0)) == []
    assert [p.split(":")[0] for p in validate(replace(GOOD, amount=1e9))] == ["amount"]
