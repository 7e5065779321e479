"""Charity matching: charities, donations, consent-gated candidates and referrals.

``(:Donation)-[:OFFERED_BY]->(:Charity)``; ``(:Referral)-[:FOR_DONATION]->(:Donation)``,
``-[:REFERS]->(:Person|:Household)`` and ``-[:UNDER_CONSENT]->(:Consent)``. Candidates
are anchored on the indexed consent ``(grantee, purpose)``, so only recipients who
consented are ever read; jurisdiction (``$regions``) follows that anchor. A referral's
``status`` is ``proposed`` → ``confirmed`` (caseworker) → ``accepted`` | ``declined``
(the recipient, recorded by a caseworker); ``withdrawn`` when the consent is revoked.

No double funding: a recipient is funded for a need when a ``confirmed`` or ``accepted``
referral of the same category with an overlapping period refers to them, to their
household, or — for a household-level need (``$household_needs``) — to any living member
of their household, whichever member consented.
"""

REGISTER_CHARITY = """
MERGE (c:Charity {charity_id: $charity_id})
ON CREATE SET c.registered_at = $now, c.registered_by = $by
SET c.name = $name, c.active = true
RETURN c {.*} AS charity
"""

CHARITY_BY_ID = """
MATCH (c:Charity {charity_id: $charity_id})
RETURN c {.*} AS charity
"""

CREATE_DONATION = """
MATCH (ch:Charity {charity_id: $charity_id})
WHERE ch.active
CREATE (d:Donation)-[:OFFERED_BY]->(ch)
SET d = $props
RETURN d {.*} AS donation, 0 AS allocated
"""

DONATION_BY_ID = """
MATCH (d:Donation {donation_id: $donation_id})
OPTIONAL MATCH (d)<-[:FOR_DONATION]-(x:Referral)
WHERE x.status IN $funded
RETURN d {.*} AS donation, count(x) AS allocated
"""

DONATIONS = """
MATCH (d:Donation)
WHERE $charity_id IS NULL OR d.charity_id = $charity_id
OPTIONAL MATCH (d)<-[:FOR_DONATION]-(x:Referral)
WHERE x.status IN $funded
RETURN d {.*} AS donation, count(x) AS allocated
ORDER BY donation.published_at DESC
LIMIT $limit
"""

# every recipient with a consent in force for this donation's charity (or any charity) and
# category, in its region; with what the matching rules need and nothing it does not
# (``aid``: the recipients' own, for programme statuses; ``need_aid``: the aid that may
# already meet the need — for a household-level need, any living member's)
MATCH_CANDIDATES = """
MATCH (d:Donation {donation_id: $donation_id})
MATCH (c:Consent)-[:GIVEN_BY]->(s)
WHERE c.grantee IN [d.charity_id, $any_charity] AND c.purpose = 'charity_matching'
  AND c.revoked_at IS NULL AND c.granted_at <= $now AND c.expires_at > $now
  AND (c.categories IS NULL OR size(c.categories) = 0 OR d.category IN c.categories)
WITH d, s, c ORDER BY c.expires_at DESC
WITH d, s, collect(c)[0] AS c
OPTIONAL MATCH (s:Person)-[:MEMBER_OF {status: '正常'}]->(ph:Household)
WITH d, s, c, CASE WHEN s:Household THEN s ELSE head(collect(ph)) END AS hh
WITH d, s, c, hh, coalesce(hh.region_code, s.region_code) AS region
WHERE region IS NOT NULL AND region STARTS WITH d.region_prefix
  AND ($regions IS NULL OR region IN $regions)
  AND (s:Household OR coalesce(s.status, '正常') <> '死亡')
CALL (hh) {
  OPTIONAL MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh)
  WHERE coalesce(m.status, '正常') <> '死亡'
  RETURN collect(DISTINCT m) AS members
}
WITH d, s, c, hh, region, members, CASE WHEN s:Person THEN [s] ELSE members END AS recipients
WHERE size(recipients) > 0
CALL (recipients) {
  UNWIND recipients AS r
  OPTIONAL MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(r)
  RETURN collect(DISTINCT a {.programme, .department, .period, .start, .end}) AS aid,
         any(x IN collect(EXISTS { (r)-[:HAS]->(:MonitoringCase) }) WHERE x) AS monitored
}
CALL (d, recipients, members) {
  UNWIND CASE WHEN d.category IN $household_needs THEN recipients + members
              ELSE recipients END AS r
  OPTIONAL MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(r)
  RETURN collect(DISTINCT a {.programme, .department, .period, .start, .end}) AS need_aid
}
WITH d, s, c, hh, region, members, recipients, aid, need_aid, monitored,
     [s] + recipients + CASE WHEN hh IS NULL THEN [] ELSE [hh] END
     + CASE WHEN d.category IN $household_needs THEN members ELSE [] END AS units
OPTIONAL MATCH (s)<-[:REFERS]-(own:Referral)-[:FOR_DONATION]->(d)
RETURN CASE WHEN s:Person THEN 'person' ELSE 'household' END AS subject_kind,
       coalesce(s.person_id, s.household_id) AS subject_id, hh.household_id AS household_id,
       region, hh.urban_rural AS urban_rural,
       CASE WHEN size(members) > 0 THEN size(members) ELSE 1 END AS household_size,
       [r IN recipients | {person_id: r.person_id, birth: r.enc_birth_date}] AS people,
       aid, need_aid, monitored, properties(c) AS consent, own.status AS own_status,
       EXISTS {
         MATCH (u)<-[:REFERS]-(o:Referral)-[:FOR_DONATION]->(d2:Donation)
         WHERE u IN units AND NOT (d2 = d AND u = s) AND o.status IN $funded
           AND d2.category = d.category
           AND d2.period_start <= d.period_end AND d2.period_end >= d.period_start
       } AS matched_elsewhere
"""

