"""Queries behind ``hub privacy scan``: the filtering runs in Neo4j, only candidates return.

One query per label combination (big ones in pieces) and per relationship type checks
every node against the properties declared in ``graph_schema.properties`` and returns,
aggregated by distinct value, only what needs a closer look in Python:

- ``undeclared``: a property the labels do not declare (its values are checked as plain);
- ``not_sealed`` / ``not_blind_index``: a sealed property whose value does not start as a
  ciphertext token does, or a blind-index property not of the index's shape;
- ``number``: a plain string holding a digit run shaped like an ID, mobile or card number
  (``$number_candidate``, a superset of ``privacy.scan``'s rules) and not of the
  property's declared ``shape``;
- ``text``: a segment (split at a few separators) of a plain string with at least two
  Chinese characters, to search for residents' names. Keys such as ``mention_key`` repeat
  a few segments over millions of nodes, so they collapse to a few rows.

One row per node, ``check = ''``, carries its number of properties (``value``) so the
caller can count what it scanned. The label part of a node query is spliced in by
:func:`node_scan` from names the database itself listed, after checking that each is a
plain identifier; everything else is a parameter.
"""

import re
from functools import cache
from typing import LiteralString

# $storage: property name -> 'plain' | 'sealed' | 'blind' for the labels scanned (absent:
# undeclared, checked as plain). Properties are read once into a map. A regex call costs
# about a microsecond in Cypher, so the prefilters run once per node on all its plain
# strings joined (neither a digit run nor a segment spans the "\n" between two of them),
# and string by string only where the node passes; a sealed value need only start as a
# token does (a plaintext never does; decryption checks the rest).
_CHECKS = """
WITH n, properties(n) AS p
WITH n, p, keys(p) AS ks
WITH n, ks, p, [k IN ks WHERE $storage[k] IS NULL] AS undeclared,
     [k IN ks WHERE coalesce($storage[k], 'plain') = 'plain'] AS plain
WITH n, ks, undeclared,
     [k IN plain WHERE p[k] IS :: STRING NOT NULL | [k, p[k]]]
   + reduce(acc = [], k IN [k IN plain WHERE p[k] IS :: LIST<ANY> NOT NULL] |
       acc + [t IN p[k] WHERE t IS :: STRING NOT NULL | [k, t]]) AS texts,
     [k IN ks WHERE $storage[k] = 'sealed'
                    AND NOT coalesce(p[k] STARTS WITH $token_prefix, false)
      | ['not_sealed', k, toStringOrNull(p[k])]]
   + [k IN ks WHERE $storage[k] = 'blind' AND NOT coalesce(p[k] =~ $blind_shape, false)
      | ['not_blind_index', k, toStringOrNull(p[k])]] AS misplaced
WITH n, ks, undeclared, texts, misplaced,
     reduce(s = '', x IN texts | s + '\n' + x[1]) AS joined
UNWIND [['', '', size(ks)]]
  + [k IN undeclared | ['undeclared', k, null]]
  + misplaced
  + CASE WHEN joined =~ $long_digit_run
         THEN [x IN texts WHERE x[1] =~ $long_digit_run AND x[1] =~ $number_candidate
                                AND NOT x[1] =~ coalesce($shapes[x[0]], '')
               | ['number', x[0], x[1]]]
         ELSE [] END
  + CASE WHEN joined =~ $text_candidate
         THEN reduce(acc = [], x IN texts |
                acc + CASE WHEN size(x[1]) > 1 AND x[1] =~ $text_candidate
                           THEN [s IN split(x[1], $separators)
                                 WHERE s = x[1] OR s =~ $text_candidate | ['text', x[0], s]]
                           ELSE [] END)
         ELSE [] END AS hit
RETURN hit[0] AS check, hit[1] AS property, hit[2] AS value, count(*) AS count,
       min(CASE WHEN hit[0] <> '' THEN elementId(n) END) AS example
"""

# a big label combination is scanned in parts: by the last character of the element id
# ($tails; the last part takes every character the others do not, so none is missed)
_NODE_SCAN = """
MATCH (n{labels}) WHERE size(labels(n)) = $label_count
  AND ($tails IS NULL OR right(elementId(n), 1) IN $tails)
  AND NOT right(elementId(n), 1) IN $not_tails
""" + _CHECKS

_UNLABELLED_SCAN = """
MATCH (n) WHERE size(labels(n)) = 0
""" + _CHECKS

_RELATIONSHIP_SCAN = """
MATCH ()-[n{type}]->()
""" + _CHECKS

# every label combination in use, with its node count (one pass over the node store)
LABEL_COMBINATIONS = """
MATCH (n)
RETURN labels(n) AS labels, count(*) AS n
"""

RELATIONSHIP_TYPES = """
CALL db.relationshipTypes() YIELD relationshipType
RETURN relationshipType AS type
"""

RELATIONSHIP_COUNT = """
MATCH ()-[r]->() RETURN count(r) AS n
"""

# from the count store, for the order of the work and the progress bar
_TYPE_COUNT = """
MATCH ()-[r{type}]->() RETURN count(r) AS n
"""

NODE_COUNT = "MATCH (n) RETURN count(n) AS n"

# the names of the mentions, sealed, one bucket of them (by the last character of the
# element id, as the scan's pieces) as one list: the caller decrypts them in memory.
# Lists, because 1.2 million records cost three times as much to stream and decode.
SEALED_MENTION_NAMES = """
MATCH (r:SourceRecord)
WHERE ($tails IS NULL OR right(elementId(r), 1) IN $tails)
  AND NOT right(elementId(r), 1) IN $not_tails
  AND r.enc_name STARTS WITH $token_prefix
RETURN collect([r.mention_key, r.enc_name]) AS rows
"""

MENTION_COUNT = "MATCH (r:SourceRecord) RETURN count(r) AS n"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _tokens(names: tuple[str, ...], prefix: str) -> str:
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain label or type name: {name!r}")
    return "".join(f"{prefix}`{name}`" for name in names)


@cache
def node_scan(labels: tuple[str, ...]) -> LiteralString:
    """The scan of nodes carrying exactly ``labels`` (none: nodes without a label).

    Raises:
        ValueError: a name is not a plain identifier (nothing else is ever spliced in).
    """
    if not labels:
        return _UNLABELLED_SCAN
    return _NODE_SCAN.replace("{labels}", _tokens(labels, ":"))


@cache
def relationship_scan(rel_type: str) -> tuple[LiteralString, LiteralString]:
    """The (scan, count) of relationships of type ``rel_type``.

    Raises:
        ValueError: ``rel_type`` is not a plain identifier.
    """
    token = _tokens((rel_type,), ":")
    return (_RELATIONSHIP_SCAN.replace("{type}", token),
            _TYPE_COUNT.replace("{type}", token))
