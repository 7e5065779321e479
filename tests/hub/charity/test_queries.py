"""The charity queries use only declared labels and relationship types, and parameters."""

from __future__ import annotations

import re

from graph_schema import labels
from graph_schema.migrations import all_migrations
from graph_schema.queries import charity as q


def _texts() -> dict[str, str]:
    return {k: v for k, v in vars(q).items() if k.isupper() and isinstance(v, str)}


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
    for name, text in _texts().items():
        assert "{0}" not in text and "%s" not in text and "f'" not in text, name


def test_migration_keys_charity_nodes() -> None:
    charity = next(m for m in all_migrations() if m.name == "charity")
    joined = " ".join(charity.statements)
    for key in ("c.charity_id", "d.donation_id", "r.token", "r.pair_key"):
        assert f"REQUIRE {key} IS UNIQUE" in joined