# proposals for the fitting recipients: one referral per (donation, recipient); a
# withdrawn one comes back with a fresh token under the current consent
UPSERT_PROPOSALS = """
MATCH (d:Donation {donation_id: $donation_id})
UNWIND $rows AS row
MATCH (c:Consent {consent_id: row.consent_id})-[:GIVEN_BY]->(s)
MERGE (r:Referral {pair_key: row.pair_key})
ON CREATE SET r.token = row.token, r.status = 'proposed', r.created_at = $now,
              r.category = d.category, r.donation_id = d.donation_id,
              r.charity_id = d.charity_id, r.subject_kind = row.subject_kind
WITH d, c, s, r, row, r.status = 'withdrawn' AS renewed
SET r.token = CASE WHEN renewed THEN row.token ELSE r.token END,
    r.status = CASE WHEN renewed THEN 'proposed' ELSE r.status END,
    r.region_code = row.region_code, r.household_size = row.household_size,
    r.reasons = row.reasons, r.score = row.score
MERGE (r)-[:FOR_DONATION]->(d)
MERGE (r)-[:REFERS]->(s)
WITH r, c, row
CALL (r, c) {
  OPTIONAL MATCH (r)-[u:UNDER_CONSENT]->(old:Consent)
  WHERE old <> c AND r.status = 'proposed'
  DELETE u
}
CALL (r, c) {
  OPTIONAL MATCH (r)-[link:UNDER_CONSENT]->(:Consent)
  WITH r, c, count(link) AS linked
  WHERE linked = 0
  CREATE (r)-[:UNDER_CONSENT]->(c)
}
RETURN row.pair_key AS pair_key, r.token AS token, r.status AS status
"""

REFERRAL_BY_TOKEN = """
MATCH (r:Referral {token: $token})-[:FOR_DONATION]->(d:Donation)
MATCH (r)-[:REFERS]->(s)
OPTIONAL MATCH (r)-[:UNDER_CONSENT]->(c:Consent)
RETURN properties(r) AS referral, s.household_id AS household_id,
       coalesce(s.person_id, s.household_id) AS subject_id, properties(c) AS consent
"""

# caseworker confirmation: only a proposed referral under a consent in force, while the
# donation has places left and the recipient is not funded for the need by another
# referral — of them, their household or its members, or (household-level need) any other
# member of their household (locks the donation first, so two confirmations cannot both
# take the last place, nor two members of one household the same need)
CONFIRM_REFERRAL = """
MATCH (r:Referral {token: $token})-[:FOR_DONATION]->(d:Donation)
SET d.last_confirmation_at = $now
WITH r, d
WHERE r.status = 'proposed'
MATCH (r)-[:UNDER_CONSENT]->(c:Consent)
WHERE c.revoked_at IS NULL AND c.granted_at <= $now AND c.expires_at > $now
MATCH (r)-[:REFERS]->(s)
OPTIONAL MATCH (s)-[:MEMBER_OF {status: '正常'}]->(ph:Household)
OPTIONAL MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(s)
WITH r, d, s, collect(DISTINCT ph) AS homes, collect(DISTINCT m) AS members
CALL (d, homes) {
  UNWIND CASE WHEN d.category IN $household_needs THEN homes ELSE [] END AS home
  MATCH (k:Person)-[:MEMBER_OF {status: '正常'}]->(home)
  RETURN collect(DISTINCT k) AS kin
}
WITH r, d, homes + members + kin + [s] AS units
CALL (d) {
  OPTIONAL MATCH (d)<-[:FOR_DONATION]-(x:Referral)
  WHERE x.status IN $funded
  RETURN count(x) AS taken
}
WITH r, d, units, taken
WHERE taken < d.quantity AND NOT EXISTS {
  MATCH (u)<-[:REFERS]-(o:Referral)-[:FOR_DONATION]->(d2:Donation)
  WHERE u IN units AND o <> r AND o.status IN $funded AND d2.category = d.category
    AND d2.period_start <= d.period_end AND d2.period_end >= d.period_start
}
SET r.status = 'confirmed', r.confirmed_at = $now, r.confirmed_by = $by
RETURN r.token AS token
"""

