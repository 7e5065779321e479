"""The sample set ingests exactly as its ground truth says (truth/ read by tests only)."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from hub.ingest import CanonicalRow, IngestReport, Mention, load_mappings, read_directory

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
TRUTH = SAMPLE / "truth"


def _truth(name: str) -> list[dict[str, str]]:
    with (TRUTH / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ingested() -> tuple[list[CanonicalRow], IngestReport]:
    return read_directory(SAMPLE)


def test_quarantine_equals_bad_rows(ingested: tuple[list[CanonicalRow], IngestReport]) -> None:
    _, report = ingested
    got = sorted((q.file, q.line_no, q.record_id or "", q.reason, q.column or "")
                 for q in report.quarantine)
    want = sorted((r["file"], int(r["line_no"]), r["record_id"], r["reason"], r["column"])
                  for r in _truth("bad_rows.csv"))
    assert got == want


def test_per_file_counts_match_the_manifest(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    _, report = ingested
    stats = {s.file: s for s in report.files}
    duplicate_lines = Counter()
    for row in _truth("duplicates.csv"):
        duplicate_lines[row["file"]] += int(row["copies"]) - 1
    for row in _truth("manifest.csv"):
        s = stats[row["file"]]
        assert s.rows_read == int(row["data_lines"]), row["file"]
        assert s.duplicates == int(row["duplicate_lines"]) == duplicate_lines[row["file"]]
        assert s.quarantined == int(row["bad_rows"]), row["file"]
        assert s.accepted == int(row["distinct_records"]) - int(row["bad_rows"]), row["file"]
    assert report.problems == []


def test_accepted_records_are_distinct(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    rows, _ = ingested
    keys = [(r.source, r.record_id) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r.row_hash and r.kind for r in rows)


def test_mentions_equal_the_person_map(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    rows, report = ingested
    bad = {(q.file, q.record_id) for q in report.quarantine}
    want = Counter(
        (r["file"], r["record_id"], r["role"]) for r in _truth("person_map.csv")
        if (r["file"], r["record_id"]) not in bad
    )
    got = Counter((f"{m.source}.csv", m.record_id, m.role) for r in rows for m in r.mentions)
    assert got == want


def _id_noise() -> dict[tuple[str, str, str], set[str]]:
    """(file, record id, role) → the ID noises truth applied to that role's ID column."""
    role_of = {(m.file, spec.id): spec.role for m in load_mappings().values()
               for spec in m.mentions if spec.id}
    noise: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in _truth("noise_log.csv"):
        role = role_of.get((r["file"], r["field"]))
        if role is not None:
            noise[(r["file"], r["record_id"], role)].add(r["noise"])
    return noise


def _mentions(rows: list[CanonicalRow]) -> dict[tuple[str, str, str], Mention]:
    return {(f"{m.source}.csv", m.record_id, m.role): m for r in rows for m in r.mentions}


def test_missing_ids_still_give_mentions(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    rows, _ = ingested
    mentions = _mentions(rows)
    missing = [key for key, noises in _id_noise().items() if "missing_id" in noises
               and key in mentions]
    assert len(missing) > 50
    for key in missing:
        assert mentions[key].id_kind == "missing", key
        assert mentions[key].id_number is None
        assert mentions[key].name


def test_ids_normalise_to_the_true_person(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    """Every mention whose truth noise is non-destructive carries the person's canonical ID."""
    rows, _ = ingested
    canonical = {p["person_uid"]: p for p in _truth("persons.csv")}
    uid = {(r["file"], r["record_id"], r["role"]): r["person_uid"]
           for r in _truth("person_map.csv")}
    destructive = {(r["file"], r["record_id"]) for r in _truth("noise_log.csv")
                   if r["noise"] in ("id_typo", "id_transposition", "missing_id", "phone_in_id")}
    checked = 0
    for row in rows:
        for m in row.mentions:
            key = (f"{m.source}.csv", m.record_id)
            if m.role == "经办人" or key in destructive or m.id_kind == "missing":
                continue
            person = canonical[uid[(*key, m.role)]]
            assert m.id_number == person["id18"], (key, m.role)
            assert m.id_valid
            checked += 1
    assert checked > 4000


def test_id_noise_gives_the_right_kind_and_flag(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    rows, _ = ingested
    mentions = _mentions(rows)
    seen: Counter[str] = Counter()
    for key, noises in _id_noise().items():
        m = mentions.get(key)
        if m is None:
            continue  # a bad row
        if noises & {"id_typo", "id_transposition"}:
            assert not m.id_valid, key
            assert m.id_kind in ("id18", "id15", "invalid"), key
        elif "phone_in_id" in noises:
            assert (m.id_kind, m.id_valid) == ("phone", False), key
        elif "missing_id" in noises:
            assert m.id_kind == "missing", key
        elif "id15" in noises:
            assert (m.id_kind, m.id_valid) == ("id15", True), key
        else:  # lower-case x, full-width digits, spaces: all repaired
            assert (m.id_kind, m.id_valid) == ("id18", True), (key, noises)
        seen.update(noises)
    assert {"id_typo", "id_transposition", "missing_id", "id15",
            "lowercase_x", "fullwidth_digits", "spaces_in_id"} <= set(seen)


def test_report_is_json_able(ingested: tuple[list[CanonicalRow], IngestReport]) -> None:
    _, report = ingested
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["totals"]["quarantined"] == 50
    assert len(data["quarantine"]) == 50


def test_details_never_echo_personal_values(
    ingested: tuple[list[CanonicalRow], IngestReport],
) -> None:
    _, report = ingested
    names_and_ids = {p[k] for p in _truth("persons.csv") for k in p
                     if k in ("name", "id18")}
    for q in report.quarantine:
        assert not any(v and v in q.detail for v in names_and_ids), q
