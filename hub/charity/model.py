"""Charity-matching values and errors.

Exception tree (all :class:`~hub.errors.HubError`; messages are safe to show a caller and
never carry a person's id, name or any other personal value)::

    CharityError
    ├── CharityNotRegisteredError   the caller's organisation is not a registered charity
    ├── DonationNotFoundError       no such donation, or not the caller's
    ├── InvalidDonationError        a donation or referral input is malformed
    ├── ReferralNotFoundError       no referral with that token (or not visible to the caller)
    └── ReferralStateError          the referral cannot move to the requested state now
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hub.errors import HubError
from privacy import ConsentRecord

ANY_CHARITY = "*"
"""Consent grantee meaning "any registered charity" (purpose ``charity_matching`` only)."""

PENDING = ("proposed", "confirmed")
"""Referral states a consent revocation withdraws."""
FUNDED = ("confirmed", "accepted")
"""Referral states that count as matched for a need (no second donation for it)."""


class CharityError(HubError):
    """A charity-matching request was refused."""

    code = "BAD_INPUT"


class CharityNotRegisteredError(CharityError):
    """The caller's organisation is not a registered, active charity."""

    code = "FORBIDDEN"


class DonationNotFoundError(CharityError):
    """No donation with that id belongs to the caller."""

    code = "NOT_FOUND"


class InvalidDonationError(CharityError, ValueError):
    """A donation or referral input is malformed (the message names the field)."""


class ReferralNotFoundError(CharityError):
    """No referral with that token is visible to the caller."""

    code = "NOT_FOUND"


class ReferralStateError(CharityError):
    """The referral's state (or its consent) does not allow the requested step."""

    code = "CONFLICT"


@dataclass(frozen=True, slots=True)
class Charity:
    """A registered charity; ``charity_id`` is the organisation code in its tokens."""

    charity_id: str
    name: str
    registered_at: datetime
    registered_by: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class DonationSpec:
    """What a charity offers and to whom: the recipient profile it funds."""

    title: str
    category: str
    region_prefix: str
    period_start: date
    period_end: date
    quantity: int
    amount_per_recipient: float | None = None
    age_min: int | None = None
    age_max: int | None = None
    household_types: tuple[str, ...] = ()
    programme_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Donation:
    """A published donation with its id, owner and how many places are taken."""

    donation_id: str
    charity_id: str
    spec: DonationSpec
    published_at: datetime
    allocated: int = 0


@dataclass(frozen=True, slots=True)
class MatchRow:
    """One fitting recipient as a charity may see it (no personal values) plus, private to
    the hub, whom it is about (for the audit log and consent checks)."""

    token: str
    region_code: str
    category: str
    household_size: int
    reasons: tuple[str, ...]
    score: float
    status: str
    subject_kind: str
    subject_id: str
    household_id: str | None
    consent: ConsentRecord


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Ranked matches of a donation and how many fitting recipients were left out."""

    donation: Donation
    matches: list[MatchRow]
    excluded_government_aid: int = 0
    excluded_already_matched: int = 0


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral as caseworkers see it (subject id included; never shown to charities)."""

    token: str
    status: str
    donation_id: str
    charity_id: str
    category: str
    region_code: str
    subject_kind: str
    subject_id: str
    household_id: str | None
    consent_id: str
    created_at: datetime
    confirmed_at: datetime | None = None
    decided_at: datetime | None = None
    evidence_ref: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """Contact details released to a charity after the recipient accepted."""

    token: str
    charity_id: str
    name: str | None
    phone: str | None
    subject_kind: str
    subject_id: str
    region_code: str
    household_id: str | None
    consent: ConsentRecord
