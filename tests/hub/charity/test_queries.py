"""The charity queries use only declared labels and relationship types, and parameters."""

from __future__ import annotations

import re

from graph_schema import labels
from graph_schema.migrations import all_migrations
from graph_schema.queries import charity as q
from tests.query_text import format_fields, literal_constants, query_constants


def _texts() -> dict[str, str]:
    return query_constants(q)


def test_queries_use_declared_labels_and_types() -> None:
    names = {part for t in _texts().values()
             for m in re.findall(r"[(\[\w]:([A-Za-z_]+(?:\|[A-Za-z_]+)*)", t)
             for part in m.split("|")}
    rel_types = {n for n in names if n.isupper()}
    node_labels = names - rel_types
    assert {"Referral", "Donation", "Charity", "Consent"} <= node_labels
    assert {"REFERS", "FOR_DONATION", "UNDER_CONSENT", "OFFERED_BY"} <= rel_types
    assert node_labels <= labels.NODE_LABELS, node_labels - labels.NODE_LABELS
    assert rel_types <= labels.RELATIONSHIP_TYPES, rel_types - labels.RELATIONSHIP_TYPES


def test_queries_take_parameters_only() -> None:
    texts = _texts()
    assert set(texts) <= literal_constants(q)  # no f-string, concatenation or .format
    assert {name: format_fields(text) for name, text in texts.items()
            if format_fields(text)} == {}
    assert "$charity_id" in texts["REGISTER_CHARITY"]  # values travel as parameters


def test_migration_keys_charity_nodes() -> None:
    charity = next(m for m in all_migrations() if m.name == "charity")
    joined = " ".join(charity.statements)
    for key in ("c.charity_id", "d.donation_id", "r.token", "r.pair_key"):
        assert f"REQUIRE {key} IS UNIQUE" in joined
