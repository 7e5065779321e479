"""Every property of every node label and relationship type, declared once.

Why: ``hub privacy scan`` is a gate (CI, after every load) and must not guess what a
property holds. Each property is declared here as one of

- ``SEALED``: a personal field, stored only as a ciphertext token (``enc_<field>``);
- ``BLIND_INDEX``: a keyed hash of a personal value for equality look-ups (``bi_<field>``);
- ``PLAIN``: stored as is, with the reason it is not personal (a code, a key, a number, a
  digest, model parameters …). The scan still checks every plain string for ID, mobile
  and bank-card numbers and for residents' names.

A node's properties are those of all its labels (a ``Fact:AidRecord`` has the ``Fact`` ones
and the ``AidRecord`` ones). Anything not declared — a label, a relationship type or a
property — is reported by the scan as a finding of its own: a new field must be declared
(and so classified) before it lands in the graph. Fact properties follow the mappings in
``hub/ingest/mappings``; a test keeps the two in step.

``shape`` (optional, a regular expression valid in Python and Java) is the exact form of a
hub-made value such as ``batch_id``: a value with that shape is known to be safe (a 16-hex
digest suffix can be all digits and pass the Luhn check), any other value is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from graph_schema import labels


class Storage(StrEnum):
    """How a property is stored."""

    SEALED = "sealed"
    BLIND_INDEX = "blind_index"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class Prop:
    """The declaration of one property: how it is stored and why that is safe."""

    storage: Storage
    why: str
    shape: str | None = None


Props = dict[str, Prop]

# -- why a plain property holds nothing personal ------------------------------------------
KEY = "export record number, a mention/fact key built from it, or an id the hub made"
CODE = "value of a closed vocabulary: kind, status, category, relation, role, region"
NUMBER = "number, date, time or flag"
DIGEST = "hex digest: content hash, MAC, hash-chain link or key check"
MODEL = "linkage model parameters, counts and timings of a run"
ORG = "name of an organisation (school, unit, 委员会, charity, vehicle model), not a person"
ACCOUNT = "account name of a hub user or organisation code (token subject), not a resident"
FREE = "free text typed by staff or a charity; must hold no personal data (scanned)"
PROVENANCE = "source export, batch and line of a record"

_BATCH_ID = r"[a-z_]+-[0-9a-f]{16}"


def sealed(*fields: str) -> Props:
    """``enc_<field>`` ciphertexts of personal fields."""
    return {f"enc_{f}": Prop(Storage.SEALED, "personal field, encrypted") for f in fields}


def indexed(*fields: str) -> Props:
    """``bi_<field>`` blind indexes (and, for identifiers, their ``enc_<field>``)."""
    return {f"bi_{f}": Prop(Storage.BLIND_INDEX, "keyed hash for equality look-ups")
            for f in fields}


def plain(why: str, *names: str, shape: str | None = None) -> Props:
    """Properties stored as is, for the reason ``why``."""
    return {name: Prop(Storage.PLAIN, why, shape) for name in names}


def _merge(*groups: Props) -> Props:
    merged: Props = {}
    for group in groups:
        for name, prop in group.items():
            if name in merged and merged[name] != prop:
                raise ValueError(f"property {name!r} declared twice, differently")
            merged[name] = prop
    return merged


# provenance every ingested node carries; ``history`` lists "<batch_id>:<row_hash>"
_INGESTED = _merge(
    plain(PROVENANCE, "source", "record_id", "line_no"),
    plain(PROVENANCE, "batch_id", shape=_BATCH_ID),
    plain(DIGEST, "row_hash"),
    plain(PROVENANCE, "history", shape=_BATCH_ID + ":[0-9a-f]{32}"),
)

_AID = _merge(
    plain(CODE, "programme", "period", "region_code", "aid_type", "disaster_type",
          "aid_item"),
    plain(NUMBER, "amount", "start", "end", "covered_count", "monthly_amount",
          "start_month", "end_month", "household_size", "start_date", "end_date",
          "disaster_date", "paid_date", "reported_at"),
    # 备注 of 民政: read by the rules (单人户施保); scanned like every plain text
    plain(FREE, "note"),
    plain(ACCOUNT, "reported_by"),
    sealed("recipient_no", "family_no", "address", "phones"),
    indexed("recipient_no", "family_no"),
)

_ASSET = _merge(
    plain(CODE, "asset_kind", "use", "title_status", "vehicle_type", "vehicle_status",
          "business_type", "registration_status", "account_status", "id_type",
          "account_type"),
    plain(ORG, "model"),
    plain(NUMBER, "area", "registration_date", "first_registration_date",
          "registered_capital_10k", "established_date", "opened_date", "query_date"),
    sealed("title_no", "address", "plate", "credit_code", "business_name", "employer",
           "contribution_base", "monthly_deposit", "balance", "institution"),
    indexed("title_no", "credit_code"),
)

NODE_PROPERTIES: Final = MappingProxyType({
    labels.SOURCE_RECORD: _merge(
        _INGESTED,
        plain(KEY, "mention_key"),
        plain(CODE, "role", "id_kind", "region_code", "sex"),
        plain(NUMBER, "id_valid"),
        sealed("name", "id_number", "birth_date"),
        indexed("id", "phone", "name_birth"),
    ),
    labels.FACT: _merge(
        _INGESTED,
        plain(KEY, "fact_key"),
        plain(CODE, "kind", "department"),
    ),
    labels.AID_RECORD: _AID,
    labels.ASSET: _ASSET,
    labels.INCOME_RECORD: _merge(
        plain(CODE, "status", "income_item"),
        plain(NUMBER, "month", "tax_year"),
        sealed("employer", "contribution_base", "monthly_pension", "income_amount",
               "tax_paid"),
    ),
    labels.DISABILITY: _merge(
        plain(CODE, "cert_status", "subsidy_type"),
        plain(NUMBER, "issue_date", "subsidy_amount", "subsidy_start_month",
              "subsidy_end_month"),
        sealed("category", "level", "cert_no"),
    ),
    labels.ILLNESS: {},
    labels.DEATH: plain(NUMBER, "date"),
    labels.HUKOU_ENTRY: _merge(
        plain(CODE, "relation", "region_code", "status"),
        plain(NUMBER, "status_date"),
        sealed("hukou_no", "ethnicity", "address"),
        indexed("hukou_no"),
    ),
    labels.FAMILY_MEMBERSHIP: _merge(
        plain(CODE, "family_category", "relation", "labour_capacity"),
        sealed("family_no", "has_disability", "disability_category", "disability_level",
               "serious_illness_declared", "serious_illness", "monthly_income"),
        indexed("family_no"),
    ),
    labels.MEDICAL_SETTLEMENT: _merge(
        plain(CODE, "insurance_type", "person_category", "visit_type"),
        plain(NUMBER, "admission_date", "settlement_date", "total_cost", "insurance_paid",
              "critical_illness_paid", "medical_aid_paid", "out_of_pocket"),
        sealed("major_illness", "hospital", "diagnosis"),
    ),
    labels.STUDENT_RECORD: _merge(
        plain(CODE, "stage", "grade", "school_year", "aid_items"),
        plain(ORG, "school", "guardian_organisation"),
        plain(NUMBER, "school_year_start", "aid_amount", "tuition"),
        sealed("student_no"),
    ),
    labels.MONITORING_CASE: _merge(
        plain(CODE, "region_code", "monitoring_type", "risk_types"),
        plain(NUMBER, "household_size", "included_date", "risk_eliminated"),
        sealed("income_per_capita_year", "phones"),
    ),
    labels.STAFF_MEMBER: _merge(
        plain(CODE, "title", "region_code"),
        plain(ORG, "unit"),
        plain(NUMBER, "appointed_date"),
        sealed("phones"),
    ),
    labels.REGION_STANDARD: _merge(
        plain(CODE, "region_code", "region_name", "urban_rural"),
        plain(NUMBER, "year", "dibao_standard", "tekun_standard", "asset_limit_per_capita"),
    ),
    labels.PERSON: _merge(
        plain(KEY, "person_id", "household_id", "run_id", "merged_into", "retired_run_id"),
        plain(CODE, "region_code", "sex", "status", "sources"),
        plain(NUMBER, "mention_count", "id_valid", "status_date"),
        sealed("name", "id_number", "birth_date"),
        indexed("id"),
    ),
    labels.HOUSEHOLD: _merge(
        plain(KEY, "household_id"),
        plain(CODE, "region_code", "urban_rural", "township", "review_programme"),
        # the re-verification plan a monitoring run drew (hub.rules.schedule)
        plain(NUMBER, "review_interval_months", "review_anchor", "review_unstable",
              "review_drawn_on"),
        indexed("hukou_no"),
    ),
    labels.CONSENT: _merge(
        plain(KEY, "consent_id", "evidence_ref"),
        plain(CODE, "purpose", "grantee", "categories"),
        plain(NUMBER, "granted_at", "expires_at", "recorded_at", "revoked_at"),
        plain(ACCOUNT, "recorded_by", "revoked_by"),
    ),
    labels.CHARITY: _merge(
        plain(KEY, "charity_id"),
        plain(ORG, "name"),
        plain(NUMBER, "active", "registered_at"),
        plain(ACCOUNT, "registered_by"),
    ),
    labels.DONATION: _merge(
        plain(KEY, "donation_id", "charity_id"),
        plain(CODE, "category", "region_prefix", "household_types", "programme_statuses"),
        plain(FREE, "title"),
        plain(NUMBER, "period_start", "period_end", "quantity", "amount_per_recipient",
              "age_min", "age_max", "published_at", "last_confirmation_at"),
    ),
    labels.MATCH: {},  # declared label, not written today
    labels.REFERRAL: _merge(
        plain(KEY, "pair_key", "token", "donation_id", "charity_id", "evidence_ref"),
        plain(CODE, "status", "category", "subject_kind", "region_code", "reasons",
              "withdrawn_reason"),
        plain(NUMBER, "created_at", "household_size", "score", "confirmed_at", "decided_at",
              "withdrawn_at"),
        plain(ACCOUNT, "confirmed_by", "decided_by"),
    ),
    labels.SCHEMA_MIGRATION: _merge(plain(CODE, "name"), plain(NUMBER, "version", "applied_at")),
    labels.INGEST_BATCH: _merge(
        plain(PROVENANCE, "batch_id", shape=_BATCH_ID),
        plain(PROVENANCE, "source", "file"),
        plain(NUMBER, "rows_read", "accepted", "duplicates", "quarantined", "started_at",
              "finished_at"),
    ),
    labels.HEALTH_PROBE: plain(KEY, "key"),
    labels.ALERT: _merge(
        plain(KEY, "alert_key", "subject_id", "household_id", "person_ids", "evidence",
              "created_run_id", "last_seen_run_id"),
        plain(CODE, "type", "subject_kind", "region_code", "region_codes", "department",
              "programme", "hardship", "detail", "status"),
        plain(NUMBER, "created_at", "last_seen_at", "as_of", "closed_at", "updated_at"),
        plain(ACCOUNT, "updated_by"),
        # "<time>|<run or user>|<status>|<reason>" and the caseworker's reason
        plain(FREE, "history", "reason"),
    ),
    labels.AUDIT_EVENT: _merge(
        plain(KEY, "consent_id", "subject_ref", "correlation_id"),
        plain(CODE, "org", "roles", "purpose", "action", "decision", "legal_basis",
              "fields_returned", "fields_masked", "fields_denied"),
        plain(ACCOUNT, "actor"),
        plain(FREE, "reason"),
        plain(NUMBER, "seq", "at"),
        plain(DIGEST, "prev_hash", "hash", "mac"),
    ),
    labels.AUDIT_HEAD: _merge(
        plain(KEY, "name", "log_id"),
        plain(CODE, "profile"),
        plain(NUMBER, "seq", "mac_from", "created_at", "locked_at"),
        plain(DIGEST, "hash", "mac"),
    ),
    labels.AUDIT_CHECKPOINT: _merge(plain(NUMBER, "seq", "at"), plain(DIGEST, "hash", "mac")),
    labels.LINK_RUN: _merge(
        plain(KEY, "run_id"),
        plain(CODE, "mode", "engine"),
        plain(NUMBER, "mentions", "new_mentions", "persons", "links_written",
              "review_queue", "retired_persons", "households", "seconds", "finished_at",
              "read_mentions", "rounds", "neighbourhood"),
        plain(MODEL, "settings_json", "phases_json", "blocking_counts"),
    ),
    labels.REVIEW_PAIR: _merge(
        plain(KEY, "pair_key", "key_a", "key_b", "person_a", "person_b", "created_run_id",
              "last_run_id"),
        plain(CODE, "status", "reason"),
        plain(NUMBER, "weight", "decided_at"),
        plain(ACCOUNT, "decided_by"),
        plain(FREE, "note"),
    ),
    labels.POLICY_VERSION: _merge(
        plain(KEY, "key"), plain(NUMBER, "recorded_at"), plain(DIGEST, "digest")),
    # a second label of a SourceRecord waiting for a link run; no properties of its own
    labels.LINK_PENDING: {},
})

RELATIONSHIP_PROPERTIES: Final = MappingProxyType({
    labels.RESOLVES_TO: _merge(plain(NUMBER, "weight"), plain(CODE, "method"),
                          plain(KEY, "run_id")),
    labels.MEMBER_OF: _merge(plain(CODE, "relation", "status"), plain(NUMBER, "until"),
                        plain(KEY, "fact_key")),
    labels.SUPPORTS: plain(CODE, "kind"),
    labels.KIN_OF: plain(CODE, "kind"),
    labels.GRANTED_TO: plain(CODE, "role"),
    labels.OWNS: plain(CODE, "role"),
    labels.HAS: plain(CODE, "role"),
    labels.ABOUT: plain(CODE, "role"),
    labels.GIVEN_BY: {},
    labels.FROM_RECORD: {},
    labels.COVERS: {},
    labels.HANDLED_BY: {},
    labels.EVIDENCED_BY: {},
    labels.OFFERED_BY: {},
    labels.FOR_DONATION: {},
    labels.REFERS: {},
    labels.UNDER_CONSENT: {},
})


def declared_for(label_set: Iterable[str]) -> Props:
    """The properties a node with these labels may carry (union over its labels).

    Undeclared labels contribute nothing, so their own properties read as undeclared.
    """
    merged: Props = {}
    for label in sorted(label_set):
        merged.update(NODE_PROPERTIES.get(label, {}))
    return merged
