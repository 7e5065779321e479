"""Helpers for API tests: settings with a known token secret, tokens, GraphQL posts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.testclient import TestClient

from hub.auth import issue_dev_token
from hub.config import Settings

TEST_JWT_SECRET = "test-secret-for-the-hub-api-0123456789abcdef"


def api_settings(base: Settings, **changes: Any) -> Settings:
    """Production-mode settings on the test server with a fixed HS256 secret."""
    from hub.config import Secret

    values: dict[str, Any] = {"jwt_secret": Secret(TEST_JWT_SECRET), "dev_mode": False,
                              "audit_checkpoint_every": 5}
    values.update(changes)
    return base.with_overrides(**values)


def token(*roles: str, org: str = "民政", regions: tuple[str, ...] = ("659001",),
          subject: str = "staff-001", ttl: timedelta = timedelta(hours=1),
          secret: str = TEST_JWT_SECRET) -> str:
    """A signed HS256 token for the test secret."""
    return issue_dev_token(secret, subject=subject, org=org, roles=list(roles or ("caseworker",)),
                           regions=list(regions), ttl=ttl)


def headers(bearer: str | None, purpose: str | None = "aid_administration") -> dict[str, str]:
    """Authorization and X-Purpose headers."""
    out: dict[str, str] = {}
    if bearer is not None:
        out["Authorization"] = f"Bearer {bearer}"
    if purpose is not None:
        out["X-Purpose"] = purpose
    return out


def gql(client: TestClient, query: str, *, bearer: str | None = None,
        purpose: str | None = "aid_administration", variables: dict[str, Any] | None = None,
        ) -> Any:
    """POST a GraphQL document; returns the httpx response."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql", json=body, headers=headers(bearer, purpose))
