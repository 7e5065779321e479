"""Services the API calls: each runs named Cypher and returns plain views.

Personal values stay sealed in the views (:class:`hub.services.sealed.Sealed`) until a
resolver, after the access policy allowed it, asks to reveal them.
"""
