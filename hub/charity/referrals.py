"""Referrals after matching: a caseworker confirms, the recipient accepts or declines, and
only then the charity learns whom to contact.

Every step re-checks the recipient's consent: a revoked consent withdraws pending
referrals at once (:func:`withdraw_for_consent`, called by the consent service), and an
expired or revoked one makes every later step — including disclosure — refuse. Steps
are taken by caseworkers within the recipient's jurisdiction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graph_schema.queries import charity as q
from hub.charity.categories import HOUSEHOLD_NEEDS
from hub.charity.model import (
    FUNDED,
    PENDING,
    Contact,
    Referral,
    ReferralNotFoundError,
    ReferralStateError,
)
from hub.native import aware
from hub.privacy_graph.consent import consent_record
from hub.store import Store
from privacy import FieldEncryptor, find_identifiers

_EVIDENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#\-]{0,127}$")
STATUSES = ("proposed", "confirmed", "accepted", "declined", "withdrawn")


class OutOfJurisdictionReferralError(ReferralNotFoundError):
    """The recipient lies outside the caller's regions (reported as not found)."""


def consent_in_force(consent: Mapping[str, Any] | None, at: datetime) -> bool:
    """True when a stored consent map is in force at ``at`` (fail closed on anything odd)."""
    if not consent:
        return False
    granted, expires = aware(consent.get("granted_at")), aware(consent.get("expires_at"))
    revoked = aware(consent.get("revoked_at"))
    if granted is None or expires is None:
        return False
    return granted <= at < expires and (revoked is None or revoked > at)


def effective_status(status: str, consent: Mapping[str, Any] | None, at: datetime) -> str:
    """A pending referral whose consent is no longer in force counts as withdrawn."""
    if status in PENDING and not consent_in_force(consent, at):
        return "withdrawn"
    return status


def _referral(row: Mapping[str, Any], at: datetime) -> Referral:
    r, consent = row["referral"], row["consent"]
    created = aware(r["created_at"])
    assert created is not None
    return Referral(
        token=r["token"], status=effective_status(r["status"], consent, at),
        donation_id=r["donation_id"], charity_id=r["charity_id"], category=r["category"],
        region_code=r.get("region_code", ""), subject_kind=r["subject_kind"],
        subject_id=row["subject_id"], household_id=row["household_id"],
        consent_id=(consent or {}).get("consent_id", ""), created_at=created,
        confirmed_at=aware(r.get("confirmed_at")), decided_at=aware(r.get("decided_at")),
        evidence_ref=r.get("evidence_ref", ""))


def get_referral(store: Store, token: str, *, regions: list[str] | None,
                 now: datetime | None = None) -> Referral:
    """The referral with this token, within ``regions``.

    Raises:
        ReferralNotFoundError: no such token, or the recipient is outside ``regions``.
    """
    rows = store.read(q.REFERRAL_BY_TOKEN, token=token)
    if not rows:
        raise ReferralNotFoundError("no referral with that token")
    referral = _referral(rows[0], now or datetime.now(UTC))
    if regions is not None and referral.region_code not in regions:
        raise OutOfJurisdictionReferralError("no referral with that token")
    return referral


def confirm_referral(store: Store, token: str, *, confirmed_by: str,
                     regions: list[str] | None, now: datetime | None = None) -> Referral:
    """A caseworker confirms a proposed referral (the recipient will be asked).

    Raises:
        ReferralNotFoundError: unknown token or outside ``regions``.
        ReferralStateError: not proposed, consent not in force, the donation has no places
            left, or the recipient is already funded for this need (no double funding; for
            a household-level need, funding any member of the household counts).
    """
    moment = now or datetime.now(UTC)
    current = get_referral(store, token, regions=regions, now=moment)
    if current.status != "proposed":
        raise ReferralStateError(f"only a proposed referral can be confirmed (it is "
                                 f"{current.status})")
    done = store.write(q.CONFIRM_REFERRAL, token=token, now=moment, by=confirmed_by,
                       funded=list(FUNDED), household_needs=sorted(HOUSEHOLD_NEEDS))
    if not done:
        raise ReferralStateError("the donation has no places left, or the recipient (for a "
                                 "household need: their household) is already funded for "
                                 "this need in the period")
    return get_referral(store, token, regions=regions, now=moment)


