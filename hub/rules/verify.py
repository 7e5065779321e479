"""The verification service: find the applicant's household, gather, decide, explain.

``verify_household(applicant, as_of)`` accepts a resident ID number (15 or 18 digits, any
of the noise FORMATS.md 2.1 allows) or a hub person id, finds the 户 the person is
registered in (户籍 正常 or 死亡 row), gathers every member's facts in one round trip,
and applies the ruleset in force for the region on the as-of date. Callers (CLI, API)
are responsible for consent, purpose and audit; this layer only reads.

``Verifier.household_in_reach`` is the first step of a verification on someone's behalf:
the applicant's household if it lies in the caller's regions, else one uniform refusal
(:class:`VerificationRefusedError`) whether the applicant is unknown or out of reach, after
the same round trips, so that a verifier cannot learn who is in the hub.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, date, datetime

from graph_schema.queries import verification as q
from hub.errors import HubError
from hub.privacy_graph.consent import (
    OutOfJurisdictionError,
    SubjectNotFoundError,
    check_jurisdiction,
    find_active_consent,
)
from hub.privacy_graph.kit import PrivacyKit
from hub.rules.eligibility import determine
from hub.rules.gather import chunks, gather_households
from hub.rules.model import Determination, HouseholdFacts
from hub.rules.ruleset import RulesetRegistry, default_registry
from hub.store import Store
from privacy import ConsentDeniedError, PrivacyError, Purpose

_PERSON_ID = re.compile(r"P[0-9A-F]{6,}")
REFUSED = ("no consent in force from a household in your jurisdiction covers verifying this "
           "applicant for your organisation")
"""The one answer for an unknown applicant, a household outside the caller's regions, and
a missing, expired or revoked consent (the audit log records which)."""
NOBODY = "HH-no-such-household"
"""Looked up in place of an unknown or out-of-reach household, so that every refusal takes
the same round trips and reads nothing about a real household."""


class ApplicantNotFoundError(HubError):
    """No person or household matches the applicant given.

    Check the ID number (it must pass the GB 11643 checksum) or use ``--person``.
    """

    code = "NOT_FOUND"


class InvalidApplicantError(ApplicantNotFoundError):
    """The applicant is neither a valid resident ID number nor a hub person id.

    Only the format is judged (the GB 11643 checksum is public), never who is in the hub:
    check the digits, or pass a person id (``P`` + hex).
    """

    code = "BAD_INPUT"


class VerificationRefusedError(HubError):
    """The applicant is unknown, or their household lies outside the caller's regions.

    Both get the same message (:data:`REFUSED`), so the refusal says nothing about who is
    in the hub; the caller records the true cause for the audit log.

    Attributes:
        reason: ``applicant_not_found`` or ``out_of_jurisdiction``.
        household_id: The household out of reach (``None`` for an unknown applicant).
    """

    code = "CONSENT_REQUIRED"

    def __init__(self, reason: str, household_id: str | None) -> None:
        super().__init__(REFUSED)
        self.reason = reason
        self.household_id = household_id


class Verifier:
    """Household verification against one graph with one set of rulesets."""

    def __init__(self, store: Store, kit: PrivacyKit,
                 rulesets: RulesetRegistry | None = None) -> None:
        self.store = store
        self.kit = kit
        self.rulesets = rulesets or default_registry()

    def household_of(self, applicant: str) -> str:
        """The household id of an applicant (ID number or person id).

        Raises:
            InvalidApplicantError: not a valid ID number (nor a person id).
            ApplicantNotFoundError: nobody in the graph has it.
        """
        text = applicant.strip()
        if _PERSON_ID.fullmatch(text):
            rows = self.store.read(q.PERSON_BY_ID, person_id=text)
        else:
            try:
                bi_id = self.kit.indexer.id_number(text)
            except PrivacyError as exc:
                raise InvalidApplicantError("not a valid resident ID number or person id"
                                            ) from exc
            rows = self.store.read(q.PERSON_BY_BLIND_ID, bi_id=bi_id)
        found = [r["household_id"] for r in rows if r.get("household_id")]
        if not found:
            raise ApplicantNotFoundError("no registered household for this applicant")
        return found[0]

    def household_in_reach(self, applicant: str, regions: list[str] | None, *,
                           grantee: str) -> str:
        """The household of ``applicant`` if it lies in ``regions``: one the caller may verify.

        Jurisdiction comes first, so nothing about a household is read for an outsider. A
        refusal then looks up a verification consent of ``grantee`` on :data:`NOBODY`, as
        the caller's consent check would for a household in reach, so that an unknown
        applicant, one out of reach and one without consent take the same round trips.

        Args:
            applicant: A resident ID number or a hub person id.
            regions: The caller's region codes (``None``: anywhere).
            grantee: The caller's organisation (whose consent a verification needs).

        Returns:
            The household id.

        Raises:
            InvalidApplicantError: neither a valid ID number nor a person id (only the
                format is judged: the checksum is public).
            VerificationRefusedError: the applicant is unknown or out of reach.
        """
        try:
            household_id = self.household_of(applicant)
        except InvalidApplicantError:
            raise
        except ApplicantNotFoundError:
            household_id = NOBODY
        try:
            check_jurisdiction(self.store, "household", household_id, regions)
        except SubjectNotFoundError:
            raise self._refused("applicant_not_found", None, grantee) from None
        except OutOfJurisdictionError:
            raise self._refused("out_of_jurisdiction", household_id, grantee) from None
        return household_id

    def _refused(self, reason: str, household_id: str | None,
                 grantee: str) -> VerificationRefusedError:
        with suppress(ConsentDeniedError):  # there is none: only the time it takes matters
            find_active_consent(self.store, subject_kind="household", subject_id=NOBODY,
                                purpose=Purpose.VERIFICATION, grantee=grantee,
                                at=datetime.now(UTC), include_household=True)
        return VerificationRefusedError(reason, household_id)

    def gather(self, household_ids: Sequence[str]) -> dict[str, HouseholdFacts]:
        """Facts of several households (one round trip)."""
        return gather_households(self.store, self.kit.encryptor, household_ids)

    def decide(self, facts: HouseholdFacts, as_of: date) -> Determination:
        """Apply the ruleset in force for the household's region on ``as_of``."""
        return determine(facts, self.rulesets.for_region(facts.region_code, as_of), as_of)

    def verify_household_id(self, household_id: str, as_of: date) -> Determination:
        """Verify a household by its hub id.

        Raises:
            ApplicantNotFoundError: no such household.
        """
        facts = self.gather([household_id]).get(household_id)
        if facts is None:
            raise ApplicantNotFoundError("no such household")
        return self.decide(facts, as_of)

    def verify_household(self, applicant: str, as_of: date) -> Determination:
        """Verify the household of an applicant (ID number or person id) on ``as_of``."""
        return self.verify_household_id(self.household_of(applicant), as_of)

    def verify_many(self, household_ids: Sequence[str], as_of: date, *,
                    batch: int = 200) -> dict[str, Determination]:
        """Verify many households, ``batch`` per round trip (bulk checks, agreement runs)."""
        out: dict[str, Determination] = {}
        for part in chunks(list(household_ids), batch):
            for hid, facts in self.gather(part).items():
                out[hid] = self.decide(facts, as_of)
        return out


def verify_household(store: Store, kit: PrivacyKit, applicant: str, as_of: date,
                     rulesets: RulesetRegistry | None = None) -> Determination:
    """Verify the household of ``applicant`` (resident ID number or person id) on ``as_of``.

    Args:
        store: the resolved graph.
        kit: the hub's keys (to open the sealed fields the rules need, in memory only).
        applicant: an 18/15-digit ID number or a ``Person.person_id``.
        as_of: the verification date (standards, ages, windows are taken on it).
        rulesets: rulesets to apply (the shipped ones by default).

    Raises:
        ApplicantNotFoundError: the applicant is unknown.
        hub.rules.eligibility.MissingStandardError: no standard for the region and year.
    """
    return Verifier(store, kit, rulesets).verify_household(applicant, as_of)
