"""Errors: the client gets a safe message and a correlation id; the log gets the detail.

Errors the hub raises on purpose as ``GraphQLError`` (access denied, validation, limits)
keep their message; anything else (an unexpected exception inside a resolver) is replaced
by "internal error" outside development mode. Every error carries
``extensions.correlationId``. :func:`log_errors` replaces strawberry's default logging:
it logs the error type, path and traceback frames (file, line, function — not the source
lines, which may hold literals), with identifiers scrubbed from the message, never the
request's variables.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from privacy import find_identifiers

logger = logging.getLogger("hub.api.errors")
INTERNAL_MESSAGE = "internal error; quote the correlation id when reporting it"


def _correlation_id(execution_context: Any) -> str:
    context = getattr(execution_context, "context", None)
    access = getattr(context, "access", None)
    return str(getattr(context, "correlation_id", None) or getattr(access, "correlation_id", "")
               or "-")


def scrub(text: str) -> str:
    """``text`` with ID numbers, phones and card numbers masked."""
    for finding in sorted(find_identifiers(text), key=lambda f: f.start, reverse=True):
        text = text[:finding.start] + finding.masked + text[finding.end:]
    return text


def is_exposed(error: GraphQLError) -> bool:
    """True for errors raised on purpose (safe message), False for unexpected exceptions."""
    return error.original_error is None or isinstance(error.original_error, GraphQLError)


def log_errors(errors: list[GraphQLError], execution_context: Any = None) -> None:
    """Log GraphQL errors with the correlation id; tracebacks only for unexpected ones."""
    correlation_id = _correlation_id(execution_context)
    for error in errors:
        path = ".".join(str(p) for p in error.path or ())
        if is_exposed(error):
            logger.info("graphql error %s at %s: %s", correlation_id, path or "-",
                        scrub(error.message))
            continue
        original = error.original_error
        frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                         for f in traceback.extract_tb(original.__traceback__)) if original else ""
        logger.error("unexpected %s %s at %s: %s\n%s", type(original).__name__, correlation_id,
                     path or "-", scrub(str(original)), frames)


class ErrorMasking(SchemaExtension):
    """Mask unexpected errors (outside dev) and attach the correlation id to all."""

    dev_mode = False

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        correlation_id = _correlation_id(self.execution_context)
        result.errors = [self._mask(error, correlation_id) for error in errors]

    def _mask(self, error: GraphQLError, correlation_id: str) -> GraphQLError:
        extensions = {**(error.extensions or {}), "correlationId": correlation_id}
        if is_exposed(error) or self.dev_mode:
            message = error.message
        else:
            message = INTERNAL_MESSAGE
            extensions["code"] = "INTERNAL"
        return GraphQLError(message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None,
                            extensions=extensions)


class DevErrorMasking(ErrorMasking):
    """Development: messages shown as raised, still with the correlation id."""

    dev_mode = True
