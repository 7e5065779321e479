"""Access policy: who may see which class of field, for which purpose — the one decision point.

Two tables, both data:

- :data:`GRAPHQL_FIELD_CLASSES` maps every GraphQL field (``(type, field)``, or
  ``(type, "*")`` for a whole type) to an :class:`AccessClass`. A field without an entry is
  denied; :func:`check_schema_coverage` lists such fields so a test can fail the build.
- :data:`ACCESS_POLICY` maps ``(role, purpose)`` to a rule per access class: ``allow``,
  ``mask``, ``deny`` or ``own`` (allowed on rows the principal's organisation owns, denied
  on others'). Pairs or classes missing from the table are denied (fail closed).
  ``public`` fields (no personal data) are allowed to every authenticated principal.

Purposes carry their legal basis and, where the seeds demand it, a consent requirement
(:data:`PURPOSE_RULES`): household economic verification needs the household's
authorisation, charity matching the recipient's. Consent itself is checked by
``privacy.consent``; jurisdiction (region codes) by :func:`jurisdiction`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from privacy.errors import PrivacyError
from privacy.scan import mask_identifier


class UnknownPurposeError(PrivacyError, ValueError):
    """The declared purpose is not one of :class:`Purpose` (the request is refused)."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(f"unknown purpose; declare one of {', '.join(known)}")


class Role(StrEnum):
    """Roles a token may carry."""

    VERIFIER = "verifier"  # 核对机构: household economic status verification
    CASEWORKER = "caseworker"  # 民政经办: administers aid
    DEPARTMENT = "department"  # another department (医保, 教育 …) feeding / checking aid
    CHARITY = "charity"  # a charity matching donations to consenting recipients
    AUDITOR = "auditor"  # reads the audit log, never personal data
    ADMIN = "admin"  # operates the hub: consents, audit; never personal data


class Purpose(StrEnum):
    """Purposes a request may declare (``X-Purpose``)."""

    VERIFICATION = "verification"
    AID_ADMINISTRATION = "aid_administration"
    OVERLAP_CHECK = "overlap_check"
    MONITORING = "monitoring"
    CHARITY_MATCHING = "charity_matching"
    AUDIT = "audit"


class AccessClass(StrEnum):
    """Classes of GraphQL fields, by what they reveal."""

    PUBLIC = "public"  # nothing personal: health, the caller's own principal
    REFERENCE = "reference"  # pseudonymous keys (person_id, household_id), region codes
    IDENTIFIER = "identifier"  # ID number, birth date, certificate numbers
    NAME = "name"
    CONTACT = "contact"  # phone, address
    FINANCIAL = "financial"  # assets, incomes, balances, accounts
    HEALTH = "health"  # illness, disability detail
    FREE_TEXT = "free_text"  # caseworker notes
    AID_PROGRAMME = "aid_programme"  # whether and which programme, department, period
    AID_AMOUNT = "aid_amount"  # how much
    RELATION = "relation"  # household membership, support duties
    CONSENT = "consent"  # consent records (who consented to what; no personal values)
    CONSENT_ADMIN = "consent_admin"  # recording and revoking consent
    AUDIT = "audit"  # audit events (pseudonymous by construction)
    MATCH_PROFILE = "match_profile"  # a de-identified charity match: random token, county,
    # need category, household size, reasons; the only personal class charities get
    AID_REPORT = "aid_report"  # feeding back aid one's own organisation granted
    LINK_REVIEW = "link_review"  # entity-resolution review: record keys, weights, decisions


class Rule(StrEnum):
    """A cell of :data:`ACCESS_POLICY`."""

    ALLOW = "allow"
    MASK = "mask"
    DENY = "deny"
    OWN = "own"  # allow on rows owned by the principal's organisation, deny on others'


class Effect(StrEnum):
    """The outcome of a decision for one field value."""

    ALLOW = "allow"
    MASK = "mask"
    DENY = "deny"


PERSONAL_CLASSES = frozenset(AccessClass) - {
    AccessClass.PUBLIC, AccessClass.CONSENT, AccessClass.CONSENT_ADMIN, AccessClass.AUDIT,
}
"""Classes about a data subject: consent-gated where the purpose needs it, and audited."""

