"""JSON and HTML exports: complete (for a caller allowed everything), machine-readable,
escaped."""

from __future__ import annotations

import json

from hub.auth import Principal
from hub.rules.eligibility import determine
from hub.rules.model import Source, Step
from hub.rules.redact import policy_decider
from hub.rules.report import determination_dict, to_html, to_json
from hub.rules.ruleset import default_registry
from privacy import Purpose
from tests.hub.rules.rules_helpers import AS_OF, deposit, household, person

EVERYTHING = policy_decider(Principal("t", "民政", ("caseworker",), ()),
                            Purpose.AID_ADMINISTRATION)


def sample():  # type: ignore[no-untyped-def]
    p = person(40, income=500)
    deposit(p, "123.45")
    return determine(household(p), default_registry().for_region("410502", AS_OF), AS_OF)


def test_json_round_trip() -> None:
    data = json.loads(to_json(sample(), EVERYTHING))
    assert data["category"] == "低保" and data["monthly_amount"] == 240
    assert data["figures"]["financial_assets"] == 123.45
    rules = {s["rule"] for s in data["steps"]}
    assert {"standard", "income.member", "assets.financial", "category"} <= rules
    assert all({"department", "record_id"} <= set(src) for s in data["steps"]
               for src in s["sources"])


def test_html_escapes_everything() -> None:
    d = sample()
    d.steps.append(Step("x<script>", "<b>", "&", {"tuition": "<i>"},
                        (Source("<d>", "\"r\""),)))
    page = to_html(d, EVERYTHING)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;i&gt;" in page and "&lt;d&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "家庭经济状况核对报告" in page


def test_dict_has_no_decimal_objects() -> None:
    json.dumps(determination_dict(sample()))
