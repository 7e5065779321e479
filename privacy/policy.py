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
    """Roles a token may carry.

    The first four work with personal data, each inside its regions. The last three are
    the operating roles of 三员分立 (等保 2.0 level 3): separate people, national, and
    never shown personal data (:data:`OPERATING_ROLES`).
    """

    VERIFIER = "verifier"  # 核对机构: household economic status verification
    CASEWORKER = "caseworker"  # 民政经办: administers aid
    DEPARTMENT = "department"  # another department (医保, 教育 …) feeding / checking aid
    CHARITY = "charity"  # a charity matching donations to consenting recipients
    SYSADMIN = "sysadmin"  # 系统管理员: runs the hub (health, readiness); no personal data
    SECURITY_ADMIN = "security_admin"  # 安全管理员: keys, policy, tokens; no personal data
    AUDITOR = "auditor"  # 审计管理员: reads and verifies the audit log; no personal data


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
    CROSS_REGION = "cross_region"  # "something conflicts outside your jurisdiction: refer
    # it": one bit per check, no identity, programme, department or region named


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

JURISDICTION_EXEMPT = frozenset({AccessClass.CROSS_REGION})
"""Personal classes answered about subjects outside the caller's regions (by design: the
cross-region referral signal of the seeds' 一户一条救助链). Still audited."""

OPERATING_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
"""The three administrators of 三员分立: each held alone, never with another role."""

NATIONAL_ROLES = OPERATING_ROLES
"""Roles without a regional limit: they are never granted a personal class, so a missing
region limit cannot reveal anyone (a test checks the table keeps it that way)."""


class RoleCombinationError(PrivacyError, ValueError):
    """A principal holds an operating role together with another role (三员分立)."""

    def __init__(self, roles: Sequence[str]) -> None:
        super().__init__(
            "roles must be held separately: an operating role (sysadmin, security_admin, "
            f"auditor) cannot be combined with another role; got {', '.join(sorted(roles))}")


def check_role_combination(roles: Sequence[str]) -> None:
    """Refuse a role set that breaks separation of duties.

    Raises:
        RoleCombinationError: an operating role together with any other role.
    """
    distinct = set(roles)
    if len(distinct) > 1 and distinct & {r.value for r in OPERATING_ROLES}:
        raise RoleCombinationError(sorted(distinct))


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
            _C.RELATION: _D, _C.CROSS_REGION: _A}
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
    # the audit administrator reads the audit log and consent records (no personal
    # values); the system and security administrators get public fields only: their
    # work (serving, keys, tokens, policy) is on the command line, and itself audited
    (Role.AUDITOR, Purpose.AUDIT): _AUDIT_ONLY,
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
    ("Query", "auditChain"): _C.AUDIT,
    ("AuditChainReport", "*"): _C.AUDIT,
    ("AuditChainBreak", "*"): _C.AUDIT,
    ("Consent", "*"): _C.CONSENT,
    # the linked graph: root fields and person / household / aid chain types
    ("Query", "person"): _C.REFERENCE,
    ("Query", "people"): _C.REFERENCE,
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
    ("Member", "state"): _C.RELATION,
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
    ("Query", "linkReviewPair"): _C.LINK_REVIEW,
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
    # the re-verification schedule (civil affairs' own: aid_administration)
    ("Query", "reverificationsDue"): _C.AID_PROGRAMME,
    ("ReverificationDue", "*"): _C.AID_PROGRAMME,
    ("ReverificationDue", "householdId"): _C.REFERENCE,
    ("ReverificationPage", "*"): _C.REFERENCE,
    ("ReverificationPage", "households"): _C.AID_PROGRAMME,
    # monitoring alerts and overlap checks
    ("Query", "monitoringAlerts"): _C.AID_PROGRAMME,
    ("Query", "monitoringAlert"): _C.AID_PROGRAMME,
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
    ("OverlapCheck", "elsewhere"): _C.CROSS_REGION,
    ("CrossRegionSignal", "*"): _C.CROSS_REGION,
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
           *, owner_org: str | None = None, subject_region: str | None = None) -> Decision:
    """Decide whether ``principal`` may see a field of ``access_class`` for ``purpose``.

    Each role is decided on its own, with its own rule and its own rows: a personal field
    about a subject in ``subject_region`` counts as allowed by a role only if that role's
    jurisdiction covers the region. The answer is the best of these single-role answers,
    so a token with several roles never sees a value that none of its roles alone would
    (roles are not pooled: one role's regions never lift another's field rule). Anything
    unknown denies.

    Args:
        principal: The authenticated caller (org, roles and regions are read).
        purpose: The declared purpose.
        access_class: The field's class; ``None`` (unclassified field) denies.
        owner_org: Organisation owning the row (for ``own`` rules), e.g. the department
            of an aid record.
        subject_region: Region code of whom the row is about, when known; personal
            classes outside a role's jurisdiction are denied for that role.

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
        candidate = _decide_for_role(principal, role, wanted, cls, owner_org, subject_region)
        if candidate is not None and (best is None
                                      or _ORDER[candidate.effect] > _ORDER[best.effect]):
            best = candidate
    return best or Decision(Effect.DENY, cls, "no_role_for_purpose")


def _decide_for_role(principal: Actor, role: str, purpose: Purpose, cls: AccessClass,
                     owner_org: str | None, subject_region: str | None) -> Decision | None:
    """One role's answer (``None``: the role has no entry for the purpose)."""
    rules = _rules_for(role, purpose)
    if rules is None:
        return None
    rule = rules.get(cls, Rule.DENY)
    if rule is Rule.OWN:
        owned = owner_org is not None and owner_org == principal.org
        decision = Decision(Effect.ALLOW if owned else Effect.DENY, cls,
                            "owner" if owned else "not_owner")
    else:
        decision = Decision(Effect(rule.value), cls, "policy")
    if (decision.allowed and subject_region is not None and cls in PERSONAL_CLASSES
            and cls not in JURISDICTION_EXEMPT
            and not _covers(role_jurisdiction(principal, role), subject_region)):
        return Decision(Effect.DENY, cls, "out_of_jurisdiction")
    return decision


