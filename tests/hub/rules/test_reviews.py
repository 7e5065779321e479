"""Re-verification schedule: intervals by programme and income stability, anniversaries."""

from __future__ import annotations

from datetime import date

from hub.rules.reviews import add_months, next_review, review_for
from hub.rules.ruleset import default_registry
from tests.hub.rules.rules_helpers import AS_OF, aid, household, job, person

RULES = default_registry().for_region("410502", AS_OF)


def test_month_arithmetic() -> None:
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 1)
    assert next_review(date(2025, 10, 1), 12, AS_OF) == date(2026, 10, 1)
    assert next_review(date(2025, 11, 1), 12, AS_OF) == date(2026, 11, 1)
    assert next_review(date(2026, 4, 1), 6, AS_OF) == date(2026, 10, 1)
    assert next_review(date(2026, 10, 1), 6, AS_OF) == date(2027, 4, 1)


def test_tekun_yearly() -> None:
    p = person(80, income=0)
    aid(p, "特困供养", start=date(2024, 10, 1))
    due = review_for(household(p), AS_OF, RULES)
    assert due is not None
    assert (due.programme, due.interval_months, due.due_date) == ("特困供养", 12,
                                                                  date(2026, 10, 1))
    assert "特困" in due.reason


def test_dibao_unstable_working_age_every_six_months() -> None:
    p = person(40, income=500)
    job(p, 500, status="灵活就业")
    aid(p, "城市低保", start=date(2026, 4, 1))
    due = review_for(household(p), AS_OF, RULES)
    assert due is not None and due.interval_months == 6 and due.due_date == date(2026, 10, 1)
    assert due.unstable_members == (p.person_id,)


def test_dibao_stable_yearly() -> None:
    old, kid = person(65, income=500), person(10, income=0)
    aid(old, "城市低保", start=date(2026, 4, 1))
    due = review_for(household(old, kid), AS_OF, RULES)
    assert due is not None and due.interval_months == 12 and due.working_age_members == ()
    worker = person(40, income=900)
    job(worker, 900)  # a regular job: stable
    aid(worker, "城市低保", start=date(2026, 4, 1))
    due = review_for(household(worker), AS_OF, RULES)
    assert due is not None and due.interval_months == 12


def test_no_current_aid_no_review() -> None:
    p = person(40, income=0)
    aid(p, "城市低保", start=date(2020, 1, 1), end=date(2025, 1, 1))
    assert review_for(household(p), AS_OF, RULES) is None
