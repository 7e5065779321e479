"""Stable alert keys, routing, and the queries' vocabulary."""

from __future__ import annotations

import re

from graph_schema import labels
from graph_schema.queries import monitoring as q
from hub.monitoring import model
from hub.monitoring.model import Evidence, Finding
from hub.monitoring.routing import TYPE_DEPARTMENT, department_for
from tests.query_text import format_fields, literal_constants, query_constants

A = Evidence("民政", "minzheng_aid", "MZJZ1", "minzheng_aid:MZJZ1")
B = Evidence("公安", "gongan_hukou", "GA1", "gongan_hukou:GA1:death")


def test_alert_key_is_stable_and_order_free() -> None:
    one = Finding(model.STILL_RECEIVING_AFTER_DEATH, "person", "P1", "410502", [A, B])
    two = Finding(model.STILL_RECEIVING_AFTER_DEATH, "person", "P1", None, [B, A],
                  detail=["x"])
    assert one.alert_key == two.alert_key
    assert one.alert_key != Finding(model.DUPLICATE_BASIC_AID, "person", "P1", None,
                                    [A, B]).alert_key
    assert one.alert_key != Finding(model.STILL_RECEIVING_AFTER_DEATH, "person", "P1", None,
                                    [A]).alert_key
    assert re.fullmatch(r"AL[0-9a-f]{24}", one.alert_key)


def test_every_type_is_routed() -> None:
    assert set(TYPE_DEPARTMENT) == set(model.ALL_TYPES)
    finding = Finding(model.MISSED_ELIGIBLE, "household", "HH1", None, [], hardship="illness")
    assert department_for(finding) == "医保"
    finding.hardship = "disability"
    assert department_for(finding) == "残联"
    assert department_for(Finding(model.DOUBLE_HOUSING_AID, "household", "HH1", None,
                                  [])) == "住建"


def test_queries_use_declared_labels_and_types() -> None:
    texts = [v for k, v in vars(q).items() if k.isupper() and isinstance(v, str)]
    assert texts
    names = {part for t in texts
             for m in re.findall(r"[(\[\w]:([A-Za-z_]+(?:\|[A-Za-z_]+)*)", t)
             for part in m.split("|")}
    rel_types = {n for n in names if n.isupper()}
    node_labels = names - rel_types
    assert {"Alert", "AidRecord", "Person"} <= node_labels
    assert {"ABOUT", "EVIDENCED_BY", "COVERS"} <= rel_types
    assert node_labels <= labels.NODE_LABELS, node_labels - labels.NODE_LABELS
    assert rel_types <= labels.RELATIONSHIP_TYPES, rel_types - labels.RELATIONSHIP_TYPES


def test_queries_take_parameters_only() -> None:
    texts = query_constants(q)
    assert texts and set(texts) <= literal_constants(q)  # no f-string, concatenation, .format
    assert {name: format_fields(text) for name, text in texts.items()
            if format_fields(text)} == {}
