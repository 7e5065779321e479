"""Shared by the tests that verify the audit chain over the API, the console or Chromium.

The test server's database is cleared when a session starts, but the head anchor beside
the audit key (``keys/audit-head.anchor``) is not: from the second session on it was
started for a log that no longer exists, and verification rightly reports the log as
replaced or rewritten. As the anchor's documentation says of a log deliberately reset,
that old anchor is moved away; an anchor of the graph's own log is left as it is.
"""

from __future__ import annotations

from graph_schema.queries import audit as q
from hub.config import Settings
from hub.privacy_graph.audit import HEAD_NAME
from hub.privacy_graph.audit_anchor import HeadAnchor, anchor_path_for
from hub.store import Store


def forget_a_reset_logs_anchor(store: Store, settings: Settings) -> None:
    """Move the anchor aside when it was started for a log other than the graph's."""
    path = anchor_path_for(settings.audit_key_path)
    first = next(HeadAnchor(path).heads(), None)
    rows = store.read(q.READ_AUDIT_HEAD, name=HEAD_NAME)
    current = rows[0]["log_id"] if rows else None
    if first is not None and first.log_id != current:
        path.replace(path.with_name(path.name + ".reset"))
