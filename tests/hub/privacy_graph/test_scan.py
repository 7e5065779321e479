"""``hub privacy scan`` on the real Neo4j: clean after ingest and link, and every kind of
leak or undeclared part of the graph reported (issue 20; names: issue 13 item 8)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.config import Settings
from hub.ingest.run import ingest_directory
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.privacy_graph.scan import ScanReport, scan_graph
from hub.store import Store
from privacy.scan import luhn_valid
from tests.conftest import SAMPLE_DIR, test_environ

pytestmark = pytest.mark.neo4j

ID_18 = "11010519491231002X"
MOBILE = "13812345678"


def _luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def _scan(store: Store, kit: PrivacyKit | None = None) -> ScanReport:
    return scan_graph(store, blind_index_bits=64,
                      encryptor=kit.encryptor if kit is not None else None)


def _kinds(report: ScanReport) -> set[tuple[str, str, str]]:
    return {(f.label, f.property, f.kind) for f in report.findings}


def test_a_linked_graph_with_a_long_decimal_model_scans_clean(linked_sample: Store,
                                                               kit: PrivacyKit) -> None:
    """The county-size false alarm: a model's float parameters whose digits pass Luhn."""
    floats = [float("0." + _luhn_complete("037512345678906")),
              float(_luhn_complete("99991234567899") + ".73"),
              0.000123456789012345]
    digits = [max(repr(f).split("."), key=len) for f in floats[:2]]
    assert all(13 <= len(d) <= 19 and luhn_valid(d) for d in digits)  # a card, digits only
    settings_json = json.dumps({"m_probabilities": floats, "u_probabilities": floats[::-1],
                                "prior": floats[0], "blocking_rules": ["block_on_id_number"]},
                               indent=2)
    linked_sample.write("CREATE (:LinkRun {run_id: 'L-planted', mode: 'full', mentions: 1, "
                        "seconds: 0.123456789012345, settings_json: $settings, "
                        "phases_json: $phases, blocking_counts: $counts})",
                        settings=settings_json, phases=json.dumps({"load": floats[1]}),
                        counts=json.dumps({"block_on_id_number": 4_211_052}))
    try:
        report = _scan(linked_sample, kit)
    finally:
        linked_sample.write("MATCH (r:LinkRun {run_id: 'L-planted'}) DELETE r")
    assert report.findings == []
    counts = linked_sample.read("CALL () { MATCH (p:Person) RETURN count(p) AS persons } "
                                "CALL () { MATCH (r:LinkRun) RETURN count(r) AS runs } "
                                "RETURN persons, runs")[0]
    assert counts["persons"] > 100 and counts["runs"] >= 1
    assert report.nodes > 5_000 and report.relationships > 5_000
    assert report.properties > 50_000 and report.names > 1_000


def test_undeclared_labels_types_and_properties_are_findings(clean_store: Store) -> None:
    clean_store.write("CREATE (:HealthProbe {key: 'p', colour: 'blue'})"
                      "-[:LINKS_TO {weight: 1}]->(:Mystery {code: 'x'})")
    found = _kinds(_scan(clean_store))
    assert found == {
        ("HealthProbe", "colour", "undeclared_property"),
        ("Mystery", "", "undeclared_label"),
        ("Mystery", "code", "undeclared_property"),
        ("LINKS_TO", "", "undeclared_type"),
        ("LINKS_TO", "weight", "undeclared_property"),
    }


def test_a_label_scanned_in_pieces_is_scanned_whole(clean_store: Store) -> None:
    clean_store.write("UNWIND range(1, 25) AS i CREATE (:HealthProbe {key: 'k' + i, "
                      "colour: CASE WHEN i = 17 THEN $phone ELSE 'blue' END})",
                      phone=f"tel {MOBILE}")
    whole = scan_graph(clean_store)
    pieces = scan_graph(clean_store, part_size=3, workers=3)
    assert pieces.nodes == whole.nodes >= 25 and pieces.properties == whole.properties
    assert [(f.label, f.property, f.kind, f.count) for f in pieces.findings] == [
        ("HealthProbe", "colour", "mobile", 1),
        ("HealthProbe", "colour", "undeclared_property", 25)]
    assert pieces.findings == whole.findings


def test_planted_identifiers_are_caught_declared_or_not(clean_store: Store) -> None:
    clean_store.write("CREATE (:HealthProbe {key: 'leak', note: $note})",
                      note=f"applicant {ID_18} phone {MOBILE}")
    clean_store.write("CREATE (:Fact:AidRecord {fact_key: 'x:1', note: $note})",
                      note=f"户主身份证{ID_18}")
    clean_store.write("CREATE (:Alert {alert_key: 'AL1', detail: ['ok', $phone]})",
                      phone=f"tel {MOBILE}")
    report = _scan(clean_store)
    assert _kinds(report) == {
        ("HealthProbe", "note", "undeclared_property"),
        ("HealthProbe", "note", "resident_id"),
        ("HealthProbe", "note", "mobile"),
        ("AidRecord:Fact", "note", "resident_id"),
        ("Alert", "detail", "mobile"),
    }
    assert all(ID_18 not in f.masked and MOBILE not in f.masked for f in report.findings)
    assert all(f.element_id for f in report.findings)


