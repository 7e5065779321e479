"""The shipped mappings load, and a broken mapping reports every problem at once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hub.ingest.errors import MappingError
from hub.ingest.mapping import MAPPINGS_DIR, load_mapping, load_mappings

SAMPLE = Path(__file__).parents[2] / "data" / "sample"


def test_all_18_mappings_load() -> None:
    mappings = load_mappings()
    assert len(mappings) == 18
    assert {m.file for m in mappings.values()} == {p.name for p in SAMPLE.glob("*.csv")}


def test_headers_and_encodings_match_the_sample() -> None:
    mappings = load_mappings()
    with (SAMPLE / "truth" / "manifest.csv").open(encoding="utf-8") as handle:
        manifest = {row["file"]: row for row in csv.DictReader(handle)}
    for mapping in mappings.values():
        row = manifest[mapping.file]
        assert mapping.encoding == row["encoding"], mapping.file
        assert mapping.line_ending == row["line_endings"], mapping.file
        raw = (SAMPLE / mapping.file).read_bytes().decode(
            "gb18030" if mapping.encoding == "gbk" else mapping.encoding)
        header = next(csv.reader([raw.splitlines()[0]]))
        assert tuple(header) == mapping.header, mapping.file


def test_bank_file_is_declared_all_quoted() -> None:
    assert load_mappings()["yinhang_deposits"].quoting == "all"


def test_every_bad_row_column_is_checked() -> None:
    """Each column truth/bad_rows.csv names is in the section-5 table of its mapping."""
    mappings = {m.file: m for m in load_mappings().values()}
    with (SAMPLE / "truth" / "bad_rows.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            mapping = mappings[row["file"]]
            checked = {
                "empty_mandatory_field": set(mapping.mandatory),
                "unparseable_date": set(mapping.dates) | set(mapping.year_months),
                "negative_amount": set(mapping.numeric),
                "truncated_line": set(mapping.header),
            }[row["reason"]]
            assert row["column"] in checked, row


def test_personal_columns_never_become_facts() -> None:
    for mapping in load_mappings().values():
        personal = {p.column for p in mapping.personal}
        mention_columns = {c for m in mapping.mentions for c in (m.name, m.id) if c}
        fact_text_columns = {f.column for f in mapping.facts if f.parser == "text"}
        assert not (mention_columns & {f.column for f in mapping.facts}), mapping.file
        assert not (personal & fact_text_columns), mapping.file


BROKEN = """
file = "other_name.csv"
department = "民政"
kind = "no_such_kind"
encoding = "latin-1"
quoting = "minimal"
key = "记录编号"
header = ["记录编号", "姓名", "金额", "日期", "备注"]
mandatory = ["姓名", "缺失列"]
dates = ["日期"]
numeric = ["金额", "另一个缺失列"]
year_months = { "日期" = "YYMM" }
colour = "blue"
facts = [
  { column = "金额", field = "amount", parser = "money" },
  { column = "日期", field = "amount", parser = "date" },
]
mentions = [
  { role = "朋友", name = "姓名" },
]
"""


def test_a_broken_mapping_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    problems = "\n".join(info.value.problems)
    for expected in [
        "kind = 'no_such_kind'",
        "encoding = 'latin-1'",
        "unknown key 'colour'",
        "mandatory: column '缺失列' is not in the header",
        "mandatory must include the key column",
        "numeric: column '另一个缺失列' is not in the header",
        "year_months: 日期 style 'YYMM'",
        "unknown parser 'money'",
        "field 'amount' is defined twice",
        "role '朋友'",
        "column '备注' is not mapped",
    ]:
        assert expected in problems, expected
    assert all(p.startswith("broken.toml: ") for p in info.value.problems)
    assert len(info.value.problems) >= 11


def test_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("file = [", encoding="utf-8")
    (tmp_path / "b.toml").write_text('file = "b.csv"\n', encoding="utf-8")
    good = (MAPPINGS_DIR / "standards.toml").read_text(encoding="utf-8")
    (tmp_path / "standards.toml").write_text(good, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mappings(tmp_path)
    files = {p.split(":", 1)[0] for p in info.value.problems}
    assert files == {"a.toml", "b.toml"}


def test_stem_must_match_the_file(tmp_path: Path) -> None:
    good = (MAPPINGS_DIR / "standards.toml").read_text(encoding="utf-8")
    (tmp_path / "renamed.toml").write_text(good, encoding="utf-8")
    with pytest.raises(MappingError, match="does not match the stem"):
        load_mappings(tmp_path)
