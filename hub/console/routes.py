"""The console's pages: sign-in, finding a household, its page, consent, verification.

Handlers are thin: read the form, check the CSRF token on writes, run one GraphQL
document through :mod:`hub.console.bridge`, render. Bad input is answered on the page
with a message naming the field, and nothing is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from hub.api.graphiql import load_demo_logins
from hub.auth import AuthenticationError
from privacy import InvalidIdentifierError, Purpose, normalise_id_number, purpose_allowed

from .bridge import PageData, SignInRequiredError, principal_of, run_document
from .security import csrf_ok
from .session import COOKIE_NAME, SESSION_TTL_SECONDS, ConsoleSession

HERE = Path(__file__).parent
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)))

PURPOSE_LABELS = {
    "verification": "经济状况核对", "aid_administration": "救助经办",
    "overlap_check": "重复救助核查", "monitoring": "动态监测",
    "charity_matching": "慈善帮扶对接", "audit": "审计"}
CSRF_FAILED = "表单已失效（CSRF 校验失败），请刷新后重试；未作任何更改"
MAX_FIELD_CHARS = 200  # a longer form field is refused with a message (nothing is written)

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


def _session(request: Request) -> ConsoleSession | None:
    return request.app.state.console_sealer.open(request.cookies.get(COOKIE_NAME))


def _set_session(response: Response, request: Request, session: ConsoleSession) -> None:
    response.set_cookie(COOKIE_NAME, request.app.state.console_sealer.seal(session),
                        max_age=SESSION_TTL_SECONDS, path="/console", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def _render(request: Request, name: str, context: dict[str, Any], *,
            status_code: int = 200) -> Response:
    session = _session(request)
    base: dict[str, Any] = {"errors": [], "notices": [], "who": None, "csrf": "",
                            "purpose": "", "purpose_label": ""}
    if session is not None:
        try:
            base["who"] = principal_of(request, session)
        except SignInRequiredError:
            session = None
    if session is not None:
        base.update(csrf=session.csrf, purpose=session.purpose,
                    purpose_label=PURPOSE_LABELS.get(session.purpose, session.purpose))
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)


def _to_signin() -> Response:
    return RedirectResponse("/console/signin", status_code=303)


def _messages(page: PageData) -> list[str]:
    return [f"{message}（{code}）" for code, message in page.errors]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _too_long(fields: dict[str, str]) -> str | None:
    for key, value in fields.items():
        if len(value) > MAX_FIELD_CHARS:
            return f"字段 {key} 过长（{len(value)} 字符，上限 {MAX_FIELD_CHARS}），未作任何更改"
    return None


# -- sign-in --------------------------------------------------------------------------------
async def signin(request: Request) -> Response:
    """GET: the form (in dev mode, a link per demo user); POST: open a session."""
    dev = request.app.state.settings.dev_mode
    logins = load_demo_logins(request.app.state.settings.demo_tokens_path) if dev else {}
    if request.method == "GET":
        chosen = request.query_params.get("as")
        if dev and chosen in logins:  # dev sign-in: the demo user's token and purpose
            headers = logins[chosen].headers
            token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
            return await _open_session(request, token, headers.get("X-Purpose", ""))
        return _render(request, "signin.html", {
            "purposes": list(PURPOSE_LABELS.items()), "chosen": None,
            "demo_users": sorted(logins)})
    fields = await _form(request)
    return await _open_session(request, fields.get("token", "").strip(),
                               fields.get("purpose", ""))


async def _open_session(request: Request, token: str, purpose: str) -> Response:
    problem = None
    try:
        principal = request.app.state.verifier.verify(token)
        if purpose not in PURPOSE_LABELS or not purpose_allowed(principal, Purpose(purpose)):
            problem = "该用户的角色不能以此用途使用数据"
    except AuthenticationError as exc:
        problem = f"令牌无效：{exc}"
    if problem:
        return _render(request, "signin.html", {
            "errors": [problem], "purposes": list(PURPOSE_LABELS.items()), "chosen": purpose,
            "demo_users": []}, status_code=400)
    response = RedirectResponse("/console/", status_code=303)
    _set_session(response, request, ConsoleSession.open(token, purpose))
    return response


async def signout(request: Request) -> Response:
    """Close the session (a POST with the CSRF token)."""
    session = _session(request)
    fields = await _form(request)
    if session is not None and not csrf_ok(session.csrf, fields.get("csrf")):
        return _render(request, "home.html", {"errors": [CSRF_FAILED]}, status_code=403)
    response = _to_signin()
    response.delete_cookie(COOKIE_NAME, path="/console")
    return response


# -- caseworker -------------------------------------------------------------------------------
async def home(request: Request) -> Response:
    """Find a household by a member's ID number."""
    if _session(request) is None:
        return _to_signin()
    return _render(request, "home.html", {})