def test_sealed_and_blind_index_properties_must_have_their_shape(clean_store: Store) -> None:
    # 4111111111111111 passes Luhn: as a 64-bit blind index (16 hex digits) it is an HMAC;
    # in a plain property, or a bi_ property of another shape, it is a card number.
    clean_store.write("CREATE (:SourceRecord {mention_key: 'x:1:本人', bi_name_birth: "
                      "'4111111111111111', bi_id: $id, bi_phone: 'abc', enc_name: '某某某', "
                      "record_id: '4111111111111111'})", id=ID_18)
    report = _scan(clean_store)
    assert _kinds(report) == {
        ("SourceRecord", "bi_id", "not_blind_index"),
        ("SourceRecord", "bi_id", "resident_id"),
        ("SourceRecord", "bi_phone", "not_blind_index"),
        ("SourceRecord", "enc_name", "not_sealed"),
        ("SourceRecord", "record_id", "bank_card"),
    }
    assert "某某某" not in repr(report)


def test_a_sealed_name_the_keys_cannot_open_is_reported(clean_store: Store,
                                                        kit: PrivacyKit) -> None:
    """A name check that could not be done is no pass (wrong keys, damaged tokens)."""
    good = kit.encryptor.encrypt("龙春雷", label="SourceRecord", record_key="x:1:本人",
                                 field="name", field_class="name")
    clean_store.write("CREATE (:SourceRecord {mention_key: 'x:1:本人', enc_name: $good}), "
                      "(:SourceRecord {mention_key: 'x:2:本人', enc_name: $moved})",
                      good=good, moved=good)  # the second is sealed for another record
    report = _scan(clean_store, kit)
    assert report.names == 1
    assert [(f.label, f.property, f.kind, f.count) for f in report.findings] == [
        ("SourceRecord", "enc_name", "unopened_name", 1)]


def _sample_with_named_employers(tmp_path: Path) -> tuple[Path, list[str]]:
    """The sample set, with some employers named after their own employee (个体 style)."""
    copy = tmp_path / "set"
    shutil.copytree(SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("truth"))
    path = copy / "renshe_employment.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    names = []
    for row in rows[1:]:
        if row[4] and len(row[1]) >= 3 and len(names) < 12:
            row[4] = f"浮梁县峙滩镇{row[1]}养殖场"
            names.append(row[1])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return copy, names


def test_employer_names_are_sealed_and_a_leaked_name_is_found(
        clean_store: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    """Issue 13 item 8: employers holding a resident's name are encrypted on ingest, and a
    resident's name left in any plain property is reported (masked)."""
    set_dir, names = _sample_with_named_employers(tmp_path)
    assert len(names) >= 5
    ingest_directory(clean_store, kit, set_dir)
    employers = clean_store.read(
        "MATCH (f:Fact) WHERE f.source IN ['renshe_employment', 'gongjijin_fund'] "
        "RETURN count(f.employer) AS plain, count(f.enc_employer) AS sealed, "
        "collect(CASE WHEN f.enc_employer IS NOT NULL "
        "THEN [f.fact_key, f.enc_employer, labels(f)] END) AS tokens")[0]
    assert employers["plain"] == 0 and employers["sealed"] > 100
    opened = {kit.encryptor.decrypt(token, label=next(x for x in labels if x != "Fact"),
                                    record_key=key, field="employer")
              for key, token, labels in employers["tokens"]}
    assert {f"浮梁县峙滩镇{name}养殖场" for name in names} <= opened
    clean = _scan(clean_store, kit)
    assert clean.findings == [] and clean.names > 1_000

    # the same text left in clear: as an old graph's plain employer, and in a plain field
    clean_store.write("MATCH (f:IncomeRecord) WITH f LIMIT 1 SET f.employer = $leak",
                      leak=f"浮梁县峙滩镇{names[0]}养殖场")
    clean_store.write("MATCH (f:StudentRecord) WITH f LIMIT 1 SET f.school = $leak",
                      leak=f"{names[1]}幼儿园")
    report = _scan(clean_store, kit)
    assert _kinds(report) == {
        ("Fact:IncomeRecord", "employer", "undeclared_property"),
        ("Fact:IncomeRecord", "employer", "person_name"),
        ("Fact:StudentRecord", "school", "person_name"),
    }
    masked = {f.masked for f in report.findings if f.kind == "person_name"}
    assert masked == {names[0][0] + "*" * (len(names[0]) - 1),
                      names[1][0] + "*" * (len(names[1]) - 1)}
    assert not any(name in repr(report) for name in names)
    assert _kinds(_scan(clean_store)) == {  # without the keys, no name is searched
        ("Fact:IncomeRecord", "employer", "undeclared_property")}


def test_hub_privacy_scan_command(clean_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in test_environ().items():
        monkeypatch.setenv(name, value)
    clean_store.write("CREATE (:HealthProbe {key: 'ok'})")
    runner = CliRunner()
    ok = runner.invoke(app, ["privacy", "scan"])
    assert ok.exit_code == 0, ok.output
    assert "nothing personal in plaintext, nothing undeclared" in ok.output
    clean_store.write("CREATE (:Fact:AidRecord {fact_key: 'x:2', note: $note})",
                      note=f"电话 {MOBILE}")
    bad = runner.invoke(app, ["privacy", "scan", "--no-names"])
    assert bad.exit_code == 1
    assert "138****5678" in bad.output and MOBILE not in bad.output