def _covers(regions: list[str] | None, region: str) -> bool:
    return regions is None or region in regions


def _rules_for(role: str, purpose: Purpose) -> Mapping[AccessClass, Rule] | None:
    try:
        return ACCESS_POLICY.get((Role(role), purpose))
    except ValueError:
        return None


def purpose_allowed(principal: Actor, purpose: Purpose | str) -> bool:
    """True when one of the principal's roles has a policy entry for ``purpose``."""
    return any(_rules_for(role, Purpose(purpose)) is not None for role in principal.roles)


def role_jurisdiction(principal: Actor, role: str) -> list[str] | None:
    """Region codes one role of the principal is limited to (``None``: a national role)."""
    if role in NATIONAL_ROLES:
        return None
    return sorted(set(principal.regions))


def jurisdiction(principal: Actor) -> list[str] | None:
    """Region codes the principal's rows are limited to, or ``None`` for national roles.

    ``None`` only when every role is national (operating roles, which see no personal
    data): a national role held beside a regional one never lifts the regional limit.
    Use as ``WHERE x.region_code IN $regions`` after an indexed anchor match. An empty list
    (a regional role without regions) matches nothing: fail closed.
    """
    regional = [role for role in principal.roles if role not in NATIONAL_ROLES]
    if principal.roles and not regional:
        return None
    return sorted(set(principal.regions))


def in_jurisdiction(principal: Actor, region: str | None) -> bool:
    """Whether rows of ``region`` lie inside the principal's jurisdiction (unknown: no)."""
    regions = jurisdiction(principal)
    return regions is None or (region is not None and region in regions)


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


_HV, _VM, _RS = "HouseholdVerification", "VerifiedMember", "RuleStep"

