"""The per-request context handed to every resolver."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from hub.store import Store


@dataclass
class HubContext:
    """What a resolver may use: the request and the hub's store (through services)."""

    request: Request
    store: Store
