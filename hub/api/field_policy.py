"""Every GraphQL field through ``privacy.policy``; audit events at the end of execution.

:class:`PolicyEnforcer` wraps every resolver. Before it runs, the request's
:class:`~hub.api.access.AccessGuard` decides the field from the policy tables:

- ``deny``: the resolver does not run; the field errors with ``FORBIDDEN`` (a nullable
  field becomes ``null``), and the denial is noted for the audit log;
- ``mask``: the resolver runs and its value is masked (``privacy.mask_value``);
- ``allow``: the value passes.

The parent object may say whom it is about (``audit_subject: DataSubject``) and which
organisation owns it (``owner_org``); both are read as plain attributes, so strawberry
types declare them as ``strawberry.Private``. After execution the guard's notes are
appended to the audit log in one transaction; if that fails nothing is returned (fail
closed). Hooks are async: run the schema with ``await schema.execute(...)`` or over HTTP.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from hub.errors import StoreError
from privacy import AccessClass, Effect, mask_value

logger = logging.getLogger(__name__)
ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})


def action_of(info: GraphQLResolveInfo) -> str:
    """``<operation>.<root field>`` of the field being resolved, e.g. ``query.me``."""
    path = info.path
    while path.prev is not None:
        path = path.prev
    operation = info.operation.operation.value
    root_name = str(path.key)
    for selection in info.operation.selection_set.selections:
        alias = getattr(selection, "alias", None)
        name = getattr(selection, "name", None)
        if alias is not None and name is not None and alias.value == root_name:
            root_name = name.value
            break
    return f"{operation}.{root_name}"


class PolicyEnforcer(SchemaExtension):
    """Decide, mask or deny every field; write the request's audit events."""

    def resolve(self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo,
                *args: Any, **kwargs: Any) -> Any:
        """Decide the field before its resolver runs; mask its value if the policy says so."""
        if info.field_name.startswith("__") or info.parent_type.name.startswith("__"):
            return _next(root, info, *args, **kwargs)  # introspection: gated by validation
        guard = getattr(info.context, "access", None)
        if guard is None:
            raise GraphQLError("access denied", extensions={"code": "FORBIDDEN"})
        type_name = info.parent_type.name
        decision = guard.decide_field(
            type_name, info.field_name, action=action_of(info),
            subject=getattr(root, "audit_subject", None),
            owner_org=getattr(root, "owner_org", None), is_root=type_name in ROOT_TYPES)
        if decision.effect is Effect.DENY:
            raise GraphQLError(
                f"access denied to {type_name}.{info.field_name} ({decision.reason})",
                extensions={"code": "FORBIDDEN", "reason": decision.reason})
        result = _next(root, info, *args, **kwargs)
        if decision.effect is Effect.MASK and decision.access_class is not None:
            if inspect.isawaitable(result):
                return _mask_later(result, decision.access_class)
            return mask_value(decision.access_class, result)
        return result

    async def on_execute(self) -> AsyncIterator[None]:
        """After execution, append the request's audit events; withhold data on failure."""
        yield
        context = self.execution_context.context
        guard = getattr(context, "access", None)
        if guard is None:
            return
        try:
            await guard.flush()
        except StoreError:
            logger.exception("audit append failed (correlation id %s); response withheld",
                             guard.correlation_id)
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(
                    "the audit log is unavailable, so no data can be released",
                    extensions={"code": "AUDIT_UNAVAILABLE"})]


async def _mask_later(result: Awaitable[Any], access_class: AccessClass) -> Any:
    return mask_value(access_class, await result)