REPORT_KEY_FIELDS: Mapping[tuple[str, str], tuple[str, str]] = {
    # the determination as a whole (report JSON / HTML summary) ↔ HouseholdVerification
    ("report", "household_id"): (_HV, "householdId"),
    ("report", "as_of"): (_HV, "asOf"),
    ("report", "category"): (_HV, "category"),
    ("report", "monthly_amount"): (_HV, "monthlyAmount"),
    ("report", "phase_out"): (_HV, "phaseOut"),
    ("report", "region_code"): (_HV, "regionCode"),
    ("report", "urban_rural"): (_HV, "urbanRural"),
    ("report", "ruleset"): (_HV, "ruleset"),
    ("report", "figures"): (_HV, "figures"),
    ("report", "asset_issues"): (_HV, "assetIssues"),
    ("report", "tekun_person_ids"): (_HV, "tekunPersonIds"),
    ("report", "single_person"): (_HV, "singlePersonMembers"),
    ("report", "supplements"): (_HV, "supplements"),
    ("report", "members"): (_HV, "members"),
    ("report", "steps"): (_HV, "steps"),
    # one member of the determination ↔ VerifiedMember
    ("member", "person_id"): (_VM, "personId"),
    ("member", "relation"): (_VM, "relation"),
    ("member", "age"): (_VM, "age"),
    ("member", "income"): (_VM, "monthlyIncome"),
    ("member", "income_basis"): (_VM, "incomeBasis"),
    ("member", "severe_disability"): (_VM, "severeDisability"),
    ("member", "serious_illness"): (_VM, "seriousIllness"),
    ("member", "labour_capacity"): (_VM, "labourCapacity"),
    ("member", "legal_supporters"): (_VM, "legalSupporters"),
    # one rule applied ↔ RuleStep
    ("step", "rule"): (_RS, "rule"),
    ("step", "description"): (_RS, "description"),
    ("step", "outcome"): (_RS, "outcome"),
    ("step", "values"): (_RS, "values"),
    ("step", "sources"): (_RS, "sources"),
    # the numbers a rule compared (RuleStep.values, each rule's keys): about a member
    ("values", "person_id"): (_VM, "personId"),
    ("values", "age"): (_VM, "age"),
    ("values", "severe_disability"): (_VM, "severeDisability"),
    ("values", "serious_illness"): (_VM, "seriousIllness"),
    ("values", "labour_capacity"): (_VM, "labourCapacity"),
    ("values", "income"): (_VM, "monthlyIncome"),
    ("values", "gross"): (_VM, "monthlyIncome"),
    ("values", "work_cost_deduction"): (_VM, "monthlyIncome"),
    ("values", "tax_year"): (_VM, "monthlyIncome"),
    ("values", "tax_annual_income"): (_VM, "monthlyIncome"),
    ("values", "tax_crosscheck"): (_VM, "monthlyIncome"),
    ("values", "basis"): (_VM, "incomeBasis"),
    ("values", "binding_supporters"): (_VM, "legalSupporters"),
    # relatives who owe no support, with why: "holds a level 1/2 disability certificate",
    # "deceased", an age limit — a relative's health, so the strictest class it carries
    ("values", "other_relatives"): (_VM, "severeDisability"),
    # … about the household's aid, area and standard
    ("values", "programmes"): ("AidRecord", "programme"),
    ("values", "monthly_amounts"): ("AidRecord", "amount"),
    ("values", "current_amount"): ("AidRecord", "amount"),
    ("values", "amount"): (_HV, "monthlyAmount"),
    ("values", "supplements"): (_HV, "supplements"),
    ("values", "asset_issues"): (_HV, "assetIssues"),
    ("values", "region_code"): (_HV, "regionCode"),
    ("values", "year"): (_HV, "asOf"),
    ("values", "urban_rural"): (_HV, "urbanRural"),
    ("values", "area_known"): (_HV, "urbanRural"),
    ("values", "per_capita_income"): (_HV, "perCapitaIncome"),
    # … property (the asset tests) ↔ Household.assets
    **{("values", key): ("Household", "assets") for key in (
        "financial_assets", "per_capita_limit", "limit", "housing_fund_balance",
        "counted_vehicles", "max_vehicles", "exempt_vehicles", "active_businesses",
        "max_active_businesses", "residential_titles", "max_homes")},
    # … the rules' own arithmetic (standards, totals, ratios, 刚性支出 sums: household
    # totals of costs, never a diagnosis) ↔ RuleStep.values
    **{("values", key): (_RS, "values") for key in (
        "living", "deceased", "members", "dibao_standard", "tekun_standard", "tekun_floor",
        "asset_limit_per_capita", "income_total", "standard_total", "gap", "ratio",
        "marginal_total", "ceiling_total", "months", "rigid_expense_12m",
        "adjusted_per_capita_income", "medical_out_of_pocket", "tuition", "rigid_total",
        "window_days", "school_year_start")},
}
"""Keys of every other rendering of a verification (the ``report`` JSON and HTML,
``RuleStep.values``, ``hub verify household``) → the GraphQL field whose access class
governs them, per section (``report``: the determination, ``member``: one member,
``step``: one rule applied, ``values``: a rule's numbers). The field, not a class, is
named so a rendering is decided and audited exactly as that field would be. A key
without an entry is dropped (fail closed)."""


def report_key_field(section: str, key: str) -> tuple[str, str] | None:
    """The GraphQL ``(type, field)`` governing ``key`` in a section of a rendered
    verification, or ``None`` (unclassified: the key must be dropped)."""
    return REPORT_KEY_FIELDS.get((section, key))


def report_key_class(section: str, key: str) -> AccessClass | None:
    """The access class of ``key`` in a section of a rendered verification (``None``:
    unclassified, dropped), the same class as its GraphQL field's."""
    found = report_key_field(section, key)
    return None if found is None else access_class_of(*found)
