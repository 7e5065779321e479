"""Charity matching: charities by organisation code, donations and referrals by their keys.

A referral is unique per (donation, recipient) through ``pair_key`` (kept inside the hub;
charities only ever see the random ``token``, itself unique). Consents are looked up by
``(grantee, purpose)`` (m0002); donations by category, referrals by status for the queues.
"""

STATEMENTS = (
    "CREATE CONSTRAINT charity_id IF NOT EXISTS FOR (c:Charity) REQUIRE c.charity_id IS UNIQUE",
    "CREATE CONSTRAINT donation_id IF NOT EXISTS "
    "FOR (d:Donation) REQUIRE d.donation_id IS UNIQUE",
    "CREATE CONSTRAINT referral_token IF NOT EXISTS "
    "FOR (r:Referral) REQUIRE r.token IS UNIQUE",
    "CREATE CONSTRAINT referral_pair_key IF NOT EXISTS "
    "FOR (r:Referral) REQUIRE r.pair_key IS UNIQUE",
    "CREATE INDEX donation_category IF NOT EXISTS FOR (d:Donation) ON (d.category)",
    "CREATE INDEX referral_status IF NOT EXISTS FOR (r:Referral) ON (r.status)",
    "CREATE INDEX referral_region IF NOT EXISTS FOR (r:Referral) ON (r.region_code)",
)
