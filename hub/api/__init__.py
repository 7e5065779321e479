"""HTTP and GraphQL hardening of the API, one concern per module.

ASGI middleware, outermost first: :mod:`correlation` (a correlation id per request),
:mod:`body_limit` (413), :mod:`authn` (bearer token → principal, ``X-Purpose`` → purpose;
401/400/405), :mod:`rate_limit` (per-principal token bucket, 429).

Strawberry extensions (:mod:`extensions` assembles them): depth, alias and token limits,
:mod:`cost` (query cost), :mod:`field_policy` (every field through ``privacy.policy``,
audit events at the end of execution), :mod:`error_masking` (client sees a correlation
id, the log gets the detail). :mod:`access` holds the per-request decision ledger.
"""
