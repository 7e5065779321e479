"""Whole-database housekeeping for test suites, benchmarks and demo set-up.

``CLEAR_GRAPH`` deletes every node and relationship except the applied-migration markers,
so the schema (constraints, indexes, version) survives and no migration re-runs. It
deletes in batches of its own transactions (``CALL { } IN TRANSACTIONS``), so it must be
run outside an explicit transaction: ``Store.run_autocommit``. The batch size bounds the
memory one transaction needs, even on a graph of millions of nodes.
"""

CLEAR_GRAPH = """
MATCH (n) WHERE NOT n:SchemaMigration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
"""
