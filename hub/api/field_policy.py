"""Every GraphQL field through ``privacy.policy``; audit events at the end of execution.

:class:`PolicyEnforcer` wraps every resolver. Before it runs, the request's
:class:`~hub.api.access.AccessGuard` decides the field from the policy tables:

- ``deny``: the resolver does not run; the field errors with ``FORBIDDEN`` (a nullable
  field becomes ``null``), and the denial is noted for the audit log;
- ``mask``: the resolver runs and its value is masked (``privacy.mask_value``); an object
  (or a list of objects: ``Household.assets``) has no masked form, so it becomes ``null``
  as a whole, the way ``mask_value`` nulls amounts and dates — item by item it turned
  into nulls in a list of non-null items, an internal error. A masked value that fits
  nowhere nullable in the field's type errors with ``FORBIDDEN`` (reason ``masked``);
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

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLResolveInfo,
    get_named_type,
    is_composite_type,
)
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
                return _mask_later(result, decision.access_class, info)
            return masked(decision.access_class, result, info)
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


class _UnfitError(Exception):
    """A masked null where the type allows none (inside :func:`_fit` only)."""


def _fit(gql_type: GraphQLOutputType, value: Any) -> Any:
    """``value`` with each null moved up to the nearest nullable position of ``gql_type``
    (as graphql itself propagates nulls, but without an error per item)."""
    if isinstance(gql_type, GraphQLNonNull):
        inner = _fit(gql_type.of_type, value)
        if inner is None:
            raise _UnfitError
        return inner
    if isinstance(gql_type, GraphQLList) and value is not None:
        try:
            return [_fit(gql_type.of_type, item) for item in value]
        except _UnfitError:
            return None
    return value


def masked(access_class: AccessClass, value: Any, info: GraphQLResolveInfo) -> Any:
    """The masked form of a field's value, shaped to the field's type.

    Raises:
        GraphQLError: ``FORBIDDEN``: the masked form is null and the field is non-null.
    """
    shown = (None if is_composite_type(get_named_type(info.return_type))
             else mask_value(access_class, value))
    try:
        return _fit(info.return_type, shown)
    except _UnfitError:
        raise GraphQLError(
            f"access denied to {info.parent_type.name}.{info.field_name} (masked)",
            extensions={"code": "FORBIDDEN", "reason": "masked"}) from None


async def _mask_later(result: Awaitable[Any], access_class: AccessClass,
                      info: GraphQLResolveInfo) -> Any:
    return masked(access_class, await result, info)