NATIONAL_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
"""Roles without a regional limit (they never see personal data)."""


class Actor(Protocol):
    """What the policy needs to know about a principal (``hub.auth.Principal`` fits)."""

    @property
    def org(self) -> str: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def regions(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """Legal basis of a purpose and whose consent it needs (``None``: none needed)."""

    legal_basis: str
    consent_from: str | None = None  # "household" or "person"


PURPOSE_RULES: Mapping[Purpose, PurposeRule] = {
    Purpose.VERIFICATION: PurposeRule(
        "社会救助暂行办法: 家庭经济状况核对 with the household's written authorisation",
        consent_from="household"),
    Purpose.AID_ADMINISTRATION: PurposeRule("社会救助暂行办法: administration of granted aid"),
    Purpose.OVERLAP_CHECK: PurposeRule("一户一条救助链: departments' aid feedback"),
    Purpose.MONITORING: PurposeRule("低收入人口动态监测: cross-department monitoring"),
    Purpose.CHARITY_MATCHING: PurposeRule(
        "政府救助与慈善帮扶衔接: with the recipient's consent", consent_from="person"),
    Purpose.AUDIT: PurposeRule("supervision of the hub: audit log review"),
}

_C = AccessClass
_A, _M, _D, _O = Rule.ALLOW, Rule.MASK, Rule.DENY, Rule.OWN

_VERIFY = {_C.REFERENCE: _A, _C.IDENTIFIER: _M, _C.NAME: _A, _C.CONTACT: _D, _C.FINANCIAL: _A,
           _C.HEALTH: _D, _C.FREE_TEXT: _D, _C.AID_PROGRAMME: _A, _C.AID_AMOUNT: _A,
           _C.RELATION: _A, _C.CONSENT: _A}
_OVERLAP = {_C.REFERENCE: _A, _C.IDENTIFIER: _M, _C.NAME: _M, _C.CONTACT: _D, _C.FINANCIAL: _D,
            _C.HEALTH: _D, _C.FREE_TEXT: _D, _C.AID_PROGRAMME: _A, _C.AID_AMOUNT: _O,
            _C.RELATION: _D}
_AUDIT_ONLY = {_C.AUDIT: _A, _C.CONSENT: _A}

ACCESS_POLICY: Mapping[tuple[Role, Purpose], Mapping[AccessClass, Rule]] = {
    (Role.VERIFIER, Purpose.VERIFICATION): _VERIFY,
    (Role.CASEWORKER, Purpose.VERIFICATION): {**_VERIFY, _C.CONSENT_ADMIN: _A},
    (Role.CASEWORKER, Purpose.AID_ADMINISTRATION): {
        _C.REFERENCE: _A, _C.IDENTIFIER: _A, _C.NAME: _A, _C.CONTACT: _A, _C.FINANCIAL: _A,
        _C.HEALTH: _A, _C.FREE_TEXT: _A, _C.AID_PROGRAMME: _A, _C.AID_AMOUNT: _A,
        _C.RELATION: _A, _C.CONSENT: _A, _C.CONSENT_ADMIN: _A, _C.AID_REPORT: _A,
        _C.LINK_REVIEW: _A, _C.MATCH_PROFILE: _A},
    (Role.CASEWORKER, Purpose.MONITORING): {
        _C.REFERENCE: _A, _C.IDENTIFIER: _M, _C.NAME: _A, _C.CONTACT: _D, _C.FINANCIAL: _M,
        _C.HEALTH: _M, _C.FREE_TEXT: _D, _C.AID_PROGRAMME: _A, _C.AID_AMOUNT: _A,
        _C.RELATION: _A},
    (Role.CASEWORKER, Purpose.OVERLAP_CHECK): _OVERLAP,
    (Role.DEPARTMENT, Purpose.OVERLAP_CHECK): {**_OVERLAP, _C.AID_REPORT: _A},
    (Role.DEPARTMENT, Purpose.MONITORING): {**_OVERLAP, _C.HEALTH: _O},
    # a charity never sees identifiers, health details or even masked names/phones; name
    # and phone only on rows it owns: the contact of a referral its recipient accepted.
    # No hub keys (person/household ids, provenance) and no aid history either: its
    # matches are a class of their own (match_profile: random token, county, need …)
    (Role.CHARITY, Purpose.CHARITY_MATCHING): {
        _C.REFERENCE: _D, _C.IDENTIFIER: _D, _C.NAME: _O, _C.CONTACT: _O, _C.FINANCIAL: _D,
        _C.HEALTH: _D, _C.FREE_TEXT: _D, _C.AID_PROGRAMME: _D, _C.AID_AMOUNT: _D,
        _C.RELATION: _D, _C.MATCH_PROFILE: _A},
    (Role.AUDITOR, Purpose.AUDIT): _AUDIT_ONLY,
    (Role.ADMIN, Purpose.AUDIT): _AUDIT_ONLY,
    (Role.ADMIN, Purpose.AID_ADMINISTRATION): {_C.CONSENT: _A, _C.CONSENT_ADMIN: _A},
}
"""Role × purpose × access class → rule. Absent pairs and classes are denied."""

GRAPHQL_FIELD_CLASSES: Mapping[tuple[str, str], AccessClass] = {
    # root fields of this layer
    ("Query", "health"): _C.PUBLIC,
    ("Query", "me"): _C.PUBLIC,
    ("Query", "auditEvents"): _C.AUDIT,
    ("Mutation", "recordConsent"): _C.CONSENT_ADMIN,
    ("Mutation", "revokeConsent"): _C.CONSENT_ADMIN,
    ("Health", "*"): _C.PUBLIC,
    ("Principal", "*"): _C.PUBLIC,
    ("AuditEvent", "*"): _C.AUDIT,
    ("AuditEventPage", "*"): _C.AUDIT,
    ("Consent", "*"): _C.CONSENT,
    # the linked graph: root fields and person / household / aid chain types
    ("Query", "person"): _C.REFERENCE,
    ("Query", "household"): _C.REFERENCE,
    ("Query", "aidChain"): _C.AID_PROGRAMME,
    ("Query", "sourceRecords"): _C.REFERENCE,
    ("Mutation", "reportAid"): _C.AID_REPORT,
    ("Person", "personId"): _C.REFERENCE,
    ("Person", "regionCode"): _C.REFERENCE,
    ("Person", "householdId"): _C.REFERENCE,
    ("Person", "idNumber"): _C.IDENTIFIER,
    ("Person", "birthDate"): _C.IDENTIFIER,
    ("Person", "sex"): _C.IDENTIFIER,
    ("Person", "status"): _C.IDENTIFIER,
    ("Person", "name"): _C.NAME,
    ("Person", "phone"): _C.CONTACT,
    ("Person", "address"): _C.CONTACT,
    ("Person", "aidChain"): _C.AID_PROGRAMME,
    ("Person", "sourceRecords"): _C.REFERENCE,
    ("Household", "householdId"): _C.REFERENCE,
    ("Household", "regionCode"): _C.REFERENCE,
    ("Household", "urbanRural"): _C.REFERENCE,
    ("Household", "township"): _C.REFERENCE,
    ("Household", "address"): _C.CONTACT,
    ("Household", "members"): _C.RELATION,
    ("Household", "aid"): _C.AID_PROGRAMME,
    ("Household", "assets"): _C.FINANCIAL,
    ("Member", "person"): _C.RELATION,
    ("Member", "relation"): _C.RELATION,
    ("Member", "status"): _C.RELATION,
    ("Member", "supporters"): _C.RELATION,
    ("Supporter", "*"): _C.RELATION,
    ("AidRecord", "recordKey"): _C.REFERENCE,
    ("AidRecord", "personId"): _C.REFERENCE,
    ("AidRecord", "regionCode"): _C.REFERENCE,
    ("AidRecord", "programme"): _C.AID_PROGRAMME,
    ("AidRecord", "department"): _C.AID_PROGRAMME,
    ("AidRecord", "period"): _C.AID_PROGRAMME,
    ("AidRecord", "start"): _C.AID_PROGRAMME,
    ("AidRecord", "end"): _C.AID_PROGRAMME,
    ("AidRecord", "link"): _C.AID_PROGRAMME,
    ("AidRecord", "amount"): _C.AID_AMOUNT,
    ("Asset", "*"): _C.FINANCIAL,
    ("SourceRecord", "*"): _C.REFERENCE,
    ("Disability", "level"): _C.HEALTH,
    ("Disability", "category"): _C.HEALTH,
    ("Illness", "*"): _C.HEALTH,
    ("IncomeRecord", "*"): _C.FINANCIAL,
    # link review and explanations (entity resolution)
    ("Query", "linkReviewQueue"): _C.LINK_REVIEW,
    ("Query", "explainLink"): _C.LINK_REVIEW,
    ("Mutation", "decideLinkReview"): _C.LINK_REVIEW,
    ("ReviewPair", "*"): _C.LINK_REVIEW,
    ("LinkExplanation", "*"): _C.LINK_REVIEW,
    ("ComparisonWeight", "*"): _C.LINK_REVIEW,
    # verification (家庭经济状况核对)
    ("Query", "verifyHousehold"): _C.FINANCIAL,
    ("HouseholdVerification", "householdId"): _C.REFERENCE,
    ("HouseholdVerification", "asOf"): _C.REFERENCE,
    ("HouseholdVerification", "regionCode"): _C.REFERENCE,
    ("HouseholdVerification", "urbanRural"): _C.REFERENCE,
    ("HouseholdVerification", "ruleset"): _C.REFERENCE,
    ("HouseholdVerification", "category"): _C.AID_PROGRAMME,
    ("HouseholdVerification", "phaseOut"): _C.AID_PROGRAMME,
    ("HouseholdVerification", "tekunPersonIds"): _C.AID_PROGRAMME,
    ("HouseholdVerification", "monthlyAmount"): _C.AID_AMOUNT,
    ("HouseholdVerification", "supplements"): _C.AID_AMOUNT,
    ("HouseholdVerification", "singlePersonMembers"): _C.AID_AMOUNT,
    ("HouseholdVerification", "perCapitaIncome"): _C.FINANCIAL,
    ("HouseholdVerification", "figures"): _C.FINANCIAL,
    ("HouseholdVerification", "assetIssues"): _C.FINANCIAL,
    ("HouseholdVerification", "steps"): _C.FINANCIAL,
    ("HouseholdVerification", "report"): _C.FINANCIAL,
    ("HouseholdVerification", "members"): _C.RELATION,
    ("HouseholdVerification", "consentId"): _C.CONSENT,
    ("Figure", "*"): _C.FINANCIAL,
    ("RuleStep", "*"): _C.FINANCIAL,
    ("RuleStep", "sources"): _C.REFERENCE,
    ("VerificationSource", "*"): _C.REFERENCE,
    ("MemberAmount", "personId"): _C.REFERENCE,
    ("MemberAmount", "amount"): _C.AID_AMOUNT,
    ("VerifiedMember", "personId"): _C.REFERENCE,
    ("VerifiedMember", "relation"): _C.RELATION,
    ("VerifiedMember", "legalSupporters"): _C.RELATION,
    ("VerifiedMember", "age"): _C.IDENTIFIER,
    ("VerifiedMember", "monthlyIncome"): _C.FINANCIAL,
    ("VerifiedMember", "incomeBasis"): _C.FINANCIAL,
    ("VerifiedMember", "severeDisability"): _C.HEALTH,
    ("VerifiedMember", "seriousIllness"): _C.HEALTH,
    ("VerifiedMember", "labourCapacity"): _C.HEALTH,
    # monitoring alerts and overlap checks
    ("Query", "monitoringAlerts"): _C.AID_PROGRAMME,
    ("Query", "overlaps"): _C.AID_PROGRAMME,
    ("Mutation", "updateAlertStatus"): _C.AID_PROGRAMME,
    ("AlertPage", "*"): _C.REFERENCE,
    ("AlertPage", "alerts"): _C.AID_PROGRAMME,
    ("MonitoringAlert", "*"): _C.REFERENCE,
    ("MonitoringAlert", "type"): _C.AID_PROGRAMME,
    ("MonitoringAlert", "status"): _C.AID_PROGRAMME,
    ("MonitoringAlert", "department"): _C.AID_PROGRAMME,
    ("MonitoringAlert", "programme"): _C.AID_PROGRAMME,
    ("MonitoringAlert", "hardship"): _C.HEALTH,
    ("MonitoringAlert", "detail"): _C.HEALTH,
    ("MonitoringAlert", "reason"): _C.FREE_TEXT,
    ("AlertSource", "*"): _C.REFERENCE,
    ("OverlapCheck", "*"): _C.AID_PROGRAMME,
    ("OverlapCheck", "personFound"): _C.REFERENCE,
    ("OverlapCheck", "personId"): _C.REFERENCE,
    ("OverlapProgramme", "*"): _C.AID_PROGRAMME,
    # charity matching: the donation library is not personal; a match is de-identified
    # (random token, county, category, size, reasons: match_profile, the one personal
    # class a charity gets); a referral's subject id is for caseworkers only; contact
    # details are NAME/CONTACT owned by the referral's charity
    ("Query", "donations"): _C.MATCH_PROFILE,
    ("Query", "donationMatches"): _C.MATCH_PROFILE,
    ("Query", "referralContact"): _C.MATCH_PROFILE,
    ("Query", "referralQueue"): _C.CONSENT,
    ("Mutation", "registerCharity"): _C.CONSENT_ADMIN,
    ("Mutation", "publishDonation"): _C.MATCH_PROFILE,
    ("Mutation", "confirmReferral"): _C.CONSENT_ADMIN,
    ("Mutation", "recordReferralDecision"): _C.CONSENT_ADMIN,
    ("Charity", "*"): _C.PUBLIC,
    ("Donation", "*"): _C.PUBLIC,
    ("DonationMatches", "*"): _C.PUBLIC,
    ("CharityMatch", "*"): _C.MATCH_PROFILE,
    ("ReferralContact", "*"): _C.MATCH_PROFILE,
    ("ReferralContact", "name"): _C.NAME,
    ("ReferralContact", "phone"): _C.CONTACT,
    ("Referral", "subjectId"): _C.IDENTIFIER,
    ("Referral", "*"): _C.CONSENT,
}
"""GraphQL ``(type, field)`` (or ``(type, "*")``) → access class. Missing fields are denied."""

_ORDER = {Effect.DENY: 0, Effect.MASK: 1, Effect.ALLOW: 2}


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer for one field class, with a reason code for the audit log."""

    effect: Effect
    access_class: AccessClass | None
    reason: str  # e.g. "policy", "no_role_for_purpose", "not_owner", "unclassified"

    @property
    def allowed(self) -> bool:
        """True unless the field must not be returned at all."""
        return self.effect is not Effect.DENY


def parse_purpose(value: str | None) -> Purpose:
    """Return the declared purpose, or raise if it is missing or not on the fixed list.

    Raises:
        UnknownPurposeError: ``value`` is not one of :class:`Purpose` (the message does
            not echo it: a header may carry anything).
    """
    try:
        return Purpose((value or "").strip().lower())
    except ValueError:
        raise UnknownPurposeError([p.value for p in Purpose]) from None


def access_class_of(type_name: str, field_name: str) -> AccessClass | None:
    """The access class of a GraphQL field (exact entry first, then the type's ``*``)."""
    return GRAPHQL_FIELD_CLASSES.get((type_name, field_name)) or GRAPHQL_FIELD_CLASSES.get(
        (type_name, "*"))


def decide(principal: Actor, purpose: Purpose | str, access_class: AccessClass | str | None,
           *, owner_org: str | None = None) -> Decision:
    """Decide whether ``principal`` may see a field of ``access_class`` for ``purpose``.

    With several roles the most permissive rule wins. Anything unknown denies.

    Args:
        principal: The authenticated caller (org and roles are read).
        purpose: The declared purpose.
        access_class: The field's class; ``None`` (unclassified field) denies.
        owner_org: Organisation owning the row (for ``own`` rules), e.g. the department
            of an aid record.

    Returns:
        The :class:`Decision` with its reason code.
    """
    if access_class is None:
        return Decision(Effect.DENY, None, "unclassified")
    try:
        cls = AccessClass(access_class)
        wanted = Purpose(purpose)
    except ValueError:
        return Decision(Effect.DENY, None, "unknown_class_or_purpose")
    if cls is AccessClass.PUBLIC:
        return Decision(Effect.ALLOW, cls, "public")
    best: Decision | None = None
    for role in principal.roles:
        rules = _rules_for(role, wanted)
        if rules is None:
            continue
        rule = rules.get(cls, Rule.DENY)
        if rule is Rule.OWN:
            owned = owner_org is not None and owner_org == principal.org
            candidate = Decision(Effect.ALLOW if owned else Effect.DENY, cls,
                                 "owner" if owned else "not_owner")
        else:
            effect = Effect(rule.value)
            candidate = Decision(effect, cls, "policy")
        if best is None or _ORDER[candidate.effect] > _ORDER[best.effect]:
            best = candidate
    return best or Decision(Effect.DENY, cls, "no_role_for_purpose")


def _rules_for(role: str, purpose: Purpose) -> Mapping[AccessClass, Rule] | None:
    try:
        return ACCESS_POLICY.get((Role(role), purpose))
    except ValueError:
        return None


def purpose_allowed(principal: Actor, purpose: Purpose | str) -> bool:
    """True when one of the principal's roles has a policy entry for ``purpose``."""
    return any(_rules_for(role, Purpose(purpose)) is not None for role in principal.roles)


def jurisdiction(principal: Actor) -> list[str] | None:
    """Region codes the principal's rows are limited to, or ``None`` for national roles.

    Use as ``WHERE x.region_code IN $regions`` after an indexed anchor match. An empty list
    (a regional role without regions) matches nothing: fail closed.
    """
    if any(role in NATIONAL_ROLES for role in principal.roles):
        return None
    return sorted(set(principal.regions))


def mask_value(access_class: AccessClass | str, value: Any) -> Any:
    """Return the masked form of a field value (lists element by element).

    Identifiers and numbers keep head and tail (``6590**********123X``), names their first
    character, addresses their leading part; values that cannot be masked meaningfully
    (amounts, dates, numbers) become ``None`` — the field must be nullable.
    """
    if isinstance(value, list | tuple):
        return [mask_value(access_class, item) for item in value]
    if value is None or not isinstance(value, str):
        return None
    cls = AccessClass(access_class)
    if cls in (AccessClass.IDENTIFIER, AccessClass.REFERENCE):
        return mask_identifier(value)
    if cls is AccessClass.NAME:
        return (value.strip()[:1] + "**") if value.strip() else value
    if cls is AccessClass.CONTACT:
        digits = sum(ch.isdigit() for ch in value)
        if digits >= 7 and digits >= len(value.replace(" ", "").replace("-", "")) - 3:
            return mask_identifier(value)
        return value[: min(6, len(value) // 2)] + "***"
    return "***"


def check_schema_coverage(schema: Any) -> list[str]:
    """List ``Type.field`` of every object/interface field without a policy entry.

    Args:
        schema: A strawberry ``Schema`` or a graphql-core ``GraphQLSchema``. Introspection
            types (``__*``) are skipped.

    Returns:
        Sorted ``"Type.field"`` strings; empty when every field is covered.
    """
    graphql_schema = getattr(schema, "_schema", schema)
    missing: list[str] = []
    for type_name, gql_type in graphql_schema.type_map.items():
        if type_name.startswith("__") or type(gql_type).__name__ not in {
            "GraphQLObjectType", "GraphQLInterfaceType"}:
            continue
        for field_name in gql_type.fields:
            if access_class_of(type_name, field_name) is None:
                missing.append(f"{type_name}.{field_name}")
    return sorted(missing)
