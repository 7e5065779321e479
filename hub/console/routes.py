"""The console's routes: each area's pages, mounted under ``/console``.

An area module (sign-in, casework, overlap, alerts, review, charity, audit) keeps its
handlers and exports ``ROUTES``; this module only assembles them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from . import alerts, audit, casework, charity, overlap, reverification, review, signin
from .bridge import RateLimitedError, SignInRequiredError
from .pages import CODE_MESSAGES, HERE, render, to_signin

AREAS: tuple[list[BaseRoute], ...] = (
    signin.ROUTES, casework.ROUTES, reverification.ROUTES, overlap.ROUTES, alerts.ROUTES,
    review.ROUTES, charity.ROUTES, audit.ROUTES)


async def rate_limited(request: Request, exc: Exception) -> Response:
    """429 with ``Retry-After`` and the reason on the page (nothing was read or written)."""
    assert isinstance(exc, RateLimitedError)
    message = (f"{CODE_MESSAGES['RATE_LIMITED']}（约 {exc.retry_after} 秒后）；"
               "本次请求未读取或更改任何数据")
    response = render(request, "home.html", {"errors": [message]}, status_code=429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def signed_out(request: Request, exc: Exception) -> Response:
    """A session whose token no longer verifies: back to the sign-in page."""
    return to_signin()


def console_exception_handlers() -> dict[Any, Any]:
    """The app-level handlers for what any console page may raise."""
    return {RateLimitedError: rate_limited, SignInRequiredError: signed_out}


def console_mount() -> Mount:
    """The console under ``/console``."""
    routes: list[BaseRoute] = [route for area in AREAS for route in area]
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"),
                        name="console-static"))
    return Mount("/console", routes=routes)
