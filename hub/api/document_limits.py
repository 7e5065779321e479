"""Limits on abusive but cheap documents: duplicated fields, piled-up directives, error
floods, deep introspection; and the choice of operation in a document.

Depth, alias, token and cost limits leave three amplification tricks open (graphql-cop
reports each): one field repeated hundreds of times in a selection (each copy is resolved
and audited), a directive repeated on one node, and a document built to produce one
validation error per token (ten unknown ``@aa`` give ten errors). Two validation rules
refuse the first two with one error each; :class:`ValidationErrorCap` cuts any list of
validation errors to a few, so an error flood costs the server no more than one error.

Strawberry's depth limit skips every ``__`` field, so in development (introspection on)
``__type { ofType { ofType … } } }`` had no bound but the token count.
:func:`introspection_depth_rule` measures the introspection fields too, with room for the
standard introspection query GraphiQL sends (:data:`STANDARD_INTROSPECTION_DEPTH`); a
circular ``__schema { types { fields { type { fields …`` is graphql-core's own
``MaxIntrospectionDepthRule`` (in the specified rules strawberry runs, graphql-core 3.3).

Strawberry hands graphql-core the first operation's name when the request names none, so
a document with two operations ran the first; :class:`OperationNameRequired` refuses it
instead, as the GraphQL spec (GetOperation) requires.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

MAX_FIELD_REPEATS = 3
MAX_DIRECTIVES_PER_NODE = 3
MAX_VALIDATION_ERRORS = 3
STANDARD_INTROSPECTION_DEPTH = 14
"""Depth of the standard introspection query, as graphql-js 16.8+ (which GraphiQL 3
sends) and graphql-core 3.3 write it: ``TypeRef`` nests ``ofType`` 9 times and is reached
through ``__schema { types { fields { args { type`` (graphql-js 16.0-16.7 nested 7)."""
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


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


def _too_deep(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
              depth: int, limit: int, seen: dict[tuple[str, int], bool],
              visiting: frozenset[str] = frozenset()) -> bool:
    """True if a field of ``selection_set`` (its fields at ``depth``) lies deeper than
    ``limit``. Stops descending past the limit, so recursion stays shallow; fragments are
    judged once per entry depth (``seen``), so repeated spreads cost nothing."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if depth > limit:
                return True
            if selection.selection_set is not None and _too_deep(
                    selection.selection_set, fragments, depth + 1, limit, seen, visiting):
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _too_deep(selection.selection_set, fragments, depth, limit, seen, visiting):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visiting:  # unknown or cyclic: graphql's rules
                continue
            key = (name, depth)
            if key not in seen:
                seen[key] = _too_deep(fragment.selection_set, fragments, depth, limit, seen,
                                      visiting | {name})
            if seen[key]:
                return True
    return False


def introspection_depth_rule(max_depth: int) -> type[ValidationRule]:
    """Refuse ``__schema`` / ``__type`` selections nested deeper than ``max_depth``,
    counted as strawberry counts depth (root fields at 0)."""

    class IntrospectionDepthRule(ValidationRule):
        reported = False

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            if (self.reported or node.name.value not in INTROSPECTION_ROOTS
                    or node.selection_set is None):
                return
            fragments = {d.name.value: d for d in self.context.document.definitions
                         if isinstance(d, FragmentDefinitionNode)}
            if _too_deep(node.selection_set, fragments, 1, max_depth, {}):
                self.reported = True
                self.report_error(GraphQLError(
                    f"introspection exceeds the maximum depth of {max_depth}", node))

    return IntrospectionDepthRule


class OperationNameRequiredRule(ValidationRule):
    """Refuse a document with several operations (used when the request names none)."""

    def enter_document(self, node: DocumentNode, *_args: Any) -> None:
        operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            self.report_error(GraphQLError(
                "Must provide operation name if query contains multiple operations.",
                operations))


class OperationNameRequired(SchemaExtension):
    """Add :class:`OperationNameRequiredRule` when the request names no operation.

    Read before parsing: until the document is parsed, strawberry's
    ``ExecutionContext.operation_name`` is the request's own ``operationName`` (afterwards
    it falls back to the first operation's name, which is the bug this closes).
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.operation_name is None:
            context.validation_rules = (*context.validation_rules, OperationNameRequiredRule)
        yield
