"""Checks that named queries are literals taking ``$parameters`` only (STYLE: "Queries
are literals"), shared by the tests of each ``graph_schema.queries`` module."""

from __future__ import annotations

import ast
import inspect
import re
from types import ModuleType

# a Python format field that survived into the text: ``{name}``, ``{0}``, ``{}``; Cypher
# maps and subqueries (``{status: $s}``, ``p {.*}``, ``{ DETACH DELETE n }``) never match
_FORMAT_FIELD = re.compile(r"\{\w*\}|%[sdr]")


def query_constants(module: ModuleType) -> dict[str, str]:
    """The module's UPPER_SNAKE string constants: its named queries, by name."""
    return {k: v for k, v in vars(module).items() if k.isupper() and isinstance(v, str)}


def literal_constants(module: ModuleType | str) -> set[str]:
    """Names of the module-level constants assigned a plain string literal in the source
    of ``module`` (or in ``module`` given as source text); an f-string, a concatenation or
    a ``.format``/``%`` call is not one."""
    source = module if isinstance(module, str) else inspect.getsource(module)
    names = set()
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def format_fields(text: str) -> list[str]:
    """Python format fields left in ``text`` (each one a query assembled from strings)."""
    return _FORMAT_FIELD.findall(text)
