"""``hub privacy scan``: look for plaintext identifiers anywhere in the graph.

Reads every string (and list-of-string) property of every node and relationship and runs
``privacy.find_identifiers`` on it. Ciphertexts and blind indexes never match; a finding
means personal data leaked into the graph in the clear. Findings carry masked values only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph_schema.queries import privacy as q
from hub.store import Store
from privacy import find_identifiers


@dataclass(frozen=True)
class ScanFinding:
    """One suspected plaintext identifier: where it is and what it looks like (masked)."""

    element_id: str
    label: str
    property: str
    kind: str
    masked: str


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def scan_graph(
    store: Store, on_item: Callable[[], None] | None = None
) -> tuple[int, list[ScanFinding]]:
    """Scan every string property of the graph.

    Returns:
        (number of properties scanned, findings).
    """
    scanned = 0
    findings: list[ScanFinding] = []
    for query in (q.ALL_NODE_PROPERTIES, q.ALL_RELATIONSHIP_PROPERTIES):
        for record in store.stream(query):
            label = ":".join(sorted(record["labels"]))
            for name, value in record["props"].items():
                for text in _strings(value):
                    scanned += 1
                    for found in find_identifiers(text):
                        findings.append(ScanFinding(record["element_id"], label, name,
                                                    found.kind, found.masked))
            if on_item is not None:
                on_item()
    return scanned, findings
