"""Whole-database housekeeping for test suites, benchmarks and demo set-up.

``CLEAR_GRAPH`` deletes every node and relationship except the applied-migration markers,
so the schema (constraints, indexes, version) survives and no migration re-runs. It
deletes in batches of its own transactions (``CALL { } IN TRANSACTIONS``), so it must be
run outside an explicit transaction: ``Store.run_autocommit``. The batch size bounds the
memory one transaction needs, even on a graph of millions of nodes. ``DROP_ALERTS`` does
the same for monitoring alerts only.

``COUNTS_BY_NAME`` and ``PERSON_IDS`` are what a graph's fingerprint is made of: the test
suite records one when it builds its linked sample and rebuilds the sample when the graph
no longer matches, instead of trusting a marker node that survives any change.
"""

from typing import Final, LiteralString

from graph_schema import labels

CLEAR_GRAPH = """
MATCH (n) WHERE NOT n:SchemaMigration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
"""

# every monitoring alert, for a test or benchmark that wants a monitoring run from none
DROP_ALERTS = """
MATCH (a:Alert) CALL (a) { DETACH DELETE a } IN TRANSACTIONS OF 5000 ROWS
"""


def _node_count(label: LiteralString) -> LiteralString:
    return f"MATCH (n:`{label}`) RETURN 'node' AS kind, '{label}' AS name, count(n) AS n"


def _relationship_count(rel_type: LiteralString) -> LiteralString:
    return (f"MATCH ()-[r:`{rel_type}`]->() "
            f"RETURN 'relationship' AS kind, '{rel_type}' AS name, count(r) AS n")


# one row (kind, name, n) per declared label and relationship type; every count of one
# label or type is answered from Neo4j's count store, without a scan, however big the graph
COUNTS_BY_NAME: Final[LiteralString] = "\nUNION ALL\n".join(
    [_node_count(label) for label in sorted(labels.NODE_LABELS)]
    + [_relationship_count(rel_type) for rel_type in sorted(labels.RELATIONSHIP_TYPES)])

# every person node's id and merge target, in a stable order (a relink that merged or
# split anyone changes this even when the counts stay the same)
PERSON_IDS = """
MATCH (p:Person)
RETURN p.person_id AS person_id, p.merged_into AS merged_into
ORDER BY person_id
"""

# forget every drawn re-verification plan (the next reads compute the schedule live)
CLEAR_REVIEW_PLANS = """
MATCH (hh:Household) WHERE hh.review_drawn_on IS NOT NULL
REMOVE hh.review_programme, hh.review_interval_months, hh.review_anchor,
       hh.review_unstable, hh.review_drawn_on
"""