def record_decision(store: Store, token: str, *, accepted: bool, evidence_ref: str,
                    decided_by: str, regions: list[str] | None,
                    now: datetime | None = None) -> Referral:
    """Record the recipient's answer to a confirmed referral, with its evidence.

    Raises:
        ReferralNotFoundError: unknown token or outside ``regions``.
        ReferralStateError: not confirmed, consent no longer in force, or the evidence
            reference is not a plain document reference.
    """
    if not _EVIDENCE.match(evidence_ref) or find_identifiers(evidence_ref):
        raise ReferralStateError("evidence_ref must be a document reference "
                                 "(letters, digits, ._:/#-)")
    moment = now or datetime.now(UTC)
    current = get_referral(store, token, regions=regions, now=moment)
    if current.status != "confirmed":
        raise ReferralStateError(f"only a confirmed referral can be answered (it is "
                                 f"{current.status})")
    done = store.write(q.DECIDE_REFERRAL, token=token, now=moment, by=decided_by,
                       status="accepted" if accepted else "declined", evidence=evidence_ref)
    if not done:
        raise ReferralStateError("the recipient's consent is no longer in force")
    return get_referral(store, token, regions=regions, now=moment)


def withdraw_for_consent(store: Store, consent_id: str, *, at: datetime | None = None) -> int:
    """Withdraw every pending referral made under a consent; returns how many."""
    rows = store.write(q.WITHDRAW_FOR_CONSENT, consent_id=consent_id,
                       at=at or datetime.now(UTC), pending=list(PENDING))
    return int(rows[0]["withdrawn"]) if rows else 0


def referral_queue(store: Store, *, regions: list[str] | None,
                   statuses: tuple[str, ...] = ("proposed", "confirmed"), limit: int = 100,
                   now: datetime | None = None) -> list[Referral]:
    """Referrals in the caller's regions in ``statuses`` (effective: a pending one whose
    consent lapsed counts as withdrawn), oldest first."""
    moment = now or datetime.now(UTC)
    stored = set(statuses) | (set(PENDING) if "withdrawn" in statuses else set())
    rows = store.read(q.REFERRAL_QUEUE, statuses=sorted(stored), regions=regions,
                      limit=max(1, min(limit, 500)))
    found = [_referral(row, moment) for row in rows]
    return [r for r in found if r.status in statuses]


def disclose_contact(store: Store, encryptor: FieldEncryptor, token: str, *,
                     charity_id: str, now: datetime | None = None) -> Contact:
    """The contact details an accepted referral releases to its charity: name and phone.

    Raises:
        ReferralNotFoundError: no accepted referral of this charity under a consent in
            force has that token (the same answer whatever the reason, so nothing leaks).
    """
    moment = now or datetime.now(UTC)
    rows = store.read(q.REFERRAL_CONTACT, token=token, charity_id=charity_id, now=moment)
    if not rows or rows[0]["person_id"] is None:
        raise ReferralNotFoundError("no accepted referral of yours has that token")
    row = rows[0]
    name = None
    if row["enc_name"]:
        name = encryptor.decrypt(row["enc_name"], label="Person", record_key=row["person_id"],
                                 field="name")
    phone = None
    if row["enc_phones"]:
        phones = encryptor.decrypt(row["enc_phones"], label=row["phone_label"],
                                   record_key=row["phone_key"], field="phones")
        phone = phones.split(";")[0].strip() or None
    referral = row["referral"]
    return Contact(token=token, charity_id=charity_id, name=name, phone=phone,
                   subject_kind=referral["subject_kind"], subject_id=row["subject_id"],
                   region_code=referral.get("region_code", ""),
                   household_id=row["household_id"],
                   consent=consent_record(row["consent"], referral["subject_kind"],
                                          row["subject_id"]))