DECIDE_REFERRAL = """
MATCH (r:Referral {token: $token})-[:UNDER_CONSENT]->(c:Consent)
WHERE r.status = 'confirmed' AND c.revoked_at IS NULL AND c.expires_at > $now
SET r.status = $status, r.decided_at = $now, r.decided_by = $by, r.evidence_ref = $evidence
RETURN r.token AS token
"""

# a revoked consent withdraws its pending referrals at once
WITHDRAW_FOR_CONSENT = """
MATCH (:Consent {consent_id: $consent_id})<-[:UNDER_CONSENT]-(r:Referral)
WHERE r.status IN $pending
SET r.status = 'withdrawn', r.withdrawn_at = $at, r.withdrawn_reason = 'consent_revoked'
RETURN count(r) AS withdrawn
"""

REFERRAL_QUEUE = """
MATCH (r:Referral)
WHERE r.status IN $statuses AND ($regions IS NULL OR r.region_code IN $regions)
MATCH (r)-[:REFERS]->(s)
OPTIONAL MATCH (r)-[:UNDER_CONSENT]->(c:Consent)
RETURN properties(r) AS referral, s.household_id AS household_id,
       coalesce(s.person_id, s.household_id) AS subject_id, properties(c) AS consent
ORDER BY referral.created_at
LIMIT $limit
"""

# what an accepted referral discloses to its charity: the recipient's (or the household
# head's) sealed name, and the newest sealed phone on an aid record or monitoring case
REFERRAL_CONTACT = """
MATCH (r:Referral {token: $token})-[:FOR_DONATION]->(d:Donation)
WHERE r.status = 'accepted' AND d.charity_id = $charity_id
MATCH (r)-[:UNDER_CONSENT]->(c:Consent)
WHERE c.revoked_at IS NULL AND c.granted_at <= $now AND c.expires_at > $now
MATCH (r)-[:REFERS]->(s)
OPTIONAL MATCH (hd:Person)-[:MEMBER_OF {relation: '户主', status: '正常'}]->(s)
WITH r, c, s, CASE WHEN s:Person THEN s ELSE head(collect(hd)) END AS p
OPTIONAL MATCH (p)-[:GRANTED_TO|HAS]-(f:Fact)
WHERE (f:AidRecord OR f:MonitoringCase) AND f.enc_phones IS NOT NULL
WITH r, c, s, p, f ORDER BY f.start DESC
WITH r, c, s, p, head(collect(f)) AS f
RETURN properties(r) AS referral, coalesce(s.person_id, s.household_id) AS subject_id,
       s.household_id AS household_id, properties(c) AS consent,
       p.person_id AS person_id, p.enc_name AS enc_name,
       f.fact_key AS phone_key, CASE WHEN f:AidRecord THEN 'AidRecord' ELSE 'MonitoringCase'
       END AS phone_label, f.enc_phones AS enc_phones
"""

# the demo: counties by how many living recipients of 低保 / 特困 (current) they hold
DEMO_REGIONS = """
MATCH (a:AidRecord)-[:GRANTED_TO]->(p:Person)-[:MEMBER_OF {status: '正常'}]->(h:Household)
WHERE a.programme IN ['城市低保', '农村低保', '特困供养']
  AND (a.end IS NULL OR a.end >= $today) AND coalesce(p.status, '正常') <> '死亡'
RETURN h.region_code AS region, count(DISTINCT p) AS recipients
ORDER BY recipients DESC, region
LIMIT 1
"""

# the demo's recipients: current 低保 / 特困 grantees of a county, those with a phone first
DEMO_RECIPIENTS = """
MATCH (a:AidRecord)-[:GRANTED_TO]->(p:Person)-[:MEMBER_OF {status: '正常'}]->(h:Household)
WHERE h.region_code = $region AND a.programme IN ['城市低保', '农村低保', '特困供养']
  AND (a.end IS NULL OR a.end >= $today) AND coalesce(p.status, '正常') <> '死亡'
WITH DISTINCT p
RETURN p.person_id AS person_id,
       EXISTS { MATCH (p)-[:GRANTED_TO|HAS]-(f:Fact) WHERE f.enc_phones IS NOT NULL }
       AS has_phone
ORDER BY has_phone DESC, person_id
LIMIT $n
"""
