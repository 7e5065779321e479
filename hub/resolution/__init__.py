"""Entity resolution on the graph: load mentions, link them, persist people and households.

``hub.linkage`` is the in-memory pipeline (pure pandas); this package moves data between it
and Neo4j: it decrypts what linkage needs, writes ``Person`` / ``RESOLVES_TO`` / the review
queue, builds households and support duties, and projects facts onto people.
"""

from hub.resolution.service import LinkSummary, run_link

__all__ = ["LinkSummary", "run_link"]
