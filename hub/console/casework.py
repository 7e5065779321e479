"""The caseworker's and the verifier's pages: find a household (by a member's ID number,
or by name and birth date), its page, consent, verify.

The household page shows members, legal supporters, aid from every department and
assets, each value as the household document returns it for the session's role and
purpose; a value policy withholds is shown as such, never filled in from elsewhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from privacy import InvalidIdentifierError, normalise_id_number

from .bridge import run_document
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

PEOPLE_DOCUMENT = """
query ConsolePeople($name: String!, $birthDate: Date!) {
  people(name: $name, birthDate: $birthDate, first: 20) {
    personId name birthDate regionCode householdId
  }
}"""
MAX_NAME_CHARS = 64  # the API's limit (resolvers.people.MAX_NAME_CHARS)

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


def _name_problem(name: str, raw_date: str) -> str | None:
    """A message for a missing or malformed name or birth date, or ``None``."""
    if not name:
        return "请输入姓名"
    if len(name) > MAX_NAME_CHARS:
        return f"姓名过长（{len(name)} 字符，上限 {MAX_NAME_CHARS}）"
    if not raw_date:
        return "请输入出生日期"
    try:
        if len(raw_date) != 10:
            raise ValueError(raw_date)
        date.fromisoformat(raw_date)
    except ValueError:
        return "出生日期格式不正确（应为 YYYY-MM-DD，如 1980-01-31）"
    return None


async def find(request: Request) -> Response:
    """Find people by name and birth date: one with a household opens its page, several
    (or one without a household) are listed to choose from, none says so."""
    session = session_of(request)
    if session is None:
        return to_signin()
    name = request.query_params.get("name", "").strip()
    raw_date = request.query_params.get("birth_date", "").strip()
    shown = {"name": name[:MAX_FIELD_CHARS], "birth_date": raw_date[:MAX_FIELD_CHARS]}
    problem = _name_problem(name, raw_date)
    if problem:
        return render(request, "home.html", {**shown, "errors": [problem]}, status_code=400)
    page = await run_document(request, session, PEOPLE_DOCUMENT,
                              {"name": name, "birthDate": raw_date})
    matches = page.data.get("people") or []
    if not page.ok:
        return render(request, "home.html", {**shown, "errors": messages(page)},
                      status_code=400)
    if not matches:
        return render(request, "home.html", {**shown, "errors": [
            "未找到姓名与出生日期都相符的人员（或不在您的管辖范围内）"]}, status_code=404)
    if len(matches) == 1 and matches[0].get("householdId"):
        target = urlencode({"household_id": matches[0]["householdId"]})
        return RedirectResponse(f"/console/household?{target}", status_code=303)
    return render(request, "home.html", {**shown, "matches": matches})


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
    page = await run_document(request, session, HOUSEHOLD_DOCUMENT, variables)
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
    page = await run_document(request, session, CONSENT_DOCUMENT, variables)
    if not page.ok:
        return render(request, "home.html", {"errors": messages(page)},
                      status_code=page.status)
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
    page = await run_document(request, session, VERIFY_DOCUMENT, {"applicant": applicant})
    return render(request, "verify.html", {
        "report": page.data.get("verifyHousehold"), "errors": messages(page),
        "applicant": applicant}, status_code=page.status)


ROUTES: list[BaseRoute] = [
    Route("/", home, name="console-home"),
    Route("/household", household, name="console-household"),
    Route("/find", find, name="console-find"),
    Route("/consent", consent, methods=["POST"], name="console-consent"),
    Route("/verify", verify, name="console-verify"),
]
