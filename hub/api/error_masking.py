"""Errors: the client gets a safe message and a correlation id; the log gets the detail.

Errors the hub raises on purpose as ``GraphQLError`` (access denied, validation, limits)
keep their message; anything else (an unexpected exception inside a resolver) is replaced
by "internal error" outside development mode. Every error carries
``extensions.correlationId`` and a ``code`` (parse and validation errors get
``GRAPHQL_PARSE_FAILED`` / ``GRAPHQL_VALIDATION_FAILED`` when they have none). Outside
development mode every "Did you mean …?" clause is cut from the message: graphql-core
suggests argument, type, enum value and input field names from the schema in validation
and in variable coercion, and strawberry's ``disable_field_suggestions`` only removes the
one on unknown fields. Input values graphql-core echoes into a message ("found: …",
"cannot represent … value: …") are withheld too, in the response and the log.
:func:`log_errors` replaces strawberry's default logging:
it logs the error type, path and traceback frames (file, line, function — not the source
lines, which may hold literals), with identifiers scrubbed from the message, never the
request's variables.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from privacy import find_identifiers

logger = logging.getLogger("hub.api.errors")
INTERNAL_MESSAGE = "internal error; quote the correlation id when reporting it"
# graphql-core's suggestions: " Did you mean 'a', 'b', or 'c'?", " Did you mean the enum
# value 'X'?", " Did you mean 'f { ... }'?" (names and enum values never hold a "?")
_SUGGESTION = re.compile(r"\s*Did you mean\b[^?]*\?")
# graphql-core echoes a bad input value back: "String cannot represent a non string value:
# {…}", "Expected value of type 'X', found {…}; …", "… to be valid, found: {…}." The value
# is the client's own, but it may hold an ID number or a name, and messages are logged
_ECHOED_VALUE = (
    re.compile(r"(cannot represent[^:;]*?): .+?(?=; |$)"),
    re.compile(r"(\bfound):? .+?(?=; |$)"),
)
WITHHELD = "(value withheld)"


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


def strip_suggestions(message: str) -> str:
    """``message`` without graphql-core's "Did you mean …?" clauses.

    They name schema members close to what was sent, which lets a client map a schema
    whose introspection is off; the message keeps what was wrong.
    """
    return _SUGGESTION.sub("", message)


def withhold_values(message: str) -> str:
    """``message`` without the input values graphql-core echoes into it."""
    for pattern in _ECHOED_VALUE:
        message = pattern.sub(rf"\1 {WITHHELD}", message)
    return message


def _default_code(error: GraphQLError) -> str | None:
    """A code for errors graphql-core raises without one (before execution only)."""
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return None


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
                        withhold_values(scrub(error.message)))
            continue
        original = error.original_error
        frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                         for f in traceback.extract_tb(original.__traceback__)) if original else ""
        logger.error("unexpected %s %s at %s: %s\n%s", type(original).__name__, correlation_id,
                     path or "-", scrub(str(original)), frames)


class ErrorMasking(SchemaExtension):
    """Mask unexpected errors and suggestions (outside dev); add correlation id and code."""

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
        if "code" not in extensions and is_exposed(error):
            code = _default_code(error)
            if code is not None:
                extensions["code"] = code
        if self.dev_mode:
            message = error.message
        elif is_exposed(error):
            message = withhold_values(strip_suggestions(error.message))
        else:
            message = INTERNAL_MESSAGE
            extensions["code"] = "INTERNAL"
        return GraphQLError(message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None,
                            extensions=extensions)


class DevErrorMasking(ErrorMasking):
    """Development: messages shown as raised (with suggestions, for GraphiQL users), still
    with the correlation id and code."""

    dev_mode = True
