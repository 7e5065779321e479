"""The declared property schema: complete, well-formed, and in step with the mappings."""

from __future__ import annotations

import re

import pytest

from graph_schema import labels
from graph_schema.labels import KIND_LABELS
from graph_schema.properties import (
    NODE_PROPERTIES,
    RELATIONSHIP_PROPERTIES,
    Storage,
    declared_for,
)
from hub.ingest.mapping import load_mappings
from hub.ingest.writer import FIELD_CLASSES, INDEXED_IDENTIFIERS


def test_every_label_and_type_is_declared_once() -> None:
    assert set(NODE_PROPERTIES) == labels.NODE_LABELS
    assert set(RELATIONSHIP_PROPERTIES) == labels.RELATIONSHIP_TYPES


@pytest.mark.parametrize("table", [NODE_PROPERTIES, RELATIONSHIP_PROPERTIES])
def test_declarations_are_well_formed(table) -> None:
    for label, props in table.items():
        for name, prop in props.items():
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), (label, name)
            assert prop.why, (label, name)
            if prop.storage is Storage.SEALED:
                assert name.startswith("enc_"), (label, name)
            elif prop.storage is Storage.BLIND_INDEX:
                assert name.startswith("bi_"), (label, name)
            else:
                assert not name.startswith(("enc_", "bi_")), (label, name)
            if prop.shape is not None:
                re.compile(prop.shape)


def test_linkage_model_parameters_are_declared_plain() -> None:
    run = NODE_PROPERTIES[labels.LINK_RUN]
    assert run["settings_json"].storage is Storage.PLAIN
    assert "model" in run["settings_json"].why


def test_fact_labels_add_to_fact_without_contradicting_it() -> None:
    for label in labels.FACT_LABELS:
        for name, prop in NODE_PROPERTIES[label].items():
            common = NODE_PROPERTIES[labels.FACT].get(name)
            assert common is None or common == prop, (label, name)


def test_a_node_may_carry_the_properties_of_all_its_labels() -> None:
    props = declared_for({labels.FACT, labels.AID_RECORD})
    assert {"fact_key", "row_hash", "programme", "enc_phones", "bi_family_no"} <= set(props)
    assert declared_for({"NotALabel"}) == {}


def test_mappings_and_schema_agree() -> None:
    """A mapping field is plain on its label only if it is a plain fact; every personal or
    sensitive field is declared sealed (an identifier also blind-indexed), never plain."""
    problems: list[str] = []
    for mapping in load_mappings().values():
        label = KIND_LABELS[mapping.kind][0]
        declared = declared_for({labels.FACT, label})
        for spec in mapping.facts:
            sealed = spec.sensitive or spec.field in INDEXED_IDENTIFIERS
            wanted = f"enc_{spec.field}" if sealed else spec.field
            prop = declared.get(wanted)
            storage = Storage.SEALED if sealed else Storage.PLAIN
            if prop is None or prop.storage is not storage:
                problems.append(f"{mapping.source}.{spec.field}: want {wanted} {storage}")
            if spec.field in INDEXED_IDENTIFIERS and f"bi_{spec.field}" not in declared:
                problems.append(f"{mapping.source}.{spec.field}: no bi_{spec.field}")
        for spec in mapping.personal:
            prop = declared.get(f"enc_{spec.field}")
            if prop is None or prop.storage is not Storage.SEALED:
                problems.append(f"{mapping.source}.{spec.field}: personal, not sealed")
            if spec.field in declared:
                problems.append(f"{mapping.source}.{spec.field}: personal, declared plain")
        for mention in mapping.mentions:
            if mention.organisation_field and mention.organisation_field not in declared:
                problems.append(f"{mapping.source}.{mention.organisation_field}: undeclared")
    assert problems == []


@pytest.mark.parametrize("source", ["renshe_employment", "gongjijin_fund"])
def test_employers_are_personal_names(source: str) -> None:
    """Issue 13 item 8: an employer is often a business named after its owner."""
    mapping = load_mappings()[source]
    assert "employer" in {spec.field for spec in mapping.personal}
    assert "employer" not in {spec.field for spec in mapping.facts}
    assert FIELD_CLASSES["employer"] == "name"
    label = KIND_LABELS[mapping.kind][0]
    assert declared_for({labels.FACT, label})["enc_employer"].storage is Storage.SEALED
