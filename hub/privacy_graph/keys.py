"""Key rotation over the graph: rewrap every stored ciphertext, count versions in use.

``hub keys rotate`` only makes a new active version (new writes use it at once).
``rewrap_graph`` then walks every node holding ``enc_*`` properties page by page and
re-encrypts ciphertexts of older versions under the active one; those already current are
left alone, so an interrupted rewrap is resumed by running it again, with no downtime.
Only when ``versions_in_use`` no longer lists a version may it be retired.

Every ciphertext is bound to (label, record key, field); :data:`SEAL_KEYS` says which
property is the record key of each sealed label. A node holding ciphertexts under a label
missing from it is an error, not a skip: retiring a version on a partial count would make
those ciphertexts unreadable for good.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from graph_schema import labels
from graph_schema.queries import privacy as q
from hub.errors import HubError
from hub.store import Store
from privacy import FieldContext, ciphertext_version

PAGE = 2000

SEAL_KEYS: dict[str, str] = {
    labels.SOURCE_RECORD: "mention_key",
    labels.PERSON: "person_id",
}
"""Sealed label → the property its ciphertexts' record key is (facts use ``fact_key``)."""


class UnknownSealedNodeError(HubError):
    """A node holds ciphertexts under labels the key service does not know how to rebind."""

    def __init__(self, node_labels: list[str]) -> None:
        super().__init__(
            f"a node labelled {':'.join(sorted(node_labels))} holds enc_* properties but its "
            "record key is unknown; add its label to hub.privacy_graph.keys.SEAL_KEYS")


def sealed_context(node_labels: list[str], props: dict[str, Any]) -> tuple[str, str]:
    """The (label, record key) a node's ciphertexts are bound to, as they were sealed.

    Raises:
        UnknownSealedNodeError: no rule for this node's labels.
    """
    for label, key in SEAL_KEYS.items():
        if label in node_labels:
            return label, str(props[key])
    if labels.FACT in node_labels:
        semantic = [name for name in node_labels if name != labels.FACT]
        return semantic[0], str(props["fact_key"])
    raise UnknownSealedNodeError(node_labels)


def _sealed_items(record: dict[str, Any]) -> list[tuple[str, FieldContext]]:
    label, key = sealed_context(record["labels"], record["props"])
    return [(value, FieldContext(label, key, name[4:]))
            for name, value in record["props"].items()
            if name.startswith("enc_") and isinstance(value, str)]


def _pages(store: Store) -> Any:
    after = ""
    while True:
        page = store.read(q.SEALED_NODES_PAGE, after=after, limit=PAGE)
        if not page:
            return
        yield page
        after = page[-1]["element_id"]


def count_sealed_nodes(store: Store) -> int:
    """Nodes holding at least one ciphertext (the total for a progress bar)."""
    return int(store.read(q.COUNT_SEALED_NODES)[0]["n"])


def versions_in_use(store: Store) -> Counter[int]:
    """How many stored ciphertexts use each key version."""
    counts: Counter[int] = Counter()
    for page in _pages(store):
        for record in page:
            for token, _ in _sealed_items(record):
                counts[ciphertext_version(token)] += 1
    return counts


def rewrap_graph(store: Store, encryptor: Any,
                 on_nodes: Callable[[int], None] | None = None) -> int:
    """Re-encrypt every ciphertext of an older key version under the active version.

    Returns:
        The number of ciphertexts rewritten.
    """
    rewritten = 0
    for page in _pages(store):
        updates = []
        for record in page:
            changed = {}
            for token, context in _sealed_items(record):
                if ciphertext_version(token) == encryptor.active_version:
                    continue
                changed[f"enc_{context.field}"] = encryptor.rewrap(
                    token, label=context.label, record_key=context.record_key,
                    field=context.field)
            if changed:
                updates.append({"element_id": record["element_id"], "props": changed})
                rewritten += len(changed)
        if updates:
            store.write(q.SET_SEALED_PROPERTIES, rows=updates)
        if on_nodes is not None:
            on_nodes(len(page))
    return rewritten
