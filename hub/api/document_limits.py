"""Limits on abusive but cheap documents: duplicated fields, piled-up directives, and
error floods.

Depth, alias, token and cost limits leave three amplification tricks open (graphql-cop
reports each): one field repeated hundreds of times in a selection (each copy is resolved
and audited), a directive repeated on one node, and a document built to produce one
validation error per token (ten unknown ``@aa`` give ten errors). Two validation rules
refuse the first two with one error each; :class:`ValidationErrorCap` cuts any list of
validation errors to a few, so an error flood costs the server no more than one error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

MAX_FIELD_REPEATS = 3
MAX_DIRECTIVES_PER_NODE = 3
MAX_VALIDATION_ERRORS = 3


def duplicate_field_rule(max_repeats: int = MAX_FIELD_REPEATS) -> type[ValidationRule]:
    """Refuse a selection set that names one response key more than ``max_repeats`` times."""

    class DuplicateFieldRule(ValidationRule):
        reported = False

        def enter_selection_set(self, node: SelectionSetNode, *_args: Any) -> None:
            if self.reported:
                return
            keys = Counter((s.alias or s.name).value for s in node.selections
                           if isinstance(s, FieldNode))
            if keys and max(keys.values()) > max_repeats:
                self.reported = True
                self.report_error(GraphQLError(
                    f"a field is selected more than {max_repeats} times in one selection",
                    node))

    return DuplicateFieldRule


def directive_limit_rule(max_per_node: int = MAX_DIRECTIVES_PER_NODE) -> type[ValidationRule]:
    """Refuse a node (field, fragment, operation) carrying more than ``max_per_node``
    directives."""

    class DirectiveLimitRule(ValidationRule):
        reported = False

        def enter(self, node: Any, *_args: Any) -> None:
            directives = getattr(node, "directives", None)
            if self.reported or not directives or len(directives) <= max_per_node:
                return
            self.reported = True
            self.report_error(GraphQLError(
                f"more than {max_per_node} directives on one node", node))

    return DirectiveLimitRule


class ValidationErrorCap(SchemaExtension):
    """Return at most ``MAX_VALIDATION_ERRORS`` validation errors, the last one saying how
    many were cut.

    Strawberry validates inside this hook's ``yield`` and returns the list it stored on
    the execution context; the list is shortened in place so that very object goes out.
    """

    def on_validate(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors
        if errors is None or len(errors) <= MAX_VALIDATION_ERRORS:
            return
        cut = len(errors) - MAX_VALIDATION_ERRORS + 1
        errors[MAX_VALIDATION_ERRORS - 1:] = [GraphQLError(
            f"{cut} more validation errors not shown; fix the ones above first")]
