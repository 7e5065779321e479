"""A household's consent: matched as one unit, its head's contact released on acceptance,
and its members not offered again for the same need (services on the real Neo4j)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hub import charity as svc
from hub.config import Settings
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.resolvers import charity_scenario as sc

pytestmark = pytest.mark.neo4j
REGION = "360222"
HEAD = """
MATCH (p:Person)-[:MEMBER_OF {relation: '户主', status: '正常'}]->
      (:Household {household_id: $hh})
RETURN p.person_id AS person_id, p.enc_name AS name
"""
SPEC = svc.DonationSpec(title="coal", category="winter_heating", region_prefix="3602",
                        period_start=date(2026, 11, 1), period_end=date(2027, 3, 31),
                        quantity=5, programme_statuses=("dibao",))


def _consent(store: Store, kind: str, subject: str) -> str:
    return svc.record_consent(
        store, subject_kind=kind, subject_id=subject, purpose="charity_matching",
        grantee=sc.CHARITY, expires_at=datetime.now(UTC) + timedelta(days=30),
        evidence_ref="HH-FORM-1", recorded_by="cw", regions=[REGION]).consent_id


def test_household_consent_matches_the_household_and_discloses_its_head(
        settings: Settings, linked_sample: Store) -> None:
    sc.clear(linked_sample)
    kit = open_privacy(settings)
    try:
        person = sc.recipients(linked_sample, kit, REGION, 1)[0]
        household_consent = _consent(linked_sample, "household", person.household_id)
        svc.register_charity(linked_sample, charity_id=sc.CHARITY, name="t", registered_by="cw")
        first = svc.publish_donation(linked_sample, charity_id=sc.CHARITY, spec=SPEC)
        result = svc.donation_matches(linked_sample, kit.encryptor, first.donation_id,
                                      charity_id=sc.CHARITY, regions=[REGION])
        [match] = [m for m in result.matches if m.subject_id == person.household_id]
        assert match.subject_kind == "household" and match.household_size >= 1
        svc.confirm_referral(linked_sample, match.token, confirmed_by="cw", regions=[REGION])
        svc.record_decision(linked_sample, match.token, accepted=True, evidence_ref="ANS-1",
                            decided_by="cw", regions=[REGION])
        contact = svc.disclose_contact(linked_sample, kit.encryptor, match.token,
                                       charity_id=sc.CHARITY)
        head = linked_sample.read(HEAD, hh=person.household_id)[0]
        assert contact.name == kit.encryptor.decrypt(head["name"], label="Person",
                                                     record_key=head["person_id"],
                                                     field="name")
        # a member's own consent does not get them a second donation for the same need
        _consent(linked_sample, "person", person.person_id)
        second = svc.publish_donation(linked_sample, charity_id=sc.CHARITY, spec=SPEC)
        again = svc.donation_matches(linked_sample, kit.encryptor, second.donation_id,
                                     charity_id=sc.CHARITY, regions=[REGION])
        assert person.person_id not in {m.subject_id for m in again.matches}
        assert again.excluded_already_matched >= 1
        # revoking the household's consent ends the disclosure
        svc.revoke_consent(linked_sample, household_consent, revoked_by="cw", regions=[REGION])
        with pytest.raises(svc.ReferralNotFoundError):
            svc.disclose_contact(linked_sample, kit.encryptor, match.token,
                                 charity_id=sc.CHARITY)
    finally:
        sc.clear(linked_sample)
