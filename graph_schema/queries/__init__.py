"""Named Cypher queries, one UPPER_SNAKE constant per query, grouped by concern.

Queries take ``$parameters`` only; they are never assembled from strings at run time.
"""
