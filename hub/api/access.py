"""The per-request access guard: policy decisions, consent on file, and the audit ledger.

One :class:`AccessGuard` lives in each GraphQL context. Every field decision goes through
:meth:`AccessGuard.decide_field` (called by ``field_policy.PolicyEnforcer`` for every
field), which adds jurisdiction and consent to ``privacy.policy.decide`` and notes what
was returned, masked or denied about whom. At the end of execution the notes become audit
events — one per root field and data subject — appended in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from hub.auth import Principal
from hub.errors import StoreError
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.consent import find_active_consent
from hub.store import Store
from privacy import (
    PERSONAL_CLASSES,
    PURPOSE_RULES,
    AccessClass,
    AuditEvent,
    ConsentDeniedError,
    ConsentRecord,
    DataSubject,
    Decision,
    Effect,
    Purpose,
    access_class_of,
    decide,
    jurisdiction,
    utc_timestamp,
)

ANONYMOUS = Principal(subject="", org="", roles=(), regions=())
"""A principal without roles: every non-public field is denied to it."""


@dataclass
class _Note:
    returned: set[str] = field(default_factory=set)
    masked: set[str] = field(default_factory=set)
    denied: set[str] = field(default_factory=set)
    reasons: set[str] = field(default_factory=set)
    consent_id: str = ""
    recordable: bool = False
    refused: bool = False  # a resolver or permission refused the request outright


def denial_event(principal: Principal, purpose: str, action: str, reason: str,
                 correlation_id: str, subject_ref: str = "") -> AuditEvent:
    """An audit event for a request refused before any field was resolved."""
    return AuditEvent(at=utc_timestamp(), actor=principal.subject, org=principal.org,
                      roles=principal.roles, purpose=purpose, action=action, decision="deny",
                      reason=reason, subject_ref=subject_ref, correlation_id=correlation_id)


class AccessGuard:
    """Decisions, consents and audit notes of one request."""

    def __init__(self, *, principal: Principal | None, purpose: Purpose | None,
                 correlation_id: str, store: Store | None = None,
                 audit: AuditLog | None = None) -> None:
        self.principal = principal or ANONYMOUS
        self.purpose = purpose
        self.correlation_id = correlation_id
        self._store = store
        self._audit = audit
        self._consents: dict[tuple[str, str], ConsentRecord] = {}
        self._consent_failures: dict[tuple[str, str], str] = {}
        self._notes: dict[tuple[str, DataSubject | None], _Note] = {}

    # -- decisions ------------------------------------------------------------------------
    @property
    def regions(self) -> list[str] | None:
        """Region codes to pass as ``$regions`` (``None``: national role, no limit)."""
        return jurisdiction(self.principal)

    def decide_field(self, type_name: str, field_name: str, *, action: str,
                     subject: DataSubject | None = None, owner_org: str | None = None,
                     is_root: bool = False) -> Decision:
        """Decide one field, add jurisdiction and consent, and note it for the audit log.

        Args:
            type_name / field_name: The GraphQL field.
            action: The root field it belongs to, e.g. ``query.household``.
            subject: Whom the parent object is about (its ``audit_subject``).
            owner_org: The organisation owning the parent row (for ``own`` rules).
            is_root: A root field: its subject is in its arguments, so consent is left to
                the resolver (``require_consent``) and to the fields of what it returns.
        """
        access_class = access_class_of(type_name, field_name)
        if self.purpose is None:
            decision = Decision(Effect.DENY, access_class, "no_purpose")
        else:
            region = None if is_root or subject is None else subject.region_code
            decision = decide(self.principal, self.purpose, access_class, owner_org=owner_org,
                              subject_region=region)
        if decision.allowed and access_class in PERSONAL_CLASSES and not is_root:
            decision = self._consent_checks(decision, subject)
        self._note(action, subject, f"{type_name}.{field_name}", decision)
        return decision

    def _consent_checks(self, decision: Decision, subject: DataSubject | None) -> Decision:
        if self.purpose is None or PURPOSE_RULES[self.purpose].consent_from is None:
            return decision
        if subject is None:
            return Decision(Effect.DENY, decision.access_class, "consent_unverifiable")
        if self.consent_for(subject) is None:
            reason = self._consent_failures.get((subject.kind, subject.id), "consent_missing")
            return Decision(Effect.DENY, decision.access_class, reason)
        return decision

    # -- consent --------------------------------------------------------------------------
    def consent_for(self, subject: DataSubject) -> ConsentRecord | None:
        """The consent already verified in this request that covers ``subject``."""
        found = self._consents.get((subject.kind, subject.id))
        if found is None and subject.household_id and self._household_consent_counts():
            found = self._consents.get(("household", subject.household_id))
        return found

    def _household_consent_counts(self) -> bool:
        return self.purpose is not None and PURPOSE_RULES[self.purpose].consent_from == "household"

    async def require_consent(self, subject: DataSubject, *, action: str) -> ConsentRecord | None:
        """Check that consent for the declared purpose is on file for ``subject`` (granted
        to the caller's organisation, in force now); ``None`` when the purpose needs none.

        Root resolvers call this before loading a subject's data; fields of objects about
        a subject without verified consent are denied anyway (fail closed).

        Raises:
            ConsentDeniedError: consent missing, expired or revoked (already noted for
                the audit log with that reason).
        """
        if self.purpose is None or PURPOSE_RULES[self.purpose].consent_from is None:
            return None
        cached = self.consent_for(subject)
        if cached is not None:
            return cached
        if self._store is None:
            raise ConsentDeniedError("consent_missing")
        try:
            consent = await run_in_threadpool(
                find_active_consent, self._store, subject_kind=subject.kind,
                subject_id=subject.id, purpose=self.purpose, grantee=self.principal.org,
                at=datetime.now(UTC),
                include_household=PURPOSE_RULES[self.purpose].consent_from == "household")
        except ConsentDeniedError as exc:
            self._consent_failures[(subject.kind, subject.id)] = exc.reason
            self.note_denial(action, exc.reason, subject)
            raise
        self.remember_consent(subject, consent, action=action)
        return consent

    def remember_consent(self, subject: DataSubject, consent: ConsentRecord, *,
                         action: str) -> None:
        """Register a consent verified elsewhere (e.g. loaded for a whole page at once with
        ``privacy_graph.consent.consents_for`` + ``privacy.find_covering``) for ``subject``."""
        self._consents[(subject.kind, subject.id)] = consent
        self._note_for(action, subject).consent_id = consent.consent_id

    # -- audit ----------------------------------------------------------------------------
    def note_denial(self, action: str, reason: str, subject: DataSubject | None = None) -> None:
        """Record a refusal decided outside the field policy (e.g. jurisdiction in a service).

        The event is audited as ``deny`` (``partial`` if data about the same subject was
        still returned under the same action), whatever the field policy allowed before.
        """
        note = self._note_for(action, subject)
        note.reasons.add(reason)
        note.recordable = True
        note.refused = True

    def _note_for(self, action: str, subject: DataSubject | None) -> _Note:
        return self._notes.setdefault((action, subject), _Note())

    def _note(self, action: str, subject: DataSubject | None, name: str,
              decision: Decision) -> None:
        note = self._note_for(action, subject)
        {Effect.ALLOW: note.returned, Effect.MASK: note.masked,
         Effect.DENY: note.denied}[decision.effect].add(name)
        if decision.effect is Effect.DENY:
            note.reasons.add(decision.reason)
        if decision.access_class is not AccessClass.PUBLIC or decision.effect is Effect.DENY:
            note.recordable = True
        if subject is not None:
            consent = self.consent_for(subject)
            if consent is not None and not note.consent_id:
                note.consent_id = consent.consent_id

    def pending_events(self) -> list[AuditEvent]:
        """The audit events this request owes (nothing for public-only requests)."""
        events = []
        purpose = self.purpose.value if self.purpose is not None else ""
        basis = PURPOSE_RULES[self.purpose].legal_basis if self.purpose is not None else ""
        with_subjects = {action for action, subject in self._notes if subject is not None}
        for (action, subject), note in self._notes.items():
            if not note.recordable:
                continue
            if subject is None and action in with_subjects and not note.denied \
                    and not note.reasons:
                continue  # the root field itself; the per-subject events name the action
            ref = ""
            if subject is not None and self._audit is not None:
                ref = self._audit.subject_ref(subject.kind, subject.id)
            events.append(AuditEvent(
                at=utc_timestamp(), actor=self.principal.subject, org=self.principal.org,
                roles=self.principal.roles, purpose=purpose, action=action,
                decision=_overall(note), reason=",".join(sorted(note.reasons)),
                legal_basis=basis, consent_id=note.consent_id, subject_ref=ref,
                fields_returned=tuple(sorted(note.returned)),
                fields_masked=tuple(sorted(note.masked)),
                fields_denied=tuple(sorted(note.denied)), correlation_id=self.correlation_id))
        return events

    async def flush(self) -> int:
        """Append the pending events (all or none, grouped with other requests' in one
        transaction); returns how many were written, once they are durable.

        Raises:
            StoreError: the audit log could not be written (the caller fails closed).
        """
        events = self.pending_events()
        if events and self._audit is None:
            raise StoreError("no audit log configured: personal data cannot be released")
        if events and self._audit is not None:
            await self._audit.append_many_async(events)
        self._notes.clear()
        return len(events)


_ROOT_PREFIXES = ("Query.", "Mutation.", "Subscription.")


def _overall(note: _Note) -> str:
    """The true decision of one audit event.

    A root field the policy let through but a permission or resolver then refused
    released nothing: it counts as ``deny``, not ``allow``.
    """
    if note.refused:
        shown = {f for f in note.returned | note.masked if not f.startswith(_ROOT_PREFIXES)}
        return "partial" if shown else "deny"
    shown = note.returned or note.masked
    if not note.denied and not shown:
        return "deny" if note.reasons else "allow"
    if note.denied:
        return "partial" if shown else "deny"
    return "mask" if note.masked else "allow"
