"""``resolvers.errors``: a hub error becomes a GraphQL error with its class's code.

The codes pinned here are the ones the resolvers' hand mappings returned before each
class carried its own; a client must see the same ``extensions.code`` as before.
"""

from __future__ import annotations

import pytest

from hub.api.error_masking import INTERNAL_MESSAGE
from hub.charity import (
    CharityError,
    CharityNotRegisteredError,
    DonationNotFoundError,
    InvalidDonationError,
    ReferralNotFoundError,
    ReferralStateError,
)
from hub.charity.referrals import OutOfJurisdictionReferralError
from hub.errors import HubError, StoreError
from hub.ingest.aid_report import (
    InvalidAidReportError,
    RecipientNotFoundError,
    RecipientOutOfJurisdictionError,
)
from hub.monitoring import AlertNotFoundError, AlertTransitionError
from hub.privacy_graph.consent import (
    ConsentNotFoundError,
    OutOfJurisdictionError,
    SubjectNotFoundError,
)
from hub.resolution.review_api import (
    InvalidDecisionError,
    LinkReviewError,
    PairOutOfJurisdictionError,
    UnknownPairError,
)
from hub.rules import MissingStandardError, RulesetError
from hub.rules.verify import InvalidApplicantError, VerificationRefusedError
from privacy import ConsentDeniedError, InvalidConsentError, PrivacyError
from resolvers.errors import graphql_error

CODES_SEEN_BY_CLIENTS: dict[type[HubError | PrivacyError], str] = {
    CharityError: "BAD_INPUT", CharityNotRegisteredError: "FORBIDDEN",
    DonationNotFoundError: "NOT_FOUND", InvalidDonationError: "BAD_INPUT",
    ReferralNotFoundError: "NOT_FOUND", OutOfJurisdictionReferralError: "NOT_FOUND",
    ReferralStateError: "CONFLICT",
    LinkReviewError: "BAD_INPUT", InvalidDecisionError: "BAD_INPUT",
    UnknownPairError: "NOT_FOUND", PairOutOfJurisdictionError: "FORBIDDEN",
    InvalidConsentError: "BAD_INPUT", SubjectNotFoundError: "NOT_FOUND",
    ConsentNotFoundError: "NOT_FOUND", OutOfJurisdictionError: "FORBIDDEN",
    InvalidAidReportError: "BAD_INPUT", RecipientNotFoundError: "NOT_FOUND",
    RecipientOutOfJurisdictionError: "FORBIDDEN",
    AlertNotFoundError: "NOT_FOUND", AlertTransitionError: "INVALID_TRANSITION",
    InvalidApplicantError: "BAD_INPUT", MissingStandardError: "NO_STANDARD",
    RulesetError: "NO_RULESET", ConsentDeniedError: "CONSENT_REQUIRED",
}


@pytest.mark.parametrize(("cls", "code"), CODES_SEEN_BY_CLIENTS.items(),
                         ids=lambda v: getattr(v, "__name__", v))
def test_each_class_keeps_the_code_clients_saw(cls: type[HubError], code: str) -> None:
    assert cls.code == code


def test_the_error_carries_the_code_and_the_message() -> None:
    error = graphql_error(ReferralStateError("the referral is not confirmed"))
    assert (error.message, error.extensions) == ("the referral is not confirmed",
                                                 {"code": "CONFLICT"})
    assert graphql_error(AlertNotFoundError("x"), "no such alert").message == "no such alert"


def test_an_internal_error_says_nothing_more() -> None:
    error = graphql_error(StoreError("bolt://10.0.0.5:7687 refused"))
    assert (error.message, error.extensions) == (INTERNAL_MESSAGE, {"code": "INTERNAL"})


def test_the_verification_refusal_is_the_uniform_answer() -> None:
    from resolvers.verification import REFUSED

    error = graphql_error(VerificationRefusedError("out_of_jurisdiction", "HH1"))
    assert (error.message, error.extensions) == (REFUSED, {"code": "CONSENT_REQUIRED"})
