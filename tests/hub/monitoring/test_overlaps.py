"""The pre-grant check says whether and which programme — nothing more."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from hub.monitoring import overlaps
from hub.monitoring.overlap import OverlapAnswer, ProgrammeHit, answer_overlaps, is_current
from hub.store import Store
from tests.hub.monitoring.truth import TruthMap

AS_OF = date(2026, 10, 31)


@pytest.mark.neo4j
def test_person_in_two_exclusive_programmes(sample: Store, truth: TruthMap) -> None:
    person = truth.person["P0000088"]  # 特困 and a member of a 低保 family (A00006)
    answer = overlaps(sample, person_id=person, as_of=AS_OF, programme="城市低保")
    assert answer.person_found and answer.receiving
    own = {(h.programme, h.department) for h in answer.programmes if h.via == "self"}
    assert {("特困供养", "民政"), ("城市低保", "民政")} <= own
    assert "特困供养" in answer.conflicts


@pytest.mark.neo4j
def test_lookup_by_blind_index_and_unknown(sample: Store, truth: TruthMap) -> None:
    person = truth.person["P0000088"]
    bi = sample.read("MATCH (p:Person {person_id: $p}) RETURN p.bi_id AS bi", p=person)[0]["bi"]
    by_index = overlaps(sample, bi_id=bi, as_of=AS_OF)
    assert by_index.person_id == person
    assert overlaps(sample, person_id="P-none", as_of=AS_OF) == OverlapAnswer(False)
    with pytest.raises(ValueError):
        overlaps(sample, person_id=person, bi_id=bi, as_of=AS_OF)


def test_answer_holds_programmes_only() -> None:
    names = {f.name for f in dataclasses.fields(OverlapAnswer)}
    assert names == {"person_found", "person_id", "receiving", "programmes", "conflicts",
                     "person_region"}
    assert {f.name for f in dataclasses.fields(ProgrammeHit)} == {"programme", "department",
                                                                   "via", "region_code"}


def test_health_revealing_names_are_generalised() -> None:
    row = {"person_id": "P1", "own": [
        {"programme": "重度残疾人护理补贴", "department": "残联", "period": "monthly",
         "start": date(2024, 1, 1), "end": None}],
        "household": [{"programme": "租赁补贴", "department": "住建", "period": "monthly",
                       "start": date(2026, 1, 5), "end": None}]}
    answer = answer_overlaps(row, AS_OF, "公租房实物配租")
    assert [h.programme for h in answer.programmes] == ["残疾人两项补贴", "租赁补贴"]
    assert answer.conflicts == ["租赁补贴"]
    assert answer.receiving


def test_current_periods() -> None:
    monthly = {"department": "民政", "period": "monthly", "start": date(2026, 1, 1)}
    assert is_current({**monthly, "end": None}, AS_OF)
    assert is_current({**monthly, "end": date(2026, 10, 1)}, AS_OF)
    assert not is_current({**monthly, "end": date(2026, 9, 1)}, AS_OF)
    assert not is_current({**monthly, "start": date(2026, 11, 1), "end": None}, AS_OF)
    assert is_current({"period": "yearly", "start": 2026}, AS_OF)
    assert not is_current({"period": "yearly", "start": 2025}, AS_OF)
    assert not is_current({"period": "one_off", "start": AS_OF, "end": AS_OF}, AS_OF)
