"""Sign-in and sign-out: a bearer token and the purpose declared for the session.

In dev mode the sign-in page lists the demo users, each a link that opens a session with
that user's token and default purpose; in production the token is the JWT from the
organisation's identity provider, pasted or handed over by it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.api.graphiql import load_demo_logins
from hub.auth import AuthenticationError
from privacy import Purpose, purpose_allowed

from .pages import (
    CSRF_FAILED,
    NAVIGATION,
    PURPOSE_LABELS,
    form_fields,
    render,
    session_of,
    set_session,
    to_signin,
)
from .security import csrf_ok
from .session import COOKIE_NAME, ConsoleSession


async def signin(request: Request) -> Response:
    """GET: the form (in dev mode, a link per demo user); POST: open a session."""
    dev = request.app.state.settings.dev_mode
    logins = load_demo_logins(request.app.state.settings.demo_tokens_path) if dev else {}
    if request.method == "GET":
        chosen = request.query_params.get("as")
        if dev and chosen in logins:  # dev sign-in: the demo user's token and purpose
            headers = logins[chosen].headers
            token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
            purpose = request.query_params.get("purpose") or headers.get("X-Purpose", "")
            return await _open_session(request, token, purpose)
        return render(request, "signin.html", {
            "purposes": list(PURPOSE_LABELS.items()), "chosen": None,
            "demo_users": sorted(logins)})
    fields = await form_fields(request)
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
        return render(request, "signin.html", {
            "errors": [problem], "purposes": list(PURPOSE_LABELS.items()), "chosen": purpose,
            "demo_users": []}, status_code=400)
    response = RedirectResponse(f"/console{_landing(purpose)}", status_code=303)
    set_session(response, request, ConsoleSession.open(token, purpose))
    return response


def _landing(purpose: str) -> str:
    """The first page of the purpose's navigation."""
    return NAVIGATION.get(purpose, (("/", ""),))[0][0]


async def signout(request: Request) -> Response:
    """Close the session (a POST with the CSRF token)."""
    session = session_of(request)
    fields = await form_fields(request)
    if session is not None and not csrf_ok(session.csrf, fields.get("csrf")):
        return render(request, "home.html", {"errors": [CSRF_FAILED]}, status_code=403)
    response = to_signin()
    response.delete_cookie(COOKIE_NAME, path="/console")
    return response


ROUTES: list[BaseRoute] = [
    Route("/signin", signin, methods=["GET", "POST"], name="console-signin"),
    Route("/signout", signout, methods=["POST"], name="console-signout"),
]
