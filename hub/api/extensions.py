"""The strawberry extensions and schema config of the hub, from settings.

Production: depth, alias, token and cost limits, introspection off, suggestions off,
errors masked. Development adds introspection and suggestions (GraphiQL needs them) and
shows error messages; the limits stay on in both, introspection's depth included (with
room for the standard introspection query), and a document with several operations needs
an ``operationName`` in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from hub.api.cost import cost_limit_rule
from hub.api.document_cache import CachedDocuments, DocumentCache
from hub.api.document_limits import (
    STANDARD_INTROSPECTION_DEPTH,
    OperationNameRequired,
    ValidationErrorCap,
    directive_limit_rule,
    duplicate_field_rule,
    introspection_depth_rule,
)
from hub.api.error_masking import DevErrorMasking, ErrorMasking
from hub.api.field_policy import PolicyEnforcer


@dataclass(frozen=True)
class ApiLimits:
    """Limits on GraphQL documents (HUB_MAX_QUERY_DEPTH … in ``hub.config``)."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 5000


def hardening_extensions(limits: ApiLimits, *, dev_mode: bool,
                         documents: DocumentCache | None = None,
                         ) -> list[Callable[[], SchemaExtension]]:
    """Extension factories (strawberry builds one of each per request); with
    ``documents``, parsing and validation are served from that cache when they can be."""
    introspection_depth = max(limits.max_depth, STANDARD_INTROSPECTION_DEPTH)
    factories: list[Callable[[], SchemaExtension]] = [
        DevErrorMasking if dev_mode else ErrorMasking,
        *([partial(CachedDocuments, documents)] if documents is not None else []),
        partial(QueryDepthLimiter, max_depth=limits.max_depth),
        partial(MaxAliasesLimiter, max_alias_count=limits.max_aliases),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(AddValidationRules, [cost_limit_rule(limits.max_cost),
                                     duplicate_field_rule(), directive_limit_rule(),
                                     introspection_depth_rule(introspection_depth)]),
        OperationNameRequired,
        ValidationErrorCap,
        PolicyEnforcer,
    ]
    if not dev_mode:
        factories.append(DisableIntrospection)
    return factories
