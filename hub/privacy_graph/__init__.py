"""The Neo4j side of ``privacy/``: where the pure privacy library meets the graph.

``privacy/`` is a pure library (crypto, consent rules, audit chain, scanning) that reads no
configuration and imports nothing of the hub, so an auditor can read it alone. Each module
here is its graph-side adapter and mirrors it by name where one exists:

- :mod:`.kit` opens the hub's keys from its settings (``privacy.keys``, ``privacy.kek``);
- :mod:`.keys` rewraps stored ciphertexts and counts key versions in use (``privacy.keys``);
- :mod:`.consent` records, revokes and finds consent in the graph (``privacy.consent``);
- :mod:`.audit` appends and verifies the hash-chained audit log (``privacy.audit``), with
  :mod:`.audit_anchor`, the head anchored in a file outside Neo4j, and
  :mod:`.audit_group`, which commits concurrent requests' events in one transaction;
- :mod:`.scan` runs ``hub privacy scan`` over the graph (``privacy.scan``);
- :mod:`.security_events` writes the security administrator's operations to that log.
"""
