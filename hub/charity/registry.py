"""Register charities and publish their donations (the project library).

A charity acts under its organisation code (the ``org`` of its tokens); registering it is a
civil-affairs act, so only a registered, active charity can publish. A donation states the
need category, the region (a county code or a prefix of one), the recipient profile it
funds, how many recipients and the period.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graph_schema.queries import charity as q
from hub.charity.categories import (
    HOUSEHOLD_TYPES,
    KNOWN_STATUSES,
    NEED_CATEGORIES,
    UnknownCategoryError,
    check_vocabulary,
)
from hub.charity.fit import as_date
from hub.charity.model import (
    FUNDED,
    Charity,
    CharityNotRegisteredError,
    Donation,
    DonationNotFoundError,
    DonationSpec,
    InvalidDonationError,
)
from hub.native import aware
from hub.store import Store

# ASCII only: department codes (民政, 医保 …) can never be registered as a charity, so the
# policy's ``own`` rule for charities can never match a department's rows
_ORG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-.:_]{1,63}$")
_REGION = re.compile(r"^\d{2,6}$")


def _charity(props: Mapping[str, Any]) -> Charity:
    return Charity(charity_id=props["charity_id"], name=props.get("name", ""),
                   registered_at=aware(props["registered_at"]),
                   registered_by=props.get("registered_by", ""),
                   active=bool(props.get("active", True)))


def donation_from_row(row: Mapping[str, Any]) -> Donation:
    """A :class:`Donation` from a ``donation`` map and an ``allocated`` count."""
    d = row["donation"]
    start, end = as_date(d["period_start"]), as_date(d["period_end"])
    assert start is not None and end is not None
    spec = DonationSpec(
        title=d.get("title", ""), category=d["category"], region_prefix=d["region_prefix"],
        period_start=start, period_end=end, quantity=int(d["quantity"]),
        amount_per_recipient=d.get("amount_per_recipient"), age_min=d.get("age_min"),
        age_max=d.get("age_max"), household_types=tuple(d.get("household_types") or ()),
        programme_statuses=tuple(d.get("programme_statuses") or ()))
    return Donation(donation_id=d["donation_id"], charity_id=d["charity_id"], spec=spec,
                    published_at=aware(d["published_at"]), allocated=int(row["allocated"]))


def register_charity(store: Store, *, charity_id: str, name: str, registered_by: str,
                     now: datetime | None = None) -> Charity:
    """Register (or re-activate and rename) a charity under its organisation code.

    Raises:
        InvalidDonationError: the code or name is malformed.
    """
    if not _ORG.match(charity_id) or not name.strip() or len(name) > 120:
        raise InvalidDonationError("charity id must be an ASCII organisation code (2-64 "
                                   "letters, digits, -._:) and the name 1-120 characters")
    rows = store.write(q.REGISTER_CHARITY, charity_id=charity_id, name=name.strip(),
                       by=registered_by, now=now or datetime.now(UTC))
    return _charity(rows[0]["charity"])


def get_charity(store: Store, charity_id: str) -> Charity | None:
    """The registered charity with this organisation code, or ``None``."""
    rows = store.read(q.CHARITY_BY_ID, charity_id=charity_id)
    return _charity(rows[0]["charity"]) if rows else None


def validate_spec(spec: DonationSpec) -> DonationSpec:
    """Check a donation before it is published; returns it with vocabularies normalised.

    Raises:
        InvalidDonationError: every problem found, named by field.
    """
    problems: list[str] = []
    if spec.category not in NEED_CATEGORIES:
        problems.append(f"category must be one of {', '.join(sorted(NEED_CATEGORIES))}")
    if not _REGION.match(spec.region_prefix):
        problems.append("region must be a region code or its prefix (2-6 digits)")
    if not spec.title.strip() or len(spec.title) > 200:
        problems.append("title must be 1-200 characters")
    if spec.period_end < spec.period_start:
        problems.append("period end is before its start")
    if not 1 <= spec.quantity <= 100_000:
        problems.append("quantity must be 1-100000 recipients")
    if spec.amount_per_recipient is not None and spec.amount_per_recipient <= 0:
        problems.append("amount per recipient must be positive")
    if any(a is not None and not 0 <= a <= 150 for a in (spec.age_min, spec.age_max)):
        problems.append("ages must lie in 0-150")
    elif (spec.age_min is not None and spec.age_max is not None
          and spec.age_min > spec.age_max):
        problems.append("age minimum is above the maximum")
    try:
        kinds = check_vocabulary(spec.household_types, HOUSEHOLD_TYPES, "household type")
        statuses = check_vocabulary(spec.programme_statuses, KNOWN_STATUSES,
                                    "programme status")
    except UnknownCategoryError as exc:
        problems.append(str(exc))
        kinds, statuses = [], []
    if problems:
        raise InvalidDonationError("; ".join(problems))
    return replace(spec, title=spec.title.strip(), household_types=tuple(kinds),
                   programme_statuses=tuple(statuses))


def publish_donation(store: Store, *, charity_id: str, spec: DonationSpec,
                     now: datetime | None = None) -> Donation:
    """Publish a donation of a registered, active charity.

    Raises:
        InvalidDonationError: the donation is malformed.
        CharityNotRegisteredError: ``charity_id`` is not a registered, active charity.
    """
    clean = validate_spec(spec)
    props = {"donation_id": "d-" + uuid.uuid4().hex, "charity_id": charity_id,
             "title": clean.title, "category": clean.category,
             "region_prefix": clean.region_prefix, "period_start": clean.period_start,
             "period_end": clean.period_end, "quantity": clean.quantity,
             "amount_per_recipient": clean.amount_per_recipient, "age_min": clean.age_min,
             "age_max": clean.age_max, "household_types": list(clean.household_types),
             "programme_statuses": list(clean.programme_statuses),
             "published_at": now or datetime.now(UTC)}
    rows = store.write(q.CREATE_DONATION, charity_id=charity_id,
                       props={k: v for k, v in props.items() if v is not None})
    if not rows:
        raise CharityNotRegisteredError("your organisation is not a registered charity")
    return donation_from_row(rows[0])


def get_donation(store: Store, donation_id: str, *, charity_id: str | None = None
                 ) -> Donation:
    """A donation by id; with ``charity_id``, only if that charity offers it.

    Raises:
        DonationNotFoundError: no such donation (or another charity's).
    """
    rows = store.read(q.DONATION_BY_ID, donation_id=donation_id, funded=list(FUNDED))
    if not rows or (charity_id is not None and rows[0]["donation"]["charity_id"] != charity_id):
        raise DonationNotFoundError("no donation with that id among yours")
    return donation_from_row(rows[0])


def list_donations(store: Store, *, charity_id: str | None = None, limit: int = 100
                   ) -> list[Donation]:
    """Published donations, newest first (one charity's, or all with ``None``)."""
    rows = store.read(q.DONATIONS, charity_id=charity_id, funded=list(FUNDED),
                      limit=max(1, min(limit, 500)))
    return [donation_from_row(row) for row in rows]
