"""The strawberry schema: root query and mutation types assembled from resolver modules.

:func:`build_schema` adds the hardening extensions (limits, policy enforcement, error
masking) and turns introspection and field suggestions on only in development mode;
``schema`` is the production build, used for SDL export and coverage tests.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from hub.api.document_cache import DocumentCache
from hub.api.error_masking import log_errors
from hub.api.extensions import ApiLimits, hardening_extensions
from resolvers.aid_report import AidReportMutation
from resolvers.audit import (
    AuditChainReport,
    AuditEventPage,
    audit_chain_field,
    audit_events_field,
)
from resolvers.charity import CharityMutation, CharityQuery
from resolvers.consent import ConsentType, record_consent_field, revoke_consent_field
from resolvers.health import Health, resolve_health
from resolvers.me import PrincipalType, resolve_me
from resolvers.monitoring import MonitoringMutation, MonitoringQuery
from resolvers.people import PeopleQuery
from resolvers.reverification import ReverificationQuery
from resolvers.review import ReviewMutation, ReviewQuery
from resolvers.verification import VerificationQuery


@strawberry.type
class CoreQuery:
    health: Health = strawberry.field(resolver=resolve_health, description="Service health.")
    me: PrincipalType = strawberry.field(
        resolver=resolve_me, description="The caller, the declared purpose, correlation id.")
    audit_events: AuditEventPage = audit_events_field
    audit_chain: AuditChainReport = audit_chain_field


@strawberry.type
class CoreMutation:
    record_consent: ConsentType = record_consent_field
    revoke_consent: ConsentType = revoke_consent_field


# Each domain module contributes a ``@strawberry.type`` of root fields; add yours here,
# one per line, so the root types stay a plain list of parts.
QUERY_PARTS: tuple[type, ...] = (
    CoreQuery,
    CharityQuery,
    VerificationQuery,
    MonitoringQuery,
    PeopleQuery,
    ReviewQuery,
    ReverificationQuery,
)
MUTATION_PARTS: tuple[type, ...] = (
    CoreMutation,
    CharityMutation,
    MonitoringMutation,
    AidReportMutation,
    ReviewMutation,
)

Query = merge_types("Query", QUERY_PARTS)
Mutation = merge_types("Mutation", MUTATION_PARTS)


class HubSchema(strawberry.Schema):
    """Strawberry's schema with the hub's error logging (no variables, identifiers scrubbed)
    and its cache of parsed and validated documents."""

    document_cache: DocumentCache | None = None

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: Any = None) -> None:
        log_errors(errors, execution_context)


def build_schema(*, dev_mode: bool = False, limits: ApiLimits | None = None) -> HubSchema:
    """The schema with production (or development) hardening, and its own cache of parsed
    and validated documents (``hub.api.document_cache``)."""
    documents = DocumentCache()
    built = HubSchema(
        query=Query, mutation=Mutation,
        extensions=hardening_extensions(limits or ApiLimits(), dev_mode=dev_mode,
                                        documents=documents),
        config=StrawberryConfig(disable_field_suggestions=not dev_mode))
    built.document_cache = documents
    return built


schema = build_schema()
