"""The one place a hub error becomes a GraphQL error.

Every :class:`~hub.errors.HubError` (and :class:`~privacy.PrivacyError`) class carries the
``extensions.code`` a client sees for it (``code``; the tree and its codes are drawn in
``hub.errors``). A resolver catches the errors it expects from a service and raises
``refuse(info, exc)``; it never maps classes to codes itself. A refusal coded
``FORBIDDEN`` is also noted for the audit log under the request's action
(``hub.api.field_policy.action_of``), so the log records every refusal the client sees.
Errors a resolver does not expect are not caught: the error-masking extension hides them
and logs them with the correlation id.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from hub.api.error_masking import INTERNAL_MESSAGE
from hub.api.field_policy import action_of
from hub.errors import HubError
from privacy import DataSubject, PrivacyError

OUT_OF_JURISDICTION = "out_of_jurisdiction"
"""The audit reason of a ``FORBIDDEN`` refusal unless the resolver names another."""


def client_error(message: str, code: str) -> GraphQLError:
    """A GraphQL error raised on purpose, with ``extensions.code``.

    Args:
        message: What the client is told (safe: no personal data).
        code: One of ``hub.errors.ERROR_CODES``.

    Returns:
        The error to raise from the resolver.
    """
    return GraphQLError(message, extensions={"code": code})


def graphql_error(exc: HubError | PrivacyError, message: str | None = None) -> GraphQLError:
    """The GraphQL error a client sees for ``exc``: its class's code and its message.

    Args:
        exc: An error a service raised on purpose (its message never holds personal data).
        message: Told instead of ``exc``'s own message (e.g. one uniform refusal).

    Returns:
        The error to raise from the resolver; an ``INTERNAL`` one says only "internal
        error", as the masking extension would.
    """
    if message is None:
        message = INTERNAL_MESSAGE if exc.code == "INTERNAL" else str(exc)
    return client_error(message, exc.code)


def refuse(info: Info[Any, Any], exc: HubError | PrivacyError, *,
           reason: str = OUT_OF_JURISDICTION, subject: DataSubject | None = None,
           message: str | None = None) -> GraphQLError:
    """:func:`graphql_error`, noting a ``FORBIDDEN`` one as a denial for the audit log.

    Args:
        info: The resolver's info (its context holds the request's access guard).
        exc: The error the service raised.
        reason: The audit reason of a ``FORBIDDEN`` refusal.
        subject: Whom the refused request was about, when known.
        message: Told instead of ``exc``'s own message.

    Returns:
        The error to raise from the resolver (``raise refuse(info, exc) from None``).
    """
    if exc.code == "FORBIDDEN":
        info.context.access.note_denial(action_of(info), reason, subject)
    return graphql_error(exc, message)
