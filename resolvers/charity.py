"""Charity matching: the project library, de-identified matches, referrals, disclosure.

Who may call what is the policy's (``privacy.policy``, "charity matching" entries):
charities (purpose ``charity_matching``) publish donations, list the matches of their own
donations — a random referral token, county, need category, household size and reasons,
never a name, ID, phone, address or health detail — and, only for a referral the
recipient accepted under a consent still in force, read the contact it releases (name and
phone; ``owner_org`` = the charity, so the ``own`` rule admits no one else). Caseworkers
(民政, purpose ``aid_administration``, in jurisdiction) register charities, see the
referral queue, confirm referrals and record the recipient's answer with its evidence.
Every match and disclosure is about a data subject (``audit_subject``), so each is an
audit event; the recipient's consent is registered with the request's access guard, so
the field policy denies anything about a recipient without one.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub import charity as svc
from hub.api.field_policy import action_of
from privacy import DataSubject, FieldEncryptor
from resolvers.context import HubContext
from resolvers.errors import client_error, refuse
from resolvers.permissions import PurposeAllowed

MAX_PAGE = 200
NOT_A_CHARITY = "not_a_registered_charity"
"""The audit reason of a refusal: the only ``FORBIDDEN`` charity error is that one."""


@strawberry.type(name="Charity", description="A registered charity (an organisation).")
class CharityType:
    charity_id: str
    name: str
    registered_at: datetime
    active: bool


@strawberry.type(name="Donation", description="A published donation or project.")
class DonationType:
    donation_id: strawberry.ID
    charity_id: str
    title: str
    category: str
    region_prefix: str
    period_start: date
    period_end: date
    quantity: int
    allocated: int
    amount_per_recipient: float | None
    age_min: int | None
    age_max: int | None
    household_types: list[str]
    programme_statuses: list[str]
    published_at: datetime

    @classmethod
    def from_donation(cls, d: svc.Donation) -> DonationType:
        """The GraphQL view of a donation (no personal data)."""
        s = d.spec
        return cls(donation_id=strawberry.ID(d.donation_id), charity_id=d.charity_id,
                   title=s.title, category=s.category, region_prefix=s.region_prefix,
                   period_start=s.period_start, period_end=s.period_end,
                   quantity=s.quantity, allocated=d.allocated,
                   amount_per_recipient=s.amount_per_recipient, age_min=s.age_min,
                   age_max=s.age_max, household_types=list(s.household_types),
                   programme_statuses=list(s.programme_statuses), published_at=d.published_at)


@strawberry.type(name="CharityMatch",
                 description="A fitting, consenting recipient, de-identified.")
class CharityMatchType:
    referral_token: str = strawberry.field(description="Random; refers to nothing else.")
    region_code: str = strawberry.field(description="County-level region code.")
    category: str
    household_size: int
    reasons: list[str]
    score: float
    status: str
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="Ranked matches of a donation and who was left out, counted.")
class DonationMatches:
    donation: DonationType
    matches: list[CharityMatchType]
    excluded_government_aid: int = strawberry.field(
        description="Fitting recipients whose need government aid meets in the period.")
    excluded_already_matched: int = strawberry.field(
        description="Fitting recipients already funded for this need by another donation.")


@strawberry.type(name="ReferralContact",
                 description="Contact details released after the recipient accepted.")
class ReferralContactType:
    referral_token: str
    region_code: str
    name: str | None
    phone: str | None
    audit_subject: strawberry.Private[DataSubject]
    owner_org: strawberry.Private[str]


@strawberry.type(name="Referral", description="A referral as caseworkers handle it.")
class ReferralType:
    referral_token: str
    status: str
    donation_id: str
    charity_id: str
    category: str
    region_code: str
    subject_kind: str
    subject_id: str = strawberry.field(description="person_id or household_id in the hub.")
    consent_id: str
    created_at: datetime
    confirmed_at: datetime | None
    decided_at: datetime | None
    evidence_ref: str
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def from_referral(cls, r: svc.Referral) -> ReferralType:
        """The caseworker's view of a referral, with its subject for the audit log."""
        return cls(referral_token=r.token, status=r.status, donation_id=r.donation_id,
                   charity_id=r.charity_id, category=r.category, region_code=r.region_code,
                   subject_kind=r.subject_kind, subject_id=r.subject_id,
                   consent_id=r.consent_id, created_at=r.created_at,
                   confirmed_at=r.confirmed_at, decided_at=r.decided_at,
                   evidence_ref=r.evidence_ref,
                   audit_subject=DataSubject(r.subject_kind, r.subject_id, r.household_id,
                                             r.region_code))


