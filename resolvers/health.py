"""The ``health`` root field: is Neo4j reachable, which schema version is applied."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.health import HealthReport, check_health
from resolvers.context import HubContext


@strawberry.type(description="Liveness of the hub's backing services.")
class Health:
    neo4j: bool = strawberry.field(description="Neo4j answers a query.")
    schema_version: int = strawberry.field(description="Applied graph schema migration.")
    schema_current: bool = strawberry.field(description="Every known migration is applied.")

    @classmethod
    def from_report(cls, report: HealthReport) -> Health:
        """Build the GraphQL type from the service's report."""
        return cls(
            neo4j=report.neo4j,
            schema_version=report.schema_version,
            schema_current=report.schema_current,
        )


async def resolve_health(info: Info[HubContext, None]) -> Health:
    """Ask the health service; it never raises, a dead Neo4j reads as ``neo4j: false``."""
    report = await run_in_threadpool(check_health, info.context.store)
    return Health.from_report(report)
