"""What ``hub demo`` prepares after loading the set so a visitor can try the API at once.

Development tokens for each kind of user (signed with the dev secret of this data
directory, valid for a day), a verification consent for one household so
``verifyHousehold`` answers, and a monitoring run so alerts exist. The tokens are written
to ``<data_dir>/demo/tokens.json`` (mode 0600), never printed in logs beyond the console
of the person who started the demo.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from graph_schema.queries import demo as q
from hub.auth import Principal, dev_secret, issue_dev_token
from hub.charity.demo import DEMO_CHARITY
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.consent import record_consent
from hub.privacy_graph.security_events import operation_event
from hub.store import Store
from privacy import Purpose, purpose_allowed

DEMO_AS_OF = date(2026, 10, 31)
"""The generator's reference date: monitoring judges the demo set on it."""

TOKEN_TTL = timedelta(days=1)
VERIFIER_ORG = "核对中心"
CHARITY_ORG = DEMO_CHARITY  # the charity of the charity demo: its donation is listed

# (name, org, roles, purpose to declare)
_USERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("caseworker", "民政", ("caseworker",), "aid_administration"),
    ("verifier", VERIFIER_ORG, ("verifier",), "verification"),
    ("department", "医保", ("department",), "overlap_check"),
    ("charity", CHARITY_ORG, ("charity",), "charity_matching"),
    ("auditor", "审计", ("auditor",), "audit"),
)


@dataclass
class DemoUser:
    """A development principal: its token and the purpose it declares by default."""

    name: str
    org: str
    roles: tuple[str, ...]
    purpose: str
    token: str

    def headers(self, purpose: str | None = None) -> dict[str, str]:
        """Headers to paste into GraphiQL's header pane (default: the user's purpose)."""
        return {"Authorization": f"Bearer {self.token}", "X-Purpose": purpose or self.purpose}

    def purposes(self) -> list[str]:
        """Every purpose this user's role may declare (the policy's, in its order)."""
        who = Principal(subject=f"demo-{self.name}", org=self.org, roles=self.roles,
                        regions=())
        return [p.value for p in Purpose if purpose_allowed(who, p)]


@dataclass
class DemoTour:
    """Tokens, the household with a verification consent, and where the tokens are."""

    users: list[DemoUser] = field(default_factory=list)
    consented_household: str | None = None
    consented_person: str | None = None
    tokens_file: Path | None = None


def issue_demo_tokens(settings: Settings, regions: list[str]) -> list[DemoUser]:
    """One token per kind of user, limited to the demo set's regions."""
    secret = settings.jwt_secret or dev_secret(settings.dev_jwt_secret_path)
    users = []
    for name, org, roles, purpose in _USERS:
        token = issue_dev_token(secret, subject=f"demo-{name}", org=org, roles=list(roles),
                                regions=regions, ttl=TOKEN_TTL)
        users.append(DemoUser(name, org, roles, purpose, token))
    return users


def prepare_tour(store: Store, settings: Settings) -> DemoTour:
    """Issue tokens, record a verification consent for one household, save the tokens."""
    regions = sorted(row["r"] for row in store.read(q.DEMO_REGIONS))
    tour = DemoTour(users=issue_demo_tokens(settings, regions))
    AuditLog.open(store, settings).append_many([  # issued tokens are audited (三员分立)
        operation_event("security.token_issue",
                        f"demo token for demo-{user.name}: roles {','.join(user.roles)}, "
                        f"regions {','.join(regions) or 'none'}", org=user.org)
        for user in tour.users])
    rows = store.read(q.DEMO_HOUSEHOLD)
    if rows:
        tour.consented_household = rows[0]["household_id"]
        tour.consented_person = rows[0]["person_id"]
        record_consent(store, subject_kind="household", subject_id=tour.consented_household,
                       purpose="verification", grantee=VERIFIER_ORG,
                       expires_at=datetime.now(UTC) + timedelta(days=180),
                       evidence_ref="DEMO-AUTH-0001", recorded_by="demo-caseworker",
                       regions=None)
    tour.tokens_file = _save_tokens(settings.data_dir / "demo" / "tokens.json", tour)
    return tour


def _save_tokens(path: Path, tour: DemoTour) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {u.name: {"org": u.org, "roles": list(u.roles), "headers": u.headers(),
                        "headers_by_purpose": {p: u.headers(p) for p in u.purposes()}}
               for u in tour.users}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False, indent=2)
    return path


@dataclass(frozen=True)
class Example:
    """A query to try: as which demo user, under which purpose."""

    user: str
    purpose: str
    title: str
    query: str


EXAMPLE_QUERIES: tuple[Example, ...] = (
    Example("caseworker", "aid_administration", "who am I, and is the hub healthy",
            "{ me { subject org roles purpose } health { neo4j schemaVersion } }"),
    Example("caseworker", "aid_administration", "one household across every department",
            '{ household(householdId: "{household}") { householdId regionCode urbanRural '
            "members { relation state person { personId name idNumber aidChain { programme "
            "department period amount } } } } }"),
    Example("verifier", "verification", "verify the household that consented",
            '{ verifyHousehold(applicant: "{person}") { category monthlyAmount '
            "perCapitaIncome steps { rule outcome } } }"),
    Example("department", "overlap_check", "does this person already get aid (医保)",
            '{ overlaps(person: "{person}") { receiving programmes { programme department } } }'),
    Example("caseworker", "monitoring", "alerts routed to 民政",
            "{ monitoringAlerts(first: 5) { alerts { alertId type status department "
            "sources { department recordId } } } }"),
    Example("charity", "charity_matching", "the charity's published donations",
            "{ donations { donationId title category quantity allocated periodEnd } }"),
    Example("auditor", "audit", "the latest audit events",
            "{ auditEvents(first: 5) { events { seq actor action decision subjectRef } "
            "nextCursor } }"),
)
"""Queries printed by ``hub demo``; ``{household}`` / ``{person}`` stand for the consented
household and one of its members (see :func:`render_example`)."""


def render_example(query: str, tour: DemoTour) -> str:
    """Fill in the demo's household and person."""
    return (query.replace("{household}", tour.consented_household or "")
            .replace("{person}", tour.consented_person or ""))
