"""The charity-matching demo: one donation matched end to end through the real API.

On a linked graph it plays the three parties over HTTP (in process, with development
tokens), so every step passes the same policy, consent checks and audit log as real use:
a caseworker registers a charity and records consents for a few recipients; the charity
publishes a donation and lists its de-identified matches; the caseworker confirms the
best one and records the recipient's acceptance; the charity reads the contact the
acceptance released (an audit event). ``emit`` receives one line per step.

The caller passes the HTTP client; this module never builds the app. Why: a domain
package that imports ``hub.app`` depends on the whole API layer above it (an import
cycle waiting to happen), and one that imports a test client ships test machinery in the
product. The command line composes the application anyway (``hub serve``), so it builds
the app, serves it on a loopback port and hands a real client in
(:func:`hub.cli._local_api.local_api`); tests may hand in their own. Moving the driver
into ``hub/cli`` instead would put seven GraphQL documents and the demo's story into a
command module whose job is parsing arguments and printing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from graph_schema.queries import charity as q
from hub.auth import hs_secret, issue_dev_token
from hub.charity.model import CharityError
from hub.config import Settings
from hub.errors import ConfigError
from hub.store import Store

DEMO_CHARITY = "CH-DEMO-WARMTH"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did, for callers and tests."""

    region: str
    consents: int
    matches: int
    token: str
    status: str
    contact_disclosed: bool


class JsonResponse(Protocol):
    """What the demo reads of an HTTP response."""

    def json(self, **kwargs: Any) -> Any:
        """The decoded JSON body."""
        ...


class ApiClient(Protocol):
    """An HTTP client whose relative URLs reach the hub's API (``httpx.Client`` with a
    ``base_url``, or a test client)."""

    def post(self, url: str, *, json: Any = None,
             headers: dict[str, str] | None = None) -> JsonResponse:
        """Send a POST request."""
        ...


class _Api:
    """A GraphQL caller with one party's token and purpose."""

    def __init__(self, client: ApiClient, settings: Settings, *, org: str, role: str,
                 region: str, purpose: str) -> None:
        secret = hs_secret(settings)
        if secret is None:
            raise ConfigError("the demo needs HUB_JWT_SECRET or development mode")
        bearer = issue_dev_token(secret, subject=f"demo-{role}", org=org, roles=[role],
                                 regions=[region], audience=settings.jwt_audience,
                                 issuer=settings.jwt_issuer)
        self._client = client
        self._headers = {"Authorization": f"Bearer {bearer}", "X-Purpose": purpose}

    def __call__(self, document: str, **variables: Any) -> dict[str, Any]:
        body = self._client.post("/graphql", json={"query": document, "variables": variables},
                                 headers=self._headers).json()
        if body.get("errors"):
            raise CharityError("; ".join(e["message"] for e in body["errors"]))
        return body["data"]


def run_charity_demo(store: Store, settings: Settings, client: ApiClient, *,
                     emit: Callable[[str], None],
                     region: str | None = None, recipients: int = 4,
                     today: date | None = None) -> DemoSummary:
    """Match one donation end to end on the linked graph in ``store``.

    Args:
        store: A migrated, linked graph.
        settings: The hub's settings (development mode, or a JWT secret, for tokens).
        client: Reaches the API served over ``store`` with ``settings``.
        emit: Receives one printable line per step.
        region: County to use (default: the one with most current 低保/特困 recipients).
        recipients: How many recipients give consent.
        today: The demo's date (default: today).

    Raises:
        CharityError: a step was refused (the API's message).
        ConfigError: no key to sign development tokens.
    """
    day = today or datetime.now(UTC).date()
    if region is None:
        rows = store.read(q.DEMO_REGIONS, today=day)
        if not rows:
            raise CharityError("the graph holds no current 低保/特困 recipients")
        region = str(rows[0]["region"])
    people = [r["person_id"] for r in store.read(q.DEMO_RECIPIENTS, region=region,
                                                 today=day, n=recipients)]
    case = _Api(client, settings, org="民政", role="caseworker", region=region,
                purpose="aid_administration")
    charity = _Api(client, settings, org=DEMO_CHARITY, role="charity", region=region,
                   purpose="charity_matching")
    case("""mutation($id: String!, $name: String!) {
        registerCharity(charityId: $id, name: $name) { charityId } }""",
         id=DEMO_CHARITY, name="暖冬慈善基金会")
    emit(f"1. 民政 registered charity {DEMO_CHARITY} (暖冬慈善基金会)")
    expires = (datetime.now(UTC) + timedelta(days=180)).isoformat()
    for n, person in enumerate(people, 1):
        case("""mutation($c: RecordConsentInput!) {
            recordConsent(consent: $c) { consentId } }""",
             c={"subjectKind": "PERSON", "subjectId": person,
                "purpose": "charity_matching", "grantee": DEMO_CHARITY,
                "expiresAt": expires, "evidenceRef": f"DEMO-CONSENT-{n}",
                "categories": ["winter_heating"]})
    emit(f"2. 民政 recorded {len(people)} consents (charity_matching, winter_heating, "
         f"180 days) in county {region}")
    donation = charity("""mutation($d: DonationInput!) {
        publishDonation(donation: $d) { donationId title } }""",
                       d={"title": "冬季取暖补助（煤炭）", "category": "winter_heating",
                          "region": region[:4], "periodStart": day.isoformat(),
                          "periodEnd": (day + timedelta(days=120)).isoformat(),
                          "quantity": 2, "amountPerRecipient": 800.0,
                          "programmeStatuses": ["dibao", "tekun"]})["publishDonation"]
    emit(f"3. {DEMO_CHARITY} published donation {donation['donationId']}: "
         f"{donation['title']}, 2 places, 800 元 each")
    found = charity("""query($id: ID!) { donationMatches(donationId: $id) {
        matches { referralToken regionCode category householdSize reasons score }
        excludedGovernmentAid excludedAlreadyMatched } }""",
                    id=donation["donationId"])["donationMatches"]
    emit(f"4. donationMatches → {len(found['matches'])} de-identified matches "
         f"({found['excludedGovernmentAid']} left out: government aid covers the need; "
         f"{found['excludedAlreadyMatched']} already funded)")
    for m in found["matches"]:
        emit(f"   {m['referralToken']}  county {m['regionCode']}  household of "
             f"{m['householdSize']}  score {m['score']}  — {'; '.join(m['reasons'][2:])}")
    if not found["matches"]:
        return DemoSummary(region, len(people), 0, "", "", False)
    token = found["matches"][0]["referralToken"]
    status = case("""mutation($t: String!) { confirmReferral(referralToken: $t)
        { status } }""", t=token)["confirmReferral"]["status"]
    emit(f"5. 民政 caseworker confirmed {token} → {status}")
    status = case("""mutation($t: String!) { recordReferralDecision(referralToken: $t,
        accepted: true, evidenceRef: "DEMO-ANSWER-1") { status } }""",
                  t=token)["recordReferralDecision"]["status"]
    emit(f"6. the recipient accepted (recorded by the caseworker, evidence "
         f"DEMO-ANSWER-1) → {status}")
    shown = charity("""query($t: String!) { referralContact(referralToken: $t)
        { name phone regionCode } }""", t=token)["referralContact"]
    emit(f"7. {DEMO_CHARITY} reads the released contact: name {shown['name']}, phone "
         f"{shown['phone'] or '(none on file)'} — written to the audit log")
    return DemoSummary(region, len(people), len(found["matches"]), token, status,
                       shown["name"] is not None)
