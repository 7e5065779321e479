"""Key rotation over the graph: rewrap every stored ciphertext, count versions in use.

``hub keys rotate`` only makes a new active version (new writes use it at once).
``rewrap_graph`` then walks every node holding ``enc_*`` properties page by page and
re-encrypts tokens of older versions under the active one; tokens already current are
left alone, so an interrupted rewrap is resumed by running it again, with no downtime.
Only when ``versions_in_use`` no longer lists a version may it be retired.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from graph_schema import labels
from graph_schema.queries import privacy as q
from hub.store import Store
from privacy import FieldContext, token_version

PAGE = 2000


def sealed_context(node_labels: list[str], props: dict[str, Any]) -> tuple[str, str] | None:
    """The (label, record key) a node's ciphertexts are bound to, as the writer sealed them."""
    if labels.SOURCE_RECORD in node_labels:
        return labels.SOURCE_RECORD, str(props["mention_key"])
    if labels.FACT in node_labels:
        semantic = [name for name in node_labels if name != labels.FACT]
        return semantic[0], str(props["fact_key"])
    return None


def _sealed_items(record: dict[str, Any]) -> list[tuple[str, FieldContext]]:
    context = sealed_context(record["labels"], record["props"])
    if context is None:
        return []
    label, key = context
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
                counts[token_version(token)] += 1
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
                if token_version(token) == encryptor.active_version:
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