async def household(request: Request) -> Response:
    """A household: members, supporters, aid from every department, assets."""
    session = _session(request)
    raw_id = request.query_params.get("id_number", "").strip()
    household_id = request.query_params.get("household_id", "").strip()
    variables: dict[str, Any] = {}
    if raw_id:
        try:
            variables["idNumber"] = normalise_id_number(raw_id)
        except (InvalidIdentifierError, ValueError):
            return _render(request, "home.html", {
                "errors": ["身份证号格式不正确（应为 18 位，末位为数字或 X，校验位须正确）"]},
                status_code=400)
    elif household_id and len(household_id) <= MAX_FIELD_CHARS:
        variables["householdId"] = household_id
    else:
        return _render(request, "home.html", {"errors": ["请输入成员身份证号"]}, status_code=400)
    try:
        page = await run_document(request, session, HOUSEHOLD_DOCUMENT, variables)
    except SignInRequiredError:
        return _to_signin()
    found = page.data.get("household")
    errors = _messages(page) or ([] if found else ["未找到该家庭（或不在您的管辖范围内）"])
    assert session is not None
    return _render(request, "household.html", {
        "household": found, "errors": errors,
        "can_consent": session.purpose == "aid_administration",
        "can_verify": session.purpose == "verification",
        "default_expiry": (date.today() + timedelta(days=180)).isoformat()},
        status_code=200 if found else 404)


async def consent(request: Request) -> Response:
    """Record the household's verification consent (CSRF-checked; bad input writes nothing)."""
    session = _session(request)
    if session is None:
        return _to_signin()
    fields = await _form(request)
    if not csrf_ok(session.csrf, fields.get("csrf")):
        return _render(request, "home.html", {"errors": [CSRF_FAILED]}, status_code=403)
    problem = _too_long(fields)
    household_id = fields.get("household_id", "")
    try:
        expires = datetime.combine(date.fromisoformat(fields.get("expires", "")),
                                   datetime.min.time(), UTC)
    except ValueError:
        problem = problem or "有效期日期格式不正确（应为 YYYY-MM-DD）"
    if not problem and not fields.get("evidence_ref", "").strip():
        problem = "请填写授权书编号"
    if problem:
        return _render(request, "home.html", {"errors": [problem]}, status_code=400)
    variables = {"consent": {
        "subjectKind": "HOUSEHOLD", "subjectId": household_id, "purpose": "verification",
        "grantee": fields.get("grantee", "").strip(), "expiresAt": expires.isoformat(),
        "evidenceRef": fields["evidence_ref"].strip()}}
    try:
        page = await run_document(request, session, CONSENT_DOCUMENT, variables)
    except SignInRequiredError:
        return _to_signin()
    if not page.ok:
        return _render(request, "home.html", {"errors": _messages(page)}, status_code=400)
    consent_id = page.data["recordConsent"]["consentId"]
    return _render(request, "home.html", {"notices": [f"已登记核对授权 {consent_id}"]})


async def verify(request: Request) -> Response:
    """Verify the household of an applicant (ID number or person id) and show the report."""
    session = _session(request)
    if session is None:
        return _to_signin()
    applicant = request.query_params.get("applicant", "").strip()
    if not applicant:
        return _render(request, "verify.html", {"report": None})
    if len(applicant) > MAX_FIELD_CHARS:
        return _render(request, "verify.html", {"report": None, "errors": ["申请人字段过长"]},
                       status_code=400)
    try:
        page = await run_document(request, session, VERIFY_DOCUMENT, {"applicant": applicant})
    except SignInRequiredError:
        return _to_signin()
    return _render(request, "verify.html", {
        "report": page.data.get("verifyHousehold"), "errors": _messages(page),
        "applicant": applicant}, status_code=200 if page.ok else 400)


def console_mount() -> Mount:
    """The console under ``/console``."""
    return Mount("/console", routes=[
        Route("/", home, name="console-home"),
        Route("/signin", signin, methods=["GET", "POST"], name="console-signin"),
        Route("/signout", signout, methods=["POST"], name="console-signout"),
        Route("/household", household, name="console-household"),
        Route("/consent", consent, methods=["POST"], name="console-consent"),
        Route("/verify", verify, name="console-verify"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="console-static"),
    ])