@strawberry.input(description="A donation or project to publish.")
class DonationInput:
    title: str
    category: str = strawberry.field(description="education, medical, winter_heating, …")
    region: str = strawberry.field(description="County code or a prefix of one.")
    period_start: date
    period_end: date
    quantity: int = strawberry.field(description="How many recipients it can fund.")
    amount_per_recipient: float | None = None
    age_min: int | None = None
    age_max: int | None = None
    household_types: list[str] = strawberry.field(default_factory=list,
                                                  description="urban, rural, single_person")
    programme_statuses: list[str] = strawberry.field(
        default_factory=list, description="dibao, tekun, monitoring, disability_subsidy")


def _encryptor(info: Info[HubContext, None]) -> FieldEncryptor:
    kit = info.context.kit
    if kit is None:
        raise client_error("sealed values cannot be opened here", "UNAVAILABLE")
    return kit.encryptor


def _page(first: int) -> int:
    return max(1, min(first, MAX_PAGE))


async def resolve_donations(info: Info[HubContext, None], first: int = 50) -> list[DonationType]:
    """A registered charity's own donations; everyone else sees the whole library."""
    ctx = info.context
    org = ctx.principal.org

    def load() -> list[svc.Donation]:
        own = svc.get_charity(ctx.store, org) is not None
        return svc.list_donations(ctx.store, charity_id=org if own else None,
                                  limit=_page(first))

    return [DonationType.from_donation(d) for d in await run_in_threadpool(load)]


async def resolve_donation_matches(info: Info[HubContext, None], donation_id: strawberry.ID,
                                   first: int = 20) -> DonationMatches:
    """Rank consenting, fitting recipients of one of the caller's donations."""
    ctx = info.context
    encryptor = _encryptor(info)
    try:
        result = await run_in_threadpool(
            lambda: svc.donation_matches(ctx.store, encryptor, str(donation_id),
                                         charity_id=ctx.principal.org, regions=ctx.regions,
                                         limit=_page(first)))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    matches = []
    for m in result.matches:
        subject = DataSubject(m.subject_kind, m.subject_id, m.household_id, m.region_code)
        ctx.access.remember_consent(subject, m.consent, action=action_of(info))
        matches.append(CharityMatchType(
            referral_token=m.token, region_code=m.region_code, category=m.category,
            household_size=m.household_size, reasons=list(m.reasons), score=m.score,
            status=m.status, audit_subject=subject))
    return DonationMatches(donation=DonationType.from_donation(result.donation),
                           matches=matches,
                           excluded_government_aid=result.excluded_government_aid,
                           excluded_already_matched=result.excluded_already_matched)


async def resolve_referral_contact(info: Info[HubContext, None],
                                   referral_token: str) -> ReferralContactType:
    """The contact an accepted referral releases to its charity (audited per read)."""
    ctx = info.context
    encryptor = _encryptor(info)
    try:
        contact = await run_in_threadpool(
            lambda: svc.disclose_contact(ctx.store, encryptor, referral_token,
                                         charity_id=ctx.principal.org))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    subject = DataSubject(contact.subject_kind, contact.subject_id, contact.household_id,
                          contact.region_code)
    ctx.access.remember_consent(subject, contact.consent, action=action_of(info))
    return ReferralContactType(referral_token=contact.token, region_code=contact.region_code,
                               name=contact.name, phone=contact.phone, audit_subject=subject,
                               owner_org=contact.charity_id)


async def resolve_referral_queue(info: Info[HubContext, None], status: list[str] | None = None,
                                 first: int = 50) -> list[ReferralType]:
    """Referrals in the caller's jurisdiction awaiting a caseworker (or in ``status``)."""
    ctx = info.context
    wanted = tuple(status) if status else ("proposed", "confirmed")
    found = await run_in_threadpool(
        lambda: svc.referral_queue(ctx.store, regions=ctx.regions, statuses=wanted,
                                   limit=_page(first)))
    return [ReferralType.from_referral(r) for r in found]


