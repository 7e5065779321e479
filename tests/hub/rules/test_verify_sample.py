"""Verification on the linked sample graph: agreement with truth/eligibility.csv, lookups,
the re-verification schedule. Every disagreement is printed with its figures (run with -s
or read the assertion message)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hub.config import Settings
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.rules.model import Determination
from hub.rules.reviews import reviews_due
from hub.rules.verify import ApplicantNotFoundError, Verifier
from hub.store import Store

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

TRUTH = Path(__file__).parents[2] / "data" / "sample" / "truth"
AS_OF = date(2026, 10, 31)
HUKOU_TO_PERSON = """
UNWIND $ids AS rid
MATCH (:SourceRecord {source: 'gongan_hukou', record_id: rid})-[:RESOLVES_TO]->(p:Person)
RETURN rid, p.person_id AS person_id
"""


def read(name: str) -> list[dict[str, str]]:
    with (TRUTH / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def truth_person_ids(store: Store) -> dict[str, str]:
    """truth person_uid → hub person_id, through each person's 户籍 record."""
    rows = [r for r in read("person_map.csv") if r["file"] == "gongan_hukou.csv"]
    found = {r["rid"]: r["person_id"]
             for r in store.read(HUKOU_TO_PERSON, ids=[r["record_id"] for r in rows])}
    return {r["person_uid"]: found[r["record_id"]] for r in rows if r["record_id"] in found}


def household_id(kit: PrivacyKit, hukou_no: str) -> str:
    return "HH" + kit.indexer.generic(hukou_no, purpose="hukou_no")[:16]


def compare(d: Determination | None, truth: dict[str, str], uid: dict[str, str]) -> str | None:
    """None when the determination agrees with the truth row, else why not."""
    if d is None:
        return "household not in the graph"
    single = {uid.get(u) for u in truth["individual_dibao_uids"].split(";") if u}
    tekun = {uid.get(u) for u in truth["tekun_uids"].split(";") if u}
    problems = []
    if d.category != truth["category"]:
        problems.append(f"category {d.category} != {truth['category']}")
    if d.monthly_amount != Decimal(truth["expected_monthly_amount"]):
        problems.append(f"amount {d.monthly_amount} != {truth['expected_monthly_amount']}")
    if set(d.single_person) != single:
        problems.append("单人户 members differ")
    if set(d.tekun_person_ids) != tekun:
        problems.append("特困 members differ")
    if not problems:
        return None
    ours = {k: d.figures.get(k) for k in ("living_members", "income_total",
                                          "rigid_expense_12m", "financial_assets")}
    theirs = {k: truth[k] for k in ("living_members", "monthly_income_total",
                                    "rigid_expense_12m", "financial_assets", "asset_issues")}
    return f"{'; '.join(problems)} | ours {ours} {d.asset_issues} | truth {theirs}"


@pytest.fixture
def verifier(linked_sample: Store, settings: Settings) -> Verifier:
    return Verifier(linked_sample, open_privacy(settings))


def test_agreement_with_truth(verifier: Verifier) -> None:
    kit = verifier.kit
    households = {r["household_uid"]: household_id(kit, r["hukou_no"])
                  for r in read("households.csv")}
    uid = truth_person_ids(verifier.store)
    results = verifier.verify_many(list(households.values()), AS_OF)
    disagreements = {}
    for row in read("eligibility.csv"):
        why = compare(results.get(households[row["household_uid"]]), row, uid)
        if why is not None:
            disagreements[row["household_uid"]] = why
    total = len(households)
    agreeing = total - len(disagreements)
    report = "\n".join(f"{h}: {why}" for h, why in sorted(disagreements.items()))
    print(f"\nagreement {agreeing}/{total}\n{report}")
    assert agreeing >= 0.99 * total, report


def test_verify_by_id_number_and_person(verifier: Verifier) -> None:
    persons = read("persons.csv")
    households = {r["household_uid"]: r["hukou_no"] for r in read("households.csv")}
    alive = next(p for p in persons if p["status"] == "正常")
    d = verifier.verify_household(alive["id18"], AS_OF)
    assert d.household_id == household_id(verifier.kit, households[alive["household_uid"]])
    legacy = alive["id18"][:6] + alive["id18"][8:17]  # 15-digit form
    if alive["birth_date"] < "1980":
        assert verifier.verify_household(legacy, AS_OF).household_id == d.household_id
    member = d.members[0].person_id
    assert verifier.verify_household(member, AS_OF).household_id == d.household_id
    with pytest.raises(ApplicantNotFoundError):
        verifier.verify_household("410502198503071235", AS_OF)  # bad checksum


def test_explanations_cite_department_records(verifier: Verifier) -> None:
    tekun = next(r for r in read("eligibility.csv") if r["category"] == "特困")
    hukou = {r["household_uid"]: r["hukou_no"] for r in read("households.csv")}
    d = verifier.verify_household_id(household_id(verifier.kit, hukou[tekun["household_uid"]]),
                                     AS_OF)
    assert d.category == "特困"
    cited = {s.department for step in d.steps for s in step.sources}
    assert {"公安", "民政"} <= cited
    assert all(s.record_id for step in d.steps for s in step.sources)


def test_reviews_due(verifier: Verifier) -> None:
    due = [r for region in ("659001", "533401", "410502", "360222")
           for r in reviews_due(verifier, region, AS_OF, horizon_days=366)]
    assert due, "a year's horizon covers every current 低保/特困 household"
    assert {r.interval_months for r in due} <= {6, 12}
    assert all(r.reason and r.sources for r in due)
    tekun = [r for r in due if r.programme == "特困供养"]
    assert tekun and all(r.interval_months == 12 for r in tekun)
    this_month = reviews_due(verifier, "410502", AS_OF, horizon_days=0)
    assert all(r.due_date == date(2026, 10, 1) for r in this_month)


def test_cli_household_and_reviews(verifier: Verifier, settings: Settings,
                                   tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from hub.cli import app

    env = {"HUB_DATA_DIR": str(settings.data_dir), "HUB_NEO4J_PORT": str(settings.neo4j_port)}
    person = next(p for p in read("persons.csv") if p["status"] == "正常")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["verify", "household", "--id-number", person["id18"],
                                      "--as-of", "2026-10-31", "--html", str(page)], env=env)
    assert result.exit_code == 0, result.output
    assert person["id18"] not in result.output and person["name"] not in result.output
    data = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert data["category"] in {"特困", "低保", "低保边缘", "刚性支出困难", "不符合"}
    assert "家庭经济状况核对报告" in page.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", "reviews", "--region", "410502",
                                      "--as-of", "2026-10-31"], env=env)
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)
