"""``hub privacy scan``: look for plaintext identifiers anywhere in the graph.

Reads every string (and list-of-string) property of every node and relationship and runs
``privacy.find_identifiers`` on it. Ciphertexts never match; a finding means personal
data leaked into the graph in the clear. Findings carry masked values only.

Blind indexes are truncated hex HMACs; about one in 2,000 of 64-bit ones is all digits and
one in ten of those passes the Luhn check, so it would read as a bank card. A value is
taken for a blind index (and not scanned) only when it sits in a ``bi_*`` property *and*
has exactly the blind-index shape (lower-case hex of the configured length): a plaintext
ID (18 characters, maybe an ``X``), phone (11 digits) or card put there is still reported.
"""

from __future__ import annotations

import re
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


def _blind_index_shape(blind_index_bits: int) -> re.Pattern[str]:
    return re.compile(f"[0-9a-f]{{{blind_index_bits // 4}}}")


def scan_graph(
    store: Store, on_item: Callable[[], None] | None = None, *, blind_index_bits: int = 64
) -> tuple[int, list[ScanFinding]]:
    """Scan every string property of the graph.

    Args:
        store: The graph.
        on_item: Called once per node or relationship (progress).
        blind_index_bits: Length of the hub's blind indexes (``HUB_BLIND_INDEX_BITS``).

    Returns:
        (number of properties scanned, findings).
    """
    blind_index = _blind_index_shape(blind_index_bits)
    scanned = 0
    findings: list[ScanFinding] = []
    for query in (q.ALL_NODE_PROPERTIES, q.ALL_RELATIONSHIP_PROPERTIES):
        for record in store.stream(query):
            label = ":".join(sorted(record["labels"]))
            for name, value in record["props"].items():
                for text in _strings(value):
                    scanned += 1
                    if name.startswith("bi_") and blind_index.fullmatch(text):
                        continue
                    for found in find_identifiers(text):
                        findings.append(ScanFinding(record["element_id"], label, name,
                                                    found.kind, found.masked))
            if on_item is not None:
                on_item()
    return scanned, findings
