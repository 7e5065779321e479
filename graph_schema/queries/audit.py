"""The audit log: ``(:AuditEvent)`` chained by hash, one ``(:AuditHead)``, checkpoints.

Appending is three statements in one write transaction: :data:`LOCK_AUDIT_HEAD` takes the
head node's write lock (``SET``), so concurrent appends queue there; :data:`READ_AUDIT_HEAD`
then reads the committed head; :data:`APPEND_AUDIT_EVENTS` creates the events and moves
the head only if it is still where it was read (``WHERE h.seq = $expected_seq``), writing
its log id, ``mac_from`` and MAC with it. :data:`AUDIT_EVENT_MAC` is read only when the
head has no MAC (a log from before head MACs), to refuse a head whose MAC was stripped;
:data:`AUDIT_EVENT_HASHES` looks up, by the unique ``seq``, the events the anchor file
vouches for.
"""

LOCK_AUDIT_HEAD = """
MERGE (h:AuditHead {name: $name})
ON CREATE SET h.seq = 0, h.hash = $genesis, h.profile = $profile, h.created_at = $at
SET h.locked_at = $at
"""

READ_AUDIT_HEAD = """
MATCH (h:AuditHead {name: $name})
RETURN h.seq AS seq, h.hash AS hash, h.profile AS profile, h.log_id AS log_id,
       h.mac_from AS mac_from, h.mac AS mac
"""

AUDIT_EVENT_MAC = """
MATCH (e:AuditEvent {seq: $seq})
RETURN e.mac AS mac
"""

APPEND_AUDIT_EVENTS = """
MATCH (h:AuditHead {name: $name}) WHERE h.seq = $expected_seq
UNWIND $events AS event
CREATE (e:AuditEvent)
SET e = event
WITH h, count(e) AS created
SET h.seq = $seq, h.hash = $hash, h.log_id = $log_id, h.mac_from = $mac_from, h.mac = $mac
RETURN created
"""

AUDIT_EVENT_HASHES = """
UNWIND $seqs AS seq
MATCH (e:AuditEvent {seq: seq})
RETURN e.seq AS seq, e.hash AS hash
"""

CREATE_AUDIT_CHECKPOINT = """
CREATE (c:AuditCheckpoint)
SET c = $checkpoint
"""

# The chain in seq order, a page at a time (each its own read): one ORDER BY over the
# whole log sorted it in the transaction's memory, and `hub audit verify` ran out of it
# past a few hundred thousand events. The seq index gives the order; no sort.
AUDIT_EVENTS_AFTER = """
MATCH (e:AuditEvent)
WHERE e.seq > $after
WITH e ORDER BY e.seq LIMIT $limit
RETURN properties(e) AS e
"""

# events the seq pages cannot reach (no seq, or not an integer): only tampering leaves
# them, and the verifier must see them (after the chain, as the one sorted read did)
AUDIT_EVENTS_WITHOUT_SEQ = """
MATCH (e:AuditEvent)
WHERE e.seq IS NULL OR NOT valueType(e.seq) STARTS WITH 'INTEGER'
RETURN properties(e) AS e
"""

AUDIT_CHECKPOINTS = """
MATCH (c:AuditCheckpoint)
RETURN c.seq AS seq, c.hash AS hash, c.at AS at, c.mac AS mac
ORDER BY c.seq
"""

# The filters of a page, after its MATCH: every one optional; the page is cut in seq order
# before the projection.
_PAGE_FILTERS = """
  AND ($actor IS NULL OR e.actor = $actor)
  AND ($org IS NULL OR e.org = $org)
  AND ($purpose IS NULL OR e.purpose = $purpose)
  AND ($decision IS NULL OR e.decision = $decision)
  AND ($subject_ref IS NULL OR e.subject_ref = $subject_ref)
  AND ($correlation_id IS NULL OR e.correlation_id = $correlation_id)
  AND ($since IS NULL OR e.at >= $since)
  AND ($until IS NULL OR e.at < $until)
WITH e ORDER BY e.seq LIMIT $limit
RETURN properties(e) AS e
"""

# broad filters (actor, org, purpose, decision, time) or none: walk the seq index from the
# cursor and stop at the page's last match; a page reads its own events, not every event
# after the cursor (40k events: 157 -> 28 ms)
AUDIT_EVENTS_PAGE = """
MATCH (e:AuditEvent)
WHERE e.seq > $after""" + _PAGE_FILTERS

# one data subject ("who read this person's data") or one request: the few events that
# match, by their index, then sorted. The seq walk above would read the whole log when
# the subject is rare or absent (300,000 events: 180 ms, growing with the log; by the
# index: 5 ms). SEEK: a plain index hint may be met by scanning the whole index, which a
# planner with fresh statistics chose on a new graph
AUDIT_EVENTS_PAGE_BY_SUBJECT = """
MATCH (e:AuditEvent)
USING INDEX SEEK e:AuditEvent(subject_ref)
WHERE e.subject_ref = $subject_ref AND e.seq > $after""" + _PAGE_FILTERS

AUDIT_EVENTS_PAGE_BY_CORRELATION = """
MATCH (e:AuditEvent)
USING INDEX SEEK e:AuditEvent(correlation_id)
WHERE e.correlation_id = $correlation_id AND e.seq > $after""" + _PAGE_FILTERS
