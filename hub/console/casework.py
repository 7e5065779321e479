"""The caseworker's and the verifier's pages: find a household, its page, consent, verify.

The household page shows members, legal supporters, aid from every department and
assets, each value as the household document returns it for the session's role and
purpose; a value policy withholds is shown as such, never filled in from elsewhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from privacy import InvalidIdentifierError, normalise_id_number

from .bridge import SignInRequiredError, run_document
from .household_graph import household_graph
from .pages import (
    CSRF_FAILED,
    MAX_FIELD_CHARS,
    form_fields,
    messages,
    render,
    session_of,
    to_signin,
    too_long,
)
from .security import csrf_ok

HOUSEHOLD_DOCUMENT = """
query ConsoleHousehold($idNumber: String, $householdId: String) {
  household(idNumber: $idNumber, householdId: $householdId) {
    householdId regionCode urbanRural township address
    members { relation state
      person { personId name idNumber birthDate }
      supporters { personId kind } }
    aid { personId programme department period amount }
    assets { personId kind department role }
  }
}"""

CONSENT_DOCUMENT = """
mutation ConsoleConsent($consent: RecordConsentInput!) {
  recordConsent(consent: $consent) { consentId }
}"""

VERIFY_DOCUMENT = """
query ConsoleVerify($applicant: String!) {
  verifyHousehold(applicant: $applicant) {
    householdId asOf ruleset category phaseOut monthlyAmount perCapitaIncome
    figures { name value }
    steps { rule description outcome sources { department recordId } }
    assetIssues
  }
}"""


async def home(request: Request) -> Response:
    """Find a household by a member's ID number."""
    if session_of(request) is None:
        return to_signin()
    return render(request, "home.html", {})


async def household(request: Request) -> Response:
    """A household: members, supporters, aid from every department, assets."""
    session = session_of(request)
    raw_id = request.query_params.get("id_number", "").strip()
    household_id = request.query_params.get("household_id", "").strip()
    variables: dict[str, Any] = {}
    if raw_id:
        try:
            variables["idNumber"] = normalise_id_number(raw_id)
        except (InvalidIdentifierError, ValueError):
            return render(request, "home.html", {
                "errors": ["身份证号格式不正确（应为 18 位，末位为数字或 X，校验位须正确）"]},
                status_code=400)
    elif household_id and len(household_id) <= MAX_FIELD_CHARS:
        variables["householdId"] = household_id
    else:
        return render(request, "home.html", {"errors": ["请输入成员身份证号"]}, status_code=400)
    try:
        page = await run_document(request, session, HOUSEHOLD_DOCUMENT, variables)
    except SignInRequiredError:
        return to_signin()
    found = page.data.get("household")
    errors = messages(page) or ([] if found else ["未找到该家庭（或不在您的管辖范围内）"])
    assert session is not None
    return render(request, "household.html", {
        "household": found, "errors": errors,
        "graph": household_graph(found) if found else None,
        "can_consent": session.purpose == "aid_administration",
        "can_verify": session.purpose == "verification",
        "default_expiry": (date.today() + timedelta(days=180)).isoformat()},
        status_code=200 if found else 404)


async def consent(request: Request) -> Response:
    """Record the household's verification consent (CSRF-checked; bad input writes nothing)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    fields = await form_fields(request)
    if not csrf_ok(session.csrf, fields.get("csrf")):
        return render(request, "home.html", {"errors": [CSRF_FAILED]}, status_code=403)
    problem = too_long(fields)
    household_id = fields.get("household_id", "")
    try:
        expires = datetime.combine(date.fromisoformat(fields.get("expires", "")),
                                   datetime.min.time(), UTC)
    except ValueError:
        problem = problem or "有效期日期格式不正确（应为 YYYY-MM-DD）"
    if not problem and not fields.get("evidence_ref", "").strip():
        problem = "请填写授权书编号"
    if problem:
        return render(request, "home.html", {"errors": [problem]}, status_code=400)
    variables = {"consent": {
        "subjectKind": "HOUSEHOLD", "subjectId": household_id, "purpose": "verification",
        "grantee": fields.get("grantee", "").strip(), "expiresAt": expires.isoformat(),
        "evidenceRef": fields["evidence_ref"].strip()}}
    try:
        page = await run_document(request, session, CONSENT_DOCUMENT, variables)
    except SignInRequiredError:
        return to_signin()
    if not page.ok:
        return render(request, "home.html", {"errors": messages(page)}, status_code=400)
    consent_id = page.data["recordConsent"]["consentId"]
    return render(request, "home.html", {"notices": [f"已登记核对授权 {consent_id}"]})


async def verify(request: Request) -> Response:
    """Verify the household of an applicant (ID number or person id) and show the report."""
    session = session_of(request)
    if session is None:
        return to_signin()
    applicant = request.query_params.get("applicant", "").strip()
    if not applicant:
        return render(request, "verify.html", {"report": None})
    if len(applicant) > MAX_FIELD_CHARS:
        return render(request, "verify.html", {"report": None, "errors": ["申请人字段过长"]},
                       status_code=400)
    try:
        page = await run_document(request, session, VERIFY_DOCUMENT, {"applicant": applicant})
    except SignInRequiredError:
        return to_signin()
    return render(request, "verify.html", {
        "report": page.data.get("verifyHousehold"), "errors": messages(page),
        "applicant": applicant}, status_code=200 if page.ok else 400)


ROUTES: list[BaseRoute] = [
    Route("/", home, name="console-home"),
    Route("/household", household, name="console-household"),
    Route("/consent", consent, methods=["POST"], name="console-consent"),
    Route("/verify", verify, name="console-verify"),
]
