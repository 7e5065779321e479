"""Console pages of this area (being built; see docs/console.md)."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
