"""Health of the hub's backing services, for ``/healthz``, ``/readyz`` and GraphQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graph_schema import is_current, schema_version
from graph_schema.queries import schema as q
from hub.errors import StoreError
from hub.store import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    """Whether Neo4j answers and how far the schema is migrated."""

    neo4j: bool
    schema_version: int
    schema_current: bool


def check_health(store: Store) -> HealthReport:
    """Probe Neo4j with one cheap query; never raises (a failure reads as unhealthy).

    A single connection attempt first, so a dead server is reported within the connect
    timeout instead of after the store's retries.
    """
    if not store.ping():
        return HealthReport(neo4j=False, schema_version=0, schema_current=False)
    try:
        store.read(q.PING)
        version = schema_version(store)
        current = is_current(store)
    except StoreError as exc:
        logger.warning("health check failed: %s", type(exc).__name__)
        return HealthReport(neo4j=False, schema_version=0, schema_current=False)
    return HealthReport(neo4j=True, schema_version=version, schema_current=current)
