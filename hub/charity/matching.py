"""``donationMatches``: rank consenting, fitting recipients of a donation, de-identified.

Only recipients with a consent in force for charity matching, granted to this charity (or
to any charity) and covering the donation's category, are read at all. Each fitting one
gets a referral (``proposed``) with a random token, which is all a charity can refer to;
recipients whose need government aid already meets in the period, or who are already
matched for it by another donation (or, for a household-level need, whose household is,
through any member), are left out and only counted (no double funding).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from graph_schema.queries import charity as q
from hub.charity.categories import HOUSEHOLD_NEEDS
from hub.charity.fit import age_on, assess
from hub.charity.model import ANY_CHARITY, FUNDED, MatchResult, MatchRow
from hub.charity.registry import get_donation
from hub.privacy_graph.consent import consent_record
from hub.store import Store
from privacy import FieldEncryptor


def new_token() -> str:
    """A referral token: random, never derived from anything about the recipient."""
    return "ref-" + secrets.token_urlsafe(18)


def pair_key(donation_id: str, subject_kind: str, subject_id: str) -> str:
    """The hub-internal key of a (donation, recipient) referral; never shown to charities."""
    return f"{donation_id}|{subject_kind}:{subject_id}"


def _ages(people: Sequence[Mapping[str, Any]], encryptor: FieldEncryptor,
          today: date) -> list[int]:
    items = [(p["birth"], "Person", p["person_id"], "birth_date")
             for p in people if p.get("birth")]
    births = encryptor.decrypt_many(items) if items else []
    return [age_on(date.fromisoformat(b[:10]), today) for b in births if b]


def donation_matches(store: Store, encryptor: FieldEncryptor, donation_id: str, *,
                     charity_id: str | None, regions: list[str] | None,
                     now: datetime | None = None, limit: int = 50) -> MatchResult:
    """Rank the recipients a donation may be offered to and propose referrals for them.

    Args:
        store: The graph.
        encryptor: Opens birth dates inside the hub for age bands (never returned).
        donation_id: The donation.
        charity_id: The asking charity (must own the donation); ``None`` for civil affairs.
        regions: The caller's jurisdiction (``None``: nationwide).
        now: The moment consents must be in force (default: now).
        limit: Most matches returned (ranked best first).

    Raises:
        DonationNotFoundError: no such donation among the charity's.
    """
    moment = now or datetime.now(UTC)
    donation = get_donation(store, donation_id, charity_id=charity_id)
    spec = donation.spec
    today = moment.date()
    rows = store.read(q.MATCH_CANDIDATES, donation_id=donation_id, any_charity=ANY_CHARITY,
                      now=moment, regions=regions, funded=list(FUNDED),
                      household_needs=sorted(HOUSEHOLD_NEEDS))
    fitting: list[tuple[Mapping[str, Any], Any]] = []
    covered = matched = 0
    for row in rows:
        needs_age = spec.age_min is not None or spec.age_max is not None
        ages = _ages(row["people"], encryptor, today) if needs_age else []
        fit = assess(spec, row, ages, today)
        if not fit.fits:
            continue
        if row["own_status"] in FUNDED:
            fitting.append((row, fit))
        elif fit.covered:
            covered += 1
        elif row["matched_elsewhere"]:
            matched += 1
        else:
            fitting.append((row, fit))
    fitting.sort(key=lambda pair: (-pair[1].score, pair[0]["region"]))
    chosen = fitting[:max(1, min(limit, 500))]
    proposals = [{
        "pair_key": pair_key(donation_id, row["subject_kind"], row["subject_id"]),
        "token": new_token(), "consent_id": row["consent"]["consent_id"],
        "subject_kind": row["subject_kind"], "region_code": row["region"],
        "household_size": int(row["household_size"]), "reasons": list(fit.reasons),
        "score": fit.score} for row, fit in chosen]
    written = {r["pair_key"]: r for r in store.write(
        q.UPSERT_PROPOSALS, donation_id=donation_id, rows=proposals, now=moment)}
    matches = []
    for (row, fit), proposal in zip(chosen, proposals, strict=True):
        stored = written[proposal["pair_key"]]
        matches.append(MatchRow(
            token=stored["token"], region_code=row["region"], category=spec.category,
            household_size=int(row["household_size"]), reasons=fit.reasons,
            score=fit.score, status=stored["status"], subject_kind=row["subject_kind"],
            subject_id=row["subject_id"], household_id=row["household_id"],
            consent=consent_record(row["consent"], row["subject_kind"], row["subject_id"])))
    return MatchResult(donation=donation, matches=matches, excluded_government_aid=covered,
                       excluded_already_matched=matched)

