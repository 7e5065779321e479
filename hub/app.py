"""The starlette application: ``/graphql``, ``/healthz``, ``/readyz`` (and GraphiQL in dev).

The Neo4j driver opens and closes in the lifespan, so a test client used as a context
manager exercises both. Keys are loaded when the app is built, so a missing token key
(outside dev mode) or an insecure audit key file fails at start-up, not at the first
request. Middleware, outermost first: correlation id, body size (413), authentication and
purpose (401/400/405), per-principal rate limit (429), Neo4j unreachable (503); in dev
mode the answering worker's process id outermost. GraphiQL, introspection and field
suggestions only in dev mode; queries over GET never.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from hub.api.access import AccessGuard
from hub.api.authn import AuthMiddleware
from hub.api.body_limit import BodySizeLimitMiddleware
from hub.api.correlation import CorrelationIdMiddleware, correlation_id_of
from hub.api.db_guard import DatabaseGuardMiddleware
from hub.api.extensions import ApiLimits
from hub.api.graphiql import ASSETS_DIR, ASSETS_URL, load_demo_logins, page_config, render_page
from hub.api.rate_limit import Limiter, RateLimitMiddleware, TokenBucketLimiter
from hub.api.worker_header import WorkerHeaderMiddleware
from hub.auth import load_verifier
from hub.config import Settings
from hub.console import (
    ConsoleHeadersMiddleware,
    SessionSealer,
    console_exception_handlers,
    console_mount,
)
from hub.errors import ConfigError, StoreError
from hub.health import check_health
from hub.privacy_graph.audit import AuditLog, load_audit_key
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.privacy_graph.security_events import record_policy_version
from hub.store import Store
from privacy import PrivacyError
from resolvers.context import HubContext
from resolvers.schema import build_schema

logger = logging.getLogger(__name__)


class HubGraphQL(GraphQL):
    """Strawberry's ASGI view with the hub's context (principal, purpose, access guard),
    and in dev mode GraphiQL served from the package (see :mod:`hub.api.graphiql`)."""

    demo_tokens: Path | None = None

    async def render_graphql_ide(self, request: Any) -> Response:
        logins = load_demo_logins(self.demo_tokens) if self.demo_tokens else {}
        return HTMLResponse(render_page(page_config(logins, request.query_params)),
                            headers={"Cache-Control": "no-store"})

    async def get_context(self, request: Any, response: Any) -> HubContext:
        state = request.app.state
        guard = AccessGuard(
            principal=request.scope.get("state", {}).get("principal"),
            purpose=request.scope.get("state", {}).get("purpose"),
            correlation_id=correlation_id_of(request.scope),
            store=state.store, audit=state.audit)
        return HubContext(request=request, store=state.store, access=guard, audit=state.audit,
                          kit=state.kit)


async def healthz(request: Request) -> Response:
    """Liveness: the process serves requests (does not touch Neo4j)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: Neo4j reachable and the schema current; 503 otherwise (within the
    connect timeout, or at once while the store's circuit breaker is open)."""
    store = request.app.state.store
    report = await run_in_threadpool(check_health, store)
    ready = report.neo4j and report.schema_current
    body = {"ready": ready, "neo4j": report.neo4j, "schema_version": report.schema_version}
    if ready:
        return JSONResponse(body)
    return JSONResponse(body, status_code=503,
                        headers={"Retry-After": str(store.breaker.retry_after())})


def _open_kit(settings: Settings) -> PrivacyKit:
    """The field keys and blind indexer, for services that look up or decrypt in memory
    (verification, the pre-grant check by ID number)."""
    try:
        return open_privacy(settings)
    except PrivacyError as exc:
        raise ConfigError(f"cannot open the field keys: {exc}") from exc


def create_app(settings: Settings, store: Store | None = None, *,
               limiter: Limiter | None = None) -> Starlette:
    """Build the ASGI app; opens its own store in the lifespan unless one is given.

    Args:
        settings: the hub's settings.
        store: an open store to use (and leave open); else one opened in the lifespan.
        limiter: the rate limiter; by default in memory (one process). The workers of
            ``hub serve --workers N`` pass one they share.

    Raises:
        ConfigError: no token verification key outside dev mode, or an unusable audit key.
    """
    verifier = load_verifier(settings)
    try:
        load_audit_key(settings)  # an unusable audit key fails here, not at the first request
    except PrivacyError as exc:
        raise ConfigError(f"cannot open the audit key: {exc}") from exc
    kit = _open_kit(settings)
    sealer = SessionSealer(settings.keys_dir / "console-session.secret")
    limiter = limiter or TokenBucketLimiter(settings.rate_limit_per_minute)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        # a worker (re)started while Neo4j is down comes up answering 503 until it is back
        app.state.store = store if store is not None else Store.connect(
            settings, for_api=True, start_unreachable=True)
        app.state.audit = AuditLog.open(app.state.store, settings)  # anchored beside its key
        app.state.kit = kit
        app.state.schema = graphql.schema  # the console runs the same schema in process
        app.state.verifier = verifier
        app.state.settings = settings
        app.state.console_sealer = sealer
        app.state.limiter = limiter  # the console takes from the API's buckets
        try:  # a changed access policy is itself an audited event (三员分立)
            await run_in_threadpool(record_policy_version, app.state.store, app.state.audit)
        except StoreError as exc:
            logger.warning("the access-policy version could not be recorded yet: %s", exc)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    limits = ApiLimits(max_depth=settings.max_query_depth, max_aliases=settings.max_aliases,
                       max_tokens=settings.max_query_tokens, max_cost=settings.max_query_cost)
    graphql = HubGraphQL(
        build_schema(dev_mode=settings.dev_mode, limits=limits),
        graphql_ide="graphiql" if settings.dev_mode else None,
        allow_queries_via_get=False,
    )
    graphql.demo_tokens = settings.demo_tokens_path
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        console_mount(),
    ]
    if settings.dev_mode:  # GraphiQL's scripts and styles, vendored (no CDN)
        routes.append(Mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="graphiql"))
    middleware = [
        Middleware(CorrelationIdMiddleware),
        Middleware(ConsoleHeadersMiddleware),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(AuthMiddleware, verifier=verifier, dev_mode=settings.dev_mode),
        Middleware(RateLimitMiddleware, limiter=limiter),
        Middleware(DatabaseGuardMiddleware),
    ]
    if settings.dev_mode:  # which worker process answered
        middleware.insert(0, Middleware(WorkerHeaderMiddleware))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                     exception_handlers=console_exception_handlers())
