"""Tests of the synthetic export generator (hub.datasets.generate) against FORMATS.md."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from hub.datasets import generate
from hub.datasets.ids import is_valid_id18
from hub.datasets.records import SPECS

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
SEED = 11
HOUSEHOLDS = 200
ENCODING = {s.name: s.encoding for s in SPECS}
CRLF = {"minzheng_aid.csv", "minzheng_members.csv", "yibao_medical.csv", "zhujian_housing.csv",
        "yinhang_deposits.csv"}
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
DESTRUCTIVE = {"id_typo", "id_transposition", "missing_id", "phone_in_id"}


def read_lines(path: Path) -> list[list[str]]:
    """All rows of an export, decoded with its own encoding."""
    text = path.read_bytes().decode(ENCODING[path.name])
    return list(csv.reader(io.StringIO(text, newline="")))


def read_truth(out: Path, name: str) -> list[dict[str, str]]:
    with (out / "truth" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "set"
    generate(target, HOUSEHOLDS, SEED)
    return target


def test_headers_identical_to_sample(out: Path) -> None:
    for spec in SPECS:
        assert read_lines(out / spec.name)[0] == read_lines(SAMPLE / spec.name)[0], spec.name
    for truth in (SAMPLE / "truth").glob("*.csv"):
        mine = (out / "truth" / truth.name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert mine == truth.read_text(encoding="utf-8").split("\n", 1)[0], truth.name


def test_encodings_line_endings_and_quoting(out: Path) -> None:
    for spec in SPECS:
        raw = (out / spec.name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (spec.name == "minzheng_aid.csv")
        if spec.name == "yibao_medical.csv":
            raw.decode("gbk")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "•" not in raw.decode("gbk") and "・" not in raw.decode("gbk")
        else:
            raw.decode("utf-8")
        lines = raw.split(b"\n")[:-1]
        assert lines, spec.name
        if spec.name in CRLF:
            assert all(line.endswith(b"\r") for line in lines), spec.name
        else:
            assert b"\r" not in raw, spec.name
    quoted = re.compile(r'^"[^"]*"(,"[^"]*")*\r$')
    for line in (out / "yinhang_deposits.csv").read_bytes().decode("utf-8").split("\n")[:-1]:
        assert quoted.match(line), line


def test_same_seed_identical_other_seed_different(out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, HOUSEHOLDS, SEED)
    for path in sorted(out.rglob("*.csv")):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path.name
    other = tmp_path / "other"
    generate(other, HOUSEHOLDS, SEED + 1)
    assert (other / "gongan_hukou.csv").read_bytes() != (out / "gongan_hukou.csv").read_bytes()


def test_person_map_records_exist(out: Path) -> None:
    ids: set[tuple[str, str]] = set()
    for spec in SPECS:
        ids |= {(spec.name, row[0]) for row in read_lines(out / spec.name)[1:] if row and row[0]}
    persons = {r["person_uid"] for r in read_truth(out, "persons.csv")}
    rows = read_truth(out, "person_map.csv")
    assert rows
    for r in rows:
        assert (r["file"], r["record_id"]) in ids, r
        assert r["person_uid"] in persons
    roles = {(r["file"], r["role"]) for r in rows}
    assert ("minzheng_aid.csv", "经办人") in roles and ("jiaoyu_students.csv", "监护人") in roles


_DATE_STYLES = (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})/(\d{1,2})/(\d{1,2})",
                r"(\d{4})(\d{2})(\d{2})", r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _valid_date(value: str) -> bool:
    for pattern in _DATE_STYLES:
        m = re.fullmatch(pattern, value)
        if m:
            try:
                date(*map(int, m.groups()))
            except ValueError:
                return False
            return True
    return False


def _valid_ym(value: str, dash: bool) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{2})" if dash else r"(\d{4})(\d{2})", value)
    return bool(m) and 1 <= int(m.group(2)) <= 12


def _defects(spec, row: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    if len(row) != len(spec.header):
        return ["truncated_line"]
    cell = dict(zip(spec.header, row, strict=True))
    found = [f"empty:{c}" for c in spec.mandatory if not cell[c]]
    found += [f"date:{c}" for c in spec.dates if cell[c] and not _valid_date(cell[c])]
    found += [f"ym:{c}" for c in spec.yms
              if cell[c] and not _valid_ym(cell[c], c == "参保月份")]
    for c in spec.numeric:
        if cell[c]:
            try:
                bad = float(cell[c]) < 0
            except ValueError:
                bad = True
            if bad:
                found.append(f"amount:{c}")
    return found


def test_bad_rows_are_exactly_the_invalid_lines(out: Path) -> None:
    listed: dict[str, dict[int, dict[str, str]]] = defaultdict(dict)
    for r in read_truth(out, "bad_rows.csv"):
        listed[r["file"]][int(r["line_no"])] = r
    for spec in SPECS:
        rows = read_lines(out / spec.name)
        invalid = {}
        for line_no, row in enumerate(rows[1:], start=2):
            defects = _defects(spec, row)
            if defects:
                invalid[line_no] = (row, defects)
        assert set(invalid) == set(listed[spec.name]), spec.name
        lo, hi = spec.bad if len(rows) > 1 else (0, 0)
        assert lo <= len(invalid) <= hi, spec.name
        for line_no, (row, defects) in invalid.items():
            entry = listed[spec.name][line_no]
            assert len(defects) == 1, (spec.name, line_no, defects)
            assert row[0] == entry["record_id"]
            kind = {"truncated_line": "truncated_line", "empty": "empty_mandatory_field",
                    "date": "unparseable_date", "ym": "unparseable_date",
                    "amount": "negative_amount"}[defects[0].split(":")[0]]
            assert kind == entry["reason"]


def test_duplicates_and_manifest(out: Path) -> None:
    manifest = {r["file"]: r for r in read_truth(out, "manifest.csv")}
    dups = read_truth(out, "duplicates.csv")
    for d in dups:
        rows = read_lines(out / d["file"])
        lines = [int(x) for x in d["line_nos"].split(";")]
        assert len({tuple(rows[n - 1]) for n in lines}) == 1
        assert rows[lines[0] - 1][0] == d["record_id"]
        assert 0 < lines[1] - lines[0] <= 41
    for spec in SPECS:
        m = manifest[spec.name]
        rows = read_lines(out / spec.name)[1:]
        assert int(m["data_lines"]) == len(rows)
        assert int(m["distinct_records"]) == len({r[0] for r in rows})
        assert m["line_endings"] == ("CRLF" if spec.name in CRLF else "LF")


def test_noise_is_logged_and_planted_records_clean(out: Path) -> None:
    noise = read_truth(out, "noise_log.csv")
    kinds = {r["noise"] for r in noise}
    assert {"id15", "lowercase_x", "dot_variant", "missing_id", "spaces_in_id"} <= kinds
    values: dict[tuple[str, str], list[str]] = {}
    headers: dict[str, list[str]] = {}
    for spec in SPECS:
        rows = read_lines(out / spec.name)
        headers[spec.name] = rows[0]
        for row in rows[1:]:
            values.setdefault((spec.name, row[0]), row)
    for r in noise:
        row = values[(r["file"], r["record_id"])]
        cell = row[headers[r["file"]].index(r["field"])]
        if r["noise"] in ("id_typo", "id_transposition"):
            text = cell[:18] if r["file"] == "canlian_disability.csv" else cell
            assert not is_valid_id18(text.upper()), r
        if r["noise"] == "id15":
            digits = cell.translate(FULLWIDTH).replace(" ", "").replace("\u3000", "")
            assert len(digits) == 15, r
    proving = set()
    for a in read_truth(out, "anomalies.csv"):
        proving |= {tuple(x.split(":", 1)) for x in a["records"].split(";") if x}
    for r in noise:
        if (r["file"], r["record_id"]) in proving:
            assert r["noise"] not in DESTRUCTIVE, r


def test_planted_types_and_categories(out: Path) -> None:
    types = {r["type"] for r in read_truth(out, "anomalies.csv")}
    assert types == {"still_receiving_after_death", "asset_disqualifies", "duplicate_basic_aid",
                     "exclusive_overlap", "double_housing_aid", "missed_eligible",
                     "kin_of_staff"}
    cats = {r["category"] for r in read_truth(out, "eligibility.csv")}
    assert {"特困", "低保", "低保边缘", "刚性支出困难", "不符合"} <= cats
    near = {r["type"] for r in read_truth(out, "near_misses.csv")}
    assert "same_name_different_person" in near


def _norm_rows(out: Path, name: str, bad: set[tuple[str, str]]) -> list[dict[str, str]]:
    rows = read_lines(out / name)
    header = rows[0]
    seen: set[str] = set()
    result = []
    for row in rows[1:]:
        if (name, row[0]) in bad or row[0] in seen or len(row) != len(header):
            continue
        seen.add(row[0])
        result.append(dict(zip(header, row, strict=True)))
    return result


def test_dibao_rule_recomputed_from_files(out: Path) -> None:
    """Income per person from 民政 (own region) or 人社; per capita vs the standard."""
    bad = {(r["file"], r["record_id"]) for r in read_truth(out, "bad_rows.csv")}
    owner: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in read_truth(out, "person_map.csv"):
        if r["role"] != "经办人":
            owner[(r["file"], r["record_id"])].append(r["person_uid"])
    households = {r["household_uid"]: r for r in read_truth(out, "households.csv")}
    region_of = {uid: h["region_code"] for uid, h in households.items()
                 for uid2 in h["member_uids"].split(";") if uid2 for uid in [uid2]}
    mz_income: dict[str, int] = {}
    for row in _norm_rows(out, "minzheng_members.csv", bad):
        (uid,) = owner[("minzheng_members.csv", row["记录编号"])]
        if region_of.get(uid) == row["家庭编号"][:6]:
            mz_income.setdefault(uid, int(row["月收入"]))
    rs_income: dict[str, int] = defaultdict(int)
    for row in _norm_rows(out, "renshe_employment.csv", bad):
        if row["参保月份"] != "2026-10":
            continue
        (uid,) = owner[("renshe_employment.csv", row["记录编号"])]
        if row["就业状态"] in ("就业", "公益性岗位", "灵活就业"):
            rs_income[uid] += int(row["月缴费基数"])
        elif row["就业状态"] == "退休":
            rs_income[uid] += int(row["月养老金"])
    standards = {(r["行政区划"], r["年度"], r["城乡"]): int(r["低保标准"])
                 for r in _norm_rows(out, "standards.csv", bad)}
    aid_amount: dict[str, list[int]] = defaultdict(list)
    for row in _norm_rows(out, "minzheng_aid.csv", bad):
        if not row["终止年月"] and row["救助类别"] != "特困供养" and row["备注"] != "单人户施保":
            (uid,) = owner[("minzheng_aid.csv", row["记录编号"])]
            aid_amount[uid].append(int(float(row["月保障金额"])))
    checked = 0
    for e in read_truth(out, "eligibility.csv"):
        members = [m for m in households[e["household_uid"]]["member_uids"].split(";") if m]
        if not members:
            continue
        total = sum(mz_income.get(m, rs_income.get(m, 0)) for m in members)
        assert total == int(e["monthly_income_total"]), e["household_uid"]
        std = standards[(e["region_code"], "2026", e["urban_rural"])]
        assert std == int(e["dibao_standard"])
        per_capita = total / len(members)
        assert f"{per_capita:.2f}" == e["per_capita_income"]
        if e["category"] == "低保":
            checked += 1
            assert per_capita < std
            assert int(e["expected_monthly_amount"]) == std * len(members) - total
            if not e["planted"]:
                amounts = [a for m in members for a in aid_amount.get(m, [])]
                assert int(e["expected_monthly_amount"]) in amounts, e["household_uid"]
        elif e["category"] in ("低保边缘", "刚性支出困难"):
            assert per_capita >= std
    assert checked > 10


def test_self_check_finds_exactly_the_planted_cases() -> None:
    """Detecting every section-8 type in the world gives exactly the planted cases."""
    from hub.datasets.anomalies import build_anomalies
    from hub.datasets.generator import build_world
    from hub.datasets.self_check import detect, planted_keys

    world, specs = build_world(HOUSEHOLDS, SEED, date(2026, 10, 31))
    build_anomalies(world, specs)
    assert detect(world) == planted_keys(world)
    share = sum(1 for hh in world.households if hh.planted) / len(world.households)
    assert 0.02 <= share <= 0.08


def test_handlers_resolve_to_one_roster_row_in_region(out: Path) -> None:
    def canon(name: str) -> str:
        return re.sub(r"[\s·•.・．]", "", name)

    bad = {(r["file"], r["record_id"]) for r in read_truth(out, "bad_rows.csv")}
    roster: dict[tuple[str, str], int] = defaultdict(int)
    for row in _norm_rows(out, "staff_roster.csv", bad):
        if row["记录编号"]:
            roster[(row["行政区划"], canon(row["姓名"]))] += 1
    staff_uids = {r["person_uid"] for r in read_truth(out, "person_map.csv")
                  if r["file"] == "staff_roster.csv"}
    hukou_uids = {r["person_uid"] for r in read_truth(out, "person_map.csv")
                  if r["file"] == "gongan_hukou.csv"}
    assert staff_uids <= hukou_uids
    for row in _norm_rows(out, "minzheng_aid.csv", bad):
        assert roster[(row["行政区划"], canon(row["经办人"]))] == 1, row


def test_a_small_set_borrows_a_handler_and_a_tiny_one_is_refused_clearly(
        tmp_path: Path) -> None:
    """12 households used to crash (a region without a 民政 roster); 2 cannot be staffed
    at all and get a clear error instead of a traceback."""
    from typer.testing import CliRunner

    from hub.cli import app

    runner = CliRunner()
    small = runner.invoke(app, ["demo", "generate", str(tmp_path / "s12"),
                                "--households", "12"])
    assert small.exit_code == 0, small.output
    aid = (tmp_path / "s12" / "minzheng_aid.csv").read_text(encoding="utf-8-sig")
    assert len(aid.splitlines()) > 1
    tiny = runner.invoke(app, ["demo", "generate", str(tmp_path / "s2"), "--households", "2"])
    assert tiny.exit_code == 1
    assert "too few households" in tiny.output and "Traceback" not in tiny.output
