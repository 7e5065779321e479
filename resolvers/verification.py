"""``verifyHousehold``: household economic-status verification (家庭经济状况核对) over the API.

Purpose ``verification`` only (any other purpose is refused, because only that purpose
carries the household-consent requirement), for roles the policy allows (verifiers,
caseworkers). The applicant's household must have given a consent for verification to the
caller's organisation, in force now (missing, expired or revoked: refused, fail closed),
and lie in the caller's jurisdiction. The answer is the determination of ``hub.rules``
with every rule applied, the numbers compared and their source records; field access is
decided per field by ``privacy.policy`` (health flags stay hidden from verifiers) and
audited with the consent id.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON
from strawberry.types import Info

from hub.api.field_policy import action_of
from hub.consent_service import (
    OutOfJurisdictionError,
    SubjectNotFoundError,
    check_jurisdiction,
)
from hub.rules import ApplicantNotFoundError, Determination, MissingStandardError, Verifier
from hub.rules.model import MemberResult, Source, Step
from hub.rules.report import determination_dict, to_html, to_json
from privacy import ConsentDeniedError, DataSubject, Purpose
from resolvers.context import HubContext
from resolvers.permissions import PurposeAllowed, purpose_required


@strawberry.enum(description="Export format of a verification report.")
class ReportFormat(Enum):
    JSON = "json"
    HTML = "html"


@strawberry.type(name="VerificationSource",
                 description="A department's record a number came from.")
class SourceRecordType:
    department: str
    record_id: str
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="One rule applied: what it checked, the numbers, the sources.")
class RuleStep:
    rule: str
    description: str
    outcome: str
    values: JSON = strawberry.field(description="The numbers the rule compared.")
    sources: list[SourceRecordType]
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="A member's amount (a supplement or a 单人户 allowance).")
class MemberAmount:
    person_id: str
    amount: Decimal
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="A household figure used by the rules (name → value).")
class Figure:
    name: str
    value: str
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="A member's figures in the determination (by hub person id).")
class VerifiedMember:
    person_id: str
    relation: str | None
    age: int | None
    monthly_income: Decimal | None
    income_basis: str | None
    severe_disability: bool | None
    serious_illness: bool | None
    labour_capacity: str | None
    legal_supporters: list[str]
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(description="The determination of a household verification, explained.")
class HouseholdVerification:
    household_id: str
    as_of: date
    region_code: str | None
    urban_rural: str | None
    ruleset: str
    category: str = strawberry.field(description="低保, 低保边缘, 刚性支出困难, 特困, 不符合.")
    phase_out: bool
    monthly_amount: Decimal | None
    per_capita_income: Decimal | None
    figures: list[Figure]
    supplements: list[MemberAmount] = strawberry.field(description="分类施保 by member.")
    single_person_members: list[MemberAmount] = strawberry.field(
        description="Members covered alone (单人户) in a 低保边缘 household.")
    tekun_person_ids: list[str]
    asset_issues: list[str]
    members: list[VerifiedMember]
    steps: list[RuleStep]
    consent_id: str
    audit_subject: strawberry.Private[DataSubject]
    determination: strawberry.Private[Determination]

    @strawberry.field(description="The report for the case file (JSON, or printable HTML).")
    def report(self, format: ReportFormat = ReportFormat.JSON) -> str:
        return to_html(self.determination) if format is ReportFormat.HTML else to_json(
            self.determination)

    @classmethod
    def build(cls, d: Determination, subject: DataSubject, consent_id: str
              ) -> HouseholdVerification:
        """The GraphQL view of a determination; every part carries the household subject."""
        plain = determination_dict(d)
        return cls(
            household_id=d.household_id, as_of=d.as_of, region_code=d.region_code,
            urban_rural=d.urban_rural, ruleset=d.ruleset, category=d.category,
            phase_out=d.phase_out, monthly_amount=d.monthly_amount,
            per_capita_income=_decimal(d.figures.get("per_capita_income")),
            figures=[Figure(name=k, value=str(v), audit_subject=subject)
                     for k, v in plain["figures"].items()],
            supplements=_amounts(d.supplements, subject),
            single_person_members=_amounts(d.single_person, subject),
            tekun_person_ids=list(d.tekun_person_ids), asset_issues=list(d.asset_issues),
            members=[_member(m, subject) for m in d.members],
            steps=[_step(s, v["values"], subject) for s, v in zip(d.steps, plain["steps"],
                                                                   strict=True)],
            consent_id=consent_id,
            audit_subject=subject, determination=d)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _amounts(by_person: dict[str, Decimal], subject: DataSubject) -> list[MemberAmount]:
    return [MemberAmount(person_id=p, amount=a, audit_subject=subject)
            for p, a in sorted(by_person.items())]


def _member(m: MemberResult, subject: DataSubject) -> VerifiedMember:
    return VerifiedMember(
        person_id=m.person_id, relation=m.relation, age=m.age, monthly_income=m.income,
        income_basis=m.income_basis, severe_disability=m.severe_disability,
        serious_illness=m.serious_illness, labour_capacity=m.labour_capacity,
        legal_supporters=list(m.legal_supporters), audit_subject=subject)


def _source(s: Source, subject: DataSubject) -> SourceRecordType:
    return SourceRecordType(department=s.department, record_id=s.record_id,
                            audit_subject=subject)


def _step(s: Step, values: dict[str, Any], subject: DataSubject) -> RuleStep:
    """A rule step; ``values`` are its JSON-ready numbers, as the report prints them."""
    return RuleStep(rule=s.rule, description=s.description, outcome=s.outcome, values=values,
                    sources=[_source(x, subject) for x in s.sources], audit_subject=subject)


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _verifier(ctx: HubContext) -> Verifier:
    if ctx.kit is None:
        raise _error("verification is not configured on this server", "UNAVAILABLE")
    return Verifier(ctx.store, ctx.kit)


async def resolve_verify_household(info: Info[HubContext, None], applicant: str,
                                   as_of: date | None = None) -> HouseholdVerification:
    """Verify the applicant's household: jurisdiction, consent, then gather and decide."""
    ctx = info.context
    action = action_of(info)
    verifier = _verifier(ctx)
    day = as_of or date.today()
    try:
        household_id = await run_in_threadpool(verifier.household_of, applicant)
    except ApplicantNotFoundError as exc:
        ctx.access.note_denial(action, "applicant_not_found")
        raise _error(str(exc), "NOT_FOUND") from None
    subject = DataSubject("household", household_id, household_id=household_id)
    try:  # jurisdiction first: nothing about the household is read for an outsider
        await run_in_threadpool(check_jurisdiction, ctx.store, "household", household_id,
                                ctx.regions)
    except (OutOfJurisdictionError, SubjectNotFoundError):
        ctx.access.note_denial(action, "out_of_jurisdiction", subject)
        raise _error("the household is outside your jurisdiction", "FORBIDDEN") from None
    try:
        consent = await ctx.access.require_consent(subject, action=action)
    except ConsentDeniedError as exc:
        raise _error("no consent in force from this household for verification by your "
                     f"organisation ({exc.reason})", "CONSENT_REQUIRED") from None
    facts = (await run_in_threadpool(verifier.gather, [household_id])).get(household_id)
    if facts is None:
        raise _error("no such household", "NOT_FOUND")
    try:
        determination = verifier.decide(facts, day)
    except MissingStandardError as exc:
        raise _error(str(exc), "NO_STANDARD") from None
    subject = DataSubject("household", household_id, household_id=household_id,
                          region_code=facts.region_code)
    if consent is not None:
        ctx.access.remember_consent(subject, consent, action=action)
    return HouseholdVerification.build(determination, subject,
                                       consent.consent_id if consent is not None else "")


verify_household_field = strawberry.field(
    resolver=resolve_verify_household,
    permission_classes=[PurposeAllowed, purpose_required(Purpose.VERIFICATION)],
    description="Verify an applicant's household (ID number or person id) on `asOf` "
                "(default today); needs the household's consent for verification.")


@strawberry.type
class VerificationQuery:
    verify_household: HouseholdVerification = verify_household_field
