"""Queries behind ``hub keys rewrap`` (``hub privacy scan``: see ``privacy_scan``)."""

# one page of nodes holding ciphertexts, in a stable order, after a resume point
SEALED_NODES_PAGE = """
MATCH (n)
WHERE elementId(n) > $after
  AND any(k IN keys(n) WHERE k STARTS WITH 'enc_')
WITH n ORDER BY elementId(n) LIMIT $limit
RETURN elementId(n) AS element_id, labels(n) AS labels, properties(n) AS props
"""

SET_SEALED_PROPERTIES = """
UNWIND $rows AS row
MATCH (n) WHERE elementId(n) = row.element_id
SET n += row.props
"""

COUNT_SEALED_NODES = """
MATCH (n) WHERE any(k IN keys(n) WHERE k STARTS WITH 'enc_')
RETURN count(n) AS n
"""
