"""Remove the nodes a test added on top of the shared linked sample.

Tests on the linked sample record consents, report aid and queue review pairs; left
behind, those change what the next test sees (a consent in force makes a later "expired
consent" test pass or fail by run order) and the sample's fingerprint, so the sample would
be rebuilt. A fixture wraps such a test in :func:`removing_new_nodes` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graph_schema import labels
from hub.store import Store

_IDS = "MATCH (n) WHERE $label IN labels(n) RETURN collect(elementId(n)) AS ids"
_DROP = """
MATCH (n) WHERE $label IN labels(n) AND NOT elementId(n) IN $keep
DETACH DELETE n
"""


@contextmanager
def removing_new_nodes(store: Store, *node_labels: str) -> Iterator[None]:
    """Delete, on exit, every node of ``node_labels`` that was not there on entry."""
    assert set(node_labels) <= labels.NODE_LABELS, node_labels
    before = {label: store.read(_IDS, label=label)[0]["ids"] for label in node_labels}
    try:
        yield
    finally:
        for label, keep in before.items():
            store.write(_DROP, label=label, keep=keep)
