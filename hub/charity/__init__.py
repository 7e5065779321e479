"""Charity matching: donations offered to consenting recipients, de-identified, no double
funding (政府救助与慈善帮扶衔接).

The public surface: register charities and publish donations (:mod:`.registry`), rank
matches (:mod:`.matching`), move referrals through confirmation, the recipient's answer
and disclosure (:mod:`.referrals`), record and revoke consent with its charity effects
(:mod:`.consent`).
"""

from hub.charity.categories import NEED_CATEGORIES
from hub.charity.consent import record_consent, revoke_consent
from hub.charity.matching import donation_matches
from hub.charity.model import (
    ANY_CHARITY,
    Charity,
    CharityError,
    CharityNotRegisteredError,
    Contact,
    Donation,
    DonationNotFoundError,
    DonationSpec,
    InvalidDonationError,
    MatchResult,
    MatchRow,
    Referral,
    ReferralNotFoundError,
    ReferralStateError,
)
from hub.charity.referrals import (
    confirm_referral,
    disclose_contact,
    get_referral,
    record_decision,
    referral_queue,
    withdraw_for_consent,
)
from hub.charity.registry import (
    get_charity,
    get_donation,
    list_donations,
    publish_donation,
    register_charity,
)

__all__ = [
    "ANY_CHARITY",
    "NEED_CATEGORIES",
    "Charity",
    "CharityError",
    "CharityNotRegisteredError",
    "Contact",
    "Donation",
    "DonationNotFoundError",
    "DonationSpec",
    "InvalidDonationError",
    "MatchResult",
    "MatchRow",
    "Referral",
    "ReferralNotFoundError",
    "ReferralStateError",
    "confirm_referral",
    "disclose_contact",
    "donation_matches",
    "get_charity",
    "get_donation",
    "get_referral",
    "list_donations",
    "publish_donation",
    "record_consent",
    "record_decision",
    "referral_queue",
    "register_charity",
    "revoke_consent",
    "withdraw_for_consent",
]
