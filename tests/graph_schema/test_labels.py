"""Every label and relationship type any query or migration uses is declared in labels.py."""

from __future__ import annotations

import importlib
import pkgutil
import re

import graph_schema.queries
from graph_schema import all_migrations, labels

# "(n:Label", "[:TYPE", "(n:A|B", "r:Label" — a name right after a colon that follows a
# variable or an opening bracket (map entries such as "{key: $key}" have a space)
_USED = re.compile(r"[(\[\w]:`?([A-Za-z_]+(?:\|[A-Za-z_]+)*)")


def _query_texts() -> dict[str, str]:
    """Every string constant of every module of ``graph_schema.queries``, by qualified name."""
    texts: dict[str, str] = {}
    for info in pkgutil.iter_modules(graph_schema.queries.__path__):
        module = importlib.import_module(f"graph_schema.queries.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, str) and not name.startswith("__"):
                texts[f"{info.name}.{name}"] = value
    return texts


def _names(text: str) -> set[str]:
    return {part for match in _USED.findall(text) for part in match.split("|")}


def test_every_query_module_is_read() -> None:
    modules = {name.split(".")[0] for name in _query_texts()}
    expected = {info.name for info in pkgutil.iter_modules(graph_schema.queries.__path__)}
    assert modules == expected
    assert {"resolution", "ingest", "privacy_scan", "monitoring", "charity"} <= modules


def test_queries_use_declared_labels_and_types_only() -> None:
    undeclared: dict[str, set[str]] = {}
    for where, text in _query_texts().items():
        names = _names(text)
        unknown = {n for n in names if n not in labels.NODE_LABELS
                   and n not in labels.RELATIONSHIP_TYPES}
        if unknown:
            undeclared[where] = unknown
    assert undeclared == {}


def test_migrations_use_declared_labels_and_types_only() -> None:
    used = {n for m in all_migrations() for s in m.statements for n in _names(s)}
    assert used
    assert used <= labels.NODE_LABELS | labels.RELATIONSHIP_TYPES


def test_labels_found_in_the_resolution_queries_are_declared() -> None:
    from graph_schema.queries import resolution

    names = {n for v in vars(resolution).values() if isinstance(v, str) for n in _names(v)}
    assert {"LinkRun", "ReviewPair", "SourceRecord", "Person", "RESOLVES_TO"} <= names


def test_node_labels_and_relationship_types_are_disjoint_and_well_formed() -> None:
    assert not labels.NODE_LABELS & labels.RELATIONSHIP_TYPES
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", n) for n in labels.NODE_LABELS)
    assert all(re.fullmatch(r"[A-Z_]+", t) for t in labels.RELATIONSHIP_TYPES)
    assert labels.FACT_LABELS <= labels.NODE_LABELS
