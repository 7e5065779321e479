"""A cheap fingerprint of the graph, to tell whether the linked sample is still as built.

A marker node says only that the sample was linked once; it survives a test that relinks,
adds facts or leaves consents behind, and then later tests pass or fail by run order. The
fingerprint is the number of nodes of every label and relationships of every type (read
from Neo4j's count store, so it costs milliseconds) and a digest of every person id with
its merge target (a relink that moved people changes it even when the counts stay).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graph_schema import labels
from graph_schema.queries.maintenance import COUNTS_BY_NAME, PERSON_IDS
from hub.store import Store

# Appended to by every audited request and read back by correlation id or sequence, never
# as a whole: what tests add here changes nothing another test reads.
APPEND_ONLY: frozenset[str] = frozenset({
    labels.AUDIT_EVENT, labels.AUDIT_HEAD, labels.AUDIT_CHECKPOINT, labels.POLICY_VERSION})


@dataclass(frozen=True)
class Fingerprint:
    """Counts by label and type (zero counts left out) and the digest of the person ids."""

    counts: frozenset[tuple[str, str, int]]
    persons: str

    def differences(self, other: Fingerprint) -> list[str]:
        """What changed from ``self`` to ``other``, readable in a failure or a log line."""
        before = {(kind, name): n for kind, name, n in self.counts}
        after = {(kind, name): n for kind, name, n in other.counts}
        changed = [f"{name}: {before.get(key, 0)} -> {after.get(key, 0)}"
                   for key in sorted(before.keys() | after.keys())
                   for name in [key[1]] if before.get(key, 0) != after.get(key, 0)]
        if self.persons != other.persons:
            changed.append("person ids or merges")
        return changed


def fingerprint(store: Store) -> Fingerprint:
    """The fingerprint of the graph in ``store`` now (the audit trail left out)."""
    counts = frozenset((row["kind"], row["name"], row["n"]) for row in store.read(COUNTS_BY_NAME)
                       if row["n"] and row["name"] not in APPEND_ONLY)
    digest = hashlib.sha256()
    for row in store.read(PERSON_IDS):
        digest.update(f"{row['person_id']}>{row['merged_into'] or ''}\n".encode())
    return Fingerprint(counts, digest.hexdigest())
