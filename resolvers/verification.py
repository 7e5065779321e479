"""``verifyHousehold``: household economic-status verification (家庭经济状况核对) over the API.

Purpose ``verification`` only (any other purpose is refused, because only that purpose
carries the household-consent requirement), for roles the policy allows (verifiers,
caseworkers). The applicant's household must have given a consent for verification to the
caller's organisation, in force now (missing, expired or revoked: refused, fail closed),
and lie in the caller's jurisdiction. The answer is the determination of ``hub.rules``
with every rule applied, the numbers compared and their source records; field access is
decided per field by ``privacy.policy`` (health flags stay hidden from verifiers) and
audited with the consent id. The renderings that carry many facts in one value — the
``report`` (JSON or HTML) and ``RuleStep.values`` — pass through the same decisions key by
key (``hub.rules.redact``), so no fact the fields deny reaches the caller another way.

An applicant nobody in the hub matches, one whose household lies outside the caller's
regions, and one whose household has no consent in force for the caller all get the same
answer (``CONSENT_REQUIRED``, one message, after the same lookups): a verifier must not
learn who is in the hub. The audit log keeps the true reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON
from strawberry.types import Info

from hub.api.field_policy import action_of
from hub.rules import (
    ApplicantNotFoundError,
    Determination,
    MissingStandardError,
    RulesetError,
    Verifier,
)
from hub.rules.model import MemberResult, Source, Step
from hub.rules.redact import FieldDecider, memoised, redact
from hub.rules.report import determination_dict, to_html, to_json
from hub.rules.verify import REFUSED, InvalidApplicantError, VerificationRefusedError
from privacy import ConsentDeniedError, DataSubject, Decision, Purpose
from resolvers.context import HubContext
from resolvers.errors import client_error, graphql_error
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
    sources: list[SourceRecordType]
    audit_subject: strawberry.Private[DataSubject]
    raw_values: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The numbers the rule compared, each shown only as far "
                                  "as its own field would be (a denied one is left out).")
    def values(self, info: Info[HubContext, None]) -> JSON:
        return redact(self.raw_values, guard_decider(info, self.audit_subject), "values")


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

    @strawberry.field(description="The report for the case file (JSON, or printable HTML), "
                                  "holding only what the fields would show the caller.")
    def report(self, info: Info[HubContext, None],
               format: ReportFormat = ReportFormat.JSON) -> str:
        decide_field = guard_decider(info, self.audit_subject)
        render = to_html if format is ReportFormat.HTML else to_json
        return render(self.determination, decide_field)

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
    """A rule step; ``values`` are its JSON-ready numbers, redacted when resolved."""
    return RuleStep(rule=s.rule, description=s.description, outcome=s.outcome,
                    raw_values=values, sources=[_source(x, subject) for x in s.sources],
                    audit_subject=subject)


def guard_decider(info: Info[HubContext, None], subject: DataSubject) -> FieldDecider:
    """Decide report keys through the request's guard, as if their fields were asked for:
    the same policy, jurisdiction and consent checks, and audit notes under this action."""
    guard = info.context.access
    action = action_of(info)

    def decide_field(type_name: str, field_name: str) -> Decision:
        return guard.decide_field(type_name, field_name, action=action, subject=subject)

    return memoised(decide_field)


def _verifier(ctx: HubContext) -> Verifier:
    if ctx.kit is None:
        raise client_error("verification is not configured on this server", "UNAVAILABLE")
    return Verifier(ctx.store, ctx.kit)


async def resolve_verify_household(info: Info[HubContext, None], applicant: str,
                                   as_of: date | None = None) -> HouseholdVerification:
    """Verify the applicant's household: jurisdiction, consent, then gather and decide.

    Every refusal but a malformed applicant reads ``CONSENT_REQUIRED`` with one message
    (:data:`REFUSED`); the audit log keeps the true reason.
    """
    ctx = info.context
    action = action_of(info)
    verifier = _verifier(ctx)
    try:
        household_id = await run_in_threadpool(
            lambda: verifier.household_in_reach(applicant, ctx.regions,
                                                grantee=ctx.principal.org))
    except VerificationRefusedError as exc:
        subject = (None if exc.household_id is None else
                   DataSubject("household", exc.household_id, household_id=exc.household_id))
        ctx.access.note_denial(action, exc.reason, subject)  # the true reason, for the log
        raise graphql_error(exc) from None
    except InvalidApplicantError as exc:
        raise graphql_error(exc) from None
    subject = DataSubject("household", household_id, household_id=household_id)
    try:
        consent = await ctx.access.require_consent(subject, action=action)
    except ConsentDeniedError as exc:  # noted with its reason (missing, expired, revoked)
        raise graphql_error(exc, REFUSED) from None
    try:
        determination = await run_in_threadpool(verifier.verify_household_id, household_id,
                                                 as_of or date.today())
    except (ApplicantNotFoundError, MissingStandardError) as exc:
        raise graphql_error(exc) from None
    except RulesetError as exc:
        raise graphql_error(exc, f"{exc}; choose an asOf date a ruleset covers") from None
    subject = DataSubject("household", household_id, household_id=household_id,
                          region_code=determination.region_code)
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
