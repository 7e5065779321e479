"""The console's routes: each area's pages, mounted under ``/console``.

An area module (sign-in, casework, overlap, alerts, review, charity, audit) keeps its
handlers and exports ``ROUTES``; this module only assembles them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from . import alerts, audit, casework, charity, overlap, reverification, review, signin
from .pages import HERE

AREAS: tuple[list[BaseRoute], ...] = (
    signin.ROUTES, casework.ROUTES, reverification.ROUTES, overlap.ROUTES, alerts.ROUTES,
    review.ROUTES, charity.ROUTES, audit.ROUTES)


def console_mount() -> Mount:
    """The console under ``/console``."""
    routes: list[BaseRoute] = [route for area in AREAS for route in area]
    routes.append(Mount("/static", StaticFiles(directory=HERE / "static"),
                        name="console-static"))
    return Mount("/console", routes=routes)
