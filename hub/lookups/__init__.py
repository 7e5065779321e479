"""The API's read models: lookups of people, households, aid and provenance.

Each lookup runs named Cypher (``graph_schema.queries.people``) in one round trip and
returns plain views (:mod:`.views`, :mod:`.cards`). Personal values stay sealed in the
views (:class:`hub.lookups.sealed.Sealed`) until a resolver, after the access policy
allowed it, asks to reveal them.
"""
