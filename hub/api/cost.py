"""A query-cost limit, as a graphql-core validation rule (so nothing runs when it trips).

Cost of a selection = Σ over its fields of ``1 + n × cost(sub-selection)``, where ``n``
is the page size of a list field: its ``first``/``limit``/``last`` argument (a literal;
a variable counts as ``max_page``), else that argument's default, else the page size of
the nearest paginated ancestor (``auditEvents(first: 50) { events { … } }``: the page
object carries the argument, its list field the items), else ``default_list_size``.
Fragments are expanded; a fragment cycle (already reported by graphql's own rules) stops
the walk. Depth, alias and token limits are strawberry's.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)

PAGE_ARGUMENTS = ("first", "limit", "last")


def _is_list(field: GraphQLField) -> bool:
    gql_type = field.type
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    return isinstance(gql_type, GraphQLList)


def _page_size(node: FieldNode, field: GraphQLField, max_page: int) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value in PAGE_ARGUMENTS:
            if isinstance(argument.value, IntValueNode):
                return max(0, int(argument.value.value))
            if isinstance(argument.value, VariableNode):
                return max_page
    for name in PAGE_ARGUMENTS:
        arg = field.args.get(name)
        if arg is not None and isinstance(arg.default_value, int):
            return arg.default_value
    return None


class _CostWalker:
    def __init__(self, context: ValidationContext, default_list_size: int, max_page: int):
        self.context = context
        self.default_list_size = default_list_size
        self.max_page = max_page

    def cost(self, selection_set: SelectionSetNode | None, parent: Any,
             fragments: frozenset[str] = frozenset(), inherited: int | None = None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent, fragments, inherited)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = (self.context.schema.get_type(condition.name.value)
                          if condition is not None else parent)
                total += self.cost(selection.selection_set, target, fragments, inherited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in fragments:
                    continue
                target = self.context.schema.get_type(fragment.type_condition.name.value)
                total += self.cost(fragment.selection_set, target, fragments | {name},
                                   inherited)
        return total

    def _field_cost(self, node: FieldNode, parent: Any, fragments: frozenset[str],
                    inherited: int | None) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 1
        field = parent.fields.get(node.name.value)
        if field is None:
            return 1
        page = _page_size(node, field, self.max_page)
        named = get_named_type(field.type)
        if not _is_list(field):
            child_inherited = page if page is not None else inherited
            return 1 + self.cost(node.selection_set, named, fragments, child_inherited)
        times = page if page is not None else (inherited or self.default_list_size)
        return 1 + times * self.cost(node.selection_set, named, fragments)


def query_cost(context: ValidationContext, operation: OperationDefinitionNode, *,
               default_list_size: int = 10, max_page: int = 200) -> int:
    """The cost of one operation of the document being validated."""
    root = context.schema.get_root_type(operation.operation)
    walker = _CostWalker(context, default_list_size, max_page)
    return walker.cost(operation.selection_set, root)


def cost_limit_rule(max_cost: int, *, default_list_size: int = 10,
                    max_page: int = 200) -> type[ValidationRule]:
    """A validation rule rejecting operations that cost more than ``max_cost``."""

    class CostLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode,
                                       *_args: Any) -> None:
            cost = query_cost(self.context, node, default_list_size=default_list_size,
                              max_page=max_page)
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"query cost {cost} exceeds the limit of {max_cost}; ask for fewer "
                    "fields or smaller pages", node))

    return CostLimitRule