async def resolve_register_charity(info: Info[HubContext, None], charity_id: str,
                                   name: str) -> CharityType:
    """Register a charity under its organisation code (civil affairs)."""
    ctx = info.context
    try:
        c = await run_in_threadpool(
            lambda: svc.register_charity(ctx.store, charity_id=charity_id, name=name,
                                         registered_by=ctx.principal.subject))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    return CharityType(charity_id=c.charity_id, name=c.name, registered_at=c.registered_at,
                       active=c.active)


async def resolve_publish_donation(info: Info[HubContext, None],
                                   donation: DonationInput) -> DonationType:
    """Publish a donation of the caller's (registered) charity."""
    ctx = info.context
    spec = svc.DonationSpec(
        title=donation.title, category=donation.category, region_prefix=donation.region,
        period_start=donation.period_start, period_end=donation.period_end,
        quantity=donation.quantity, amount_per_recipient=donation.amount_per_recipient,
        age_min=donation.age_min, age_max=donation.age_max,
        household_types=tuple(donation.household_types),
        programme_statuses=tuple(donation.programme_statuses))
    try:
        published = await run_in_threadpool(
            lambda: svc.publish_donation(ctx.store, charity_id=ctx.principal.org, spec=spec))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    return DonationType.from_donation(published)


async def resolve_confirm_referral(info: Info[HubContext, None],
                                   referral_token: str) -> ReferralType:
    """A caseworker confirms a proposed referral in their jurisdiction."""
    ctx = info.context
    try:
        r = await run_in_threadpool(
            lambda: svc.confirm_referral(ctx.store, referral_token,
                                         confirmed_by=ctx.principal.subject,
                                         regions=ctx.regions))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    return ReferralType.from_referral(r)


async def resolve_record_referral_decision(info: Info[HubContext, None], referral_token: str,
                                           accepted: bool, evidence_ref: str) -> ReferralType:
    """Record the recipient's acceptance or refusal, with the evidence reference."""
    ctx = info.context
    try:
        r = await run_in_threadpool(
            lambda: svc.record_decision(ctx.store, referral_token, accepted=accepted,
                                        evidence_ref=evidence_ref,
                                        decided_by=ctx.principal.subject,
                                        regions=ctx.regions))
    except svc.CharityError as exc:
        raise refuse(info, exc, reason=NOT_A_CHARITY) from None
    return ReferralType.from_referral(r)


@strawberry.type
class CharityQuery:
    donations: list[DonationType] = strawberry.field(
        resolver=resolve_donations, permission_classes=[PurposeAllowed],
        description="The donation library (a charity sees its own).")
    donation_matches: DonationMatches = strawberry.field(
        resolver=resolve_donation_matches, permission_classes=[PurposeAllowed],
        description="Consenting, fitting recipients of your donation, de-identified.")
    referral_contact: ReferralContactType = strawberry.field(
        resolver=resolve_referral_contact, permission_classes=[PurposeAllowed],
        description="Contact details of an accepted referral (charities; audited).")
    referral_queue: list[ReferralType] = strawberry.field(
        resolver=resolve_referral_queue, permission_classes=[PurposeAllowed],
        description="Referrals awaiting a caseworker in your jurisdiction.")


@strawberry.type
class CharityMutation:
    register_charity: CharityType = strawberry.mutation(
        resolver=resolve_register_charity, permission_classes=[PurposeAllowed],
        description="Register a charity organisation (civil affairs).")
    publish_donation: DonationType = strawberry.mutation(
        resolver=resolve_publish_donation, permission_classes=[PurposeAllowed],
        description="Publish a donation of your charity.")
    confirm_referral: ReferralType = strawberry.mutation(
        resolver=resolve_confirm_referral, permission_classes=[PurposeAllowed],
        description="Confirm a proposed referral (caseworkers).")
    record_referral_decision: ReferralType = strawberry.mutation(
        resolver=resolve_record_referral_decision, permission_classes=[PurposeAllowed],
        description="Record the recipient's answer to a confirmed referral (caseworkers).")
