"""Every planted case of the sample is found, nothing else of its type, no near miss."""

from __future__ import annotations

from datetime import date

import pytest

from hub.monitoring import CASE_TYPES, SIGNAL_TYPES, detect
from hub.monitoring.detections import Scope
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store
from tests.hub.monitoring.truth import TruthMap, finding_key, score

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

AS_OF = date(2026, 10, 31)


@pytest.fixture
def findings(sample: Store, kit: PrivacyKit) -> dict[str, list]:
    return detect(sample, kit, Scope(AS_OF))


def test_every_case_found_with_precision(findings: dict[str, list], truth: TruthMap) -> None:
    cases = [f for t in CASE_TYPES for f in findings[t]]
    expected = truth.expected()
    assert {t for t, _ in expected} == set(CASE_TYPES)
    for kind, result in score(expected, cases).items():
        assert result.recall == 1.0, (kind, result)
        assert result.precision >= 0.95, (kind, result)


def test_near_misses_are_not_alerted(findings: dict[str, list], truth: TruthMap) -> None:
    got = {finding_key(f) for items in findings.values() for f in items}
    assert truth.near_miss_keys()
    assert not truth.near_miss_keys() & got


def test_evidence_names_the_proving_records(findings: dict[str, list]) -> None:
    death = findings["still_receiving_after_death"]
    sources = {e.source for f in death for e in f.evidence}
    assert sources == {"minzheng_aid", "gongan_hukou"}
    kin = findings["kin_of_staff"][0]
    assert {e.source for e in kin.evidence} >= {"minzheng_aid", "staff_roster", "gongan_hukou"}
    assert kin.subject_id.endswith("|MZJZ00000016")
    exclusive = findings["exclusive_overlap"][0]
    assert {e.record_id for e in exclusive.evidence} == {
        "MZJZ00000107", "MZJZ00000116", "MZCY00000275"}


def test_missed_eligible_is_routed_by_hardship(findings: dict[str, list]) -> None:
    from hub.monitoring.routing import department_for

    departments = {department_for(f) for f in findings["missed_eligible"]}
    assert departments <= {"残联", "医保"}
    assert departments


def test_signals_are_their_own_types(findings: dict[str, list]) -> None:
    from hub.monitoring.routing import department_for

    for kind, department in zip(SIGNAL_TYPES, ("人社", "教育", "乡村振兴"), strict=True):
        assert all(department_for(f) == department for f in findings[kind])
        assert all(f.programme for f in findings[kind])


def test_region_scope_keeps_only_that_region(sample: Store, kit: PrivacyKit,
                                             findings: dict[str, list]) -> None:
    scoped = detect(sample, kit, Scope(AS_OF, "360222"))
    flat = [f for items in scoped.values() for f in items]
    assert flat
    assert all(f.region_code == "360222" for f in flat)
    everywhere = {f.alert_key for items in findings.values() for f in items
                  if f.region_code == "360222"}
    assert {f.alert_key for f in flat} == everywhere
