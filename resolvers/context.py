"""The per-request context handed to every resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from hub.api.access import AccessGuard
from hub.auth import Principal
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store
from privacy import Purpose


@dataclass
class HubContext:
    """What a resolver may use: the request, the store (through services), and ``access``.

    ``access`` is the request's :class:`~hub.api.access.AccessGuard`: the principal, the
    declared purpose, the jurisdiction (``access.regions`` → ``$regions``), consent checks
    (``await access.require_consent(subject, action=…)``) and the audit notes.
    """

    request: Request | None
    store: Store
    access: AccessGuard
    audit: AuditLog | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    """Per-request DataLoaders by name (one batched query per list level, no N+1)."""
    kit: PrivacyKit | None = None  # keys for services that decrypt or blind-index in memory

    @property
    def principal(self) -> Principal:
        """The authenticated caller (a role-less placeholder if there is none)."""
        return self.access.principal

    @property
    def purpose(self) -> Purpose | None:
        """The purpose declared in ``X-Purpose``."""
        return self.access.purpose

    @property
    def correlation_id(self) -> str:
        """The request's correlation id (also in the response header and every error)."""
        return self.access.correlation_id

    @property
    def regions(self) -> list[str] | None:
        """Region codes rows are limited to (``None``: a national role)."""
        return self.access.regions
