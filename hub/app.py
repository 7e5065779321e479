"""The starlette application: ``/graphql``, ``/healthz``, ``/readyz`` (and GraphiQL in dev).

The Neo4j driver opens and closes in the lifespan, so a test client used as a context
manager exercises both. GraphiQL and GET queries are off unless ``settings.dev_mode``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from hub.config import Settings
from hub.health import check_health
from hub.store import Store
from resolvers import schema
from resolvers.context import HubContext


class HubGraphQL(GraphQL):
    """Strawberry's ASGI view with the hub's context."""

    async def get_context(self, request: Any, response: Any) -> HubContext:
        return HubContext(request=request, store=request.app.state.store)


async def healthz(request: Request) -> Response:
    """Liveness: the process serves requests (does not touch Neo4j)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: Neo4j reachable and the schema current; 503 otherwise."""
    report = await run_in_threadpool(check_health, request.app.state.store)
    ready = report.neo4j and report.schema_current
    body = {"ready": ready, "neo4j": report.neo4j, "schema_version": report.schema_version}
    return JSONResponse(body, status_code=200 if ready else 503)


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """Build the ASGI app; opens its own store in the lifespan unless one is given."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else Store.connect(settings)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    graphql = HubGraphQL(
        schema,
        graphql_ide="graphiql" if settings.dev_mode else None,
        allow_queries_via_get=False,
    )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
