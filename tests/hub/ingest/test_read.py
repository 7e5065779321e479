"""read_export: validation per section 5, duplicates, conflicting ids, stats, streaming."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hub.ingest import CanonicalRow, ExportStats, QuarantinedRow, load_mappings, read_export
from hub.ingest.rowhash import row_hash

STANDARDS = load_mappings()["standards"]
HEADER = ",".join(STANDARDS.header)


def _line(n: int, year: str = "2026", dibao: str = "680") -> str:
    return f"BZ{n:03d},360222,浮梁县,{year},农村,{dibao},884,16320"


def _write(path: Path, lines: list[str], eol: str = "\n") -> Path:
    path.write_text(eol.join([HEADER, *lines]) + eol, encoding="utf-8")
    return path


def _read(path: Path) -> tuple[list[CanonicalRow], list[QuarantinedRow], ExportStats]:
    stats = ExportStats(path.name, STANDARDS.source)
    rows = list(read_export(path, STANDARDS, stats=stats))
    good = [r for r in rows if isinstance(r, CanonicalRow)]
    bad = [r for r in rows if isinstance(r, QuarantinedRow)]
    return good, bad, stats


def test_exact_duplicates_are_counted_not_doubled(tmp_path: Path) -> None:
    lines = [_line(n) for n in range(1, 60)]
    lines.insert(5, lines[4])  # adjacent copy
    lines.insert(50, lines[8])  # a copy about 40 lines later
    good, bad, stats = _read(_write(tmp_path / "standards.csv", lines))
    assert bad == []
    assert len(good) == 59
    assert (stats.rows_read, stats.accepted, stats.duplicates, stats.quarantined) == (61, 59, 2, 0)


def test_same_id_with_other_content_keeps_the_first(tmp_path: Path) -> None:
    lines = [_line(1), _line(2), _line(1, dibao="700")]
    good, bad, stats = _read(_write(tmp_path / "standards.csv", lines))
    assert [r.record_id for r in good] == ["BZ001", "BZ002"]
    assert good[0].facts["dibao_standard"] == 680
    (conflict,) = bad
    assert (conflict.line_no, conflict.record_id, conflict.reason, conflict.column) == (
        4, "BZ001", "duplicate_record_id", "记录编号")
    assert "line 2" in conflict.detail
    assert stats.quarantined == 1


def test_each_section5_defect(tmp_path: Path) -> None:
    lines = [
        _line(1),
        _line(2, dibao="-680"),  # negative_amount
        _line(3, dibao="abc"),  # non_numeric_amount
        ",360222,浮梁县,2026,农村,680,884,16320",  # empty key: reported by line number
        "BZ005,360222,浮梁县,2026,农",  # truncated
        _line(6, year=""),  # empty mandatory 年度
        _line(7),
    ]
    good, bad, _ = _read(_write(tmp_path / "standards.csv", lines, eol="\r\n"))
    assert [r.record_id for r in good] == ["BZ001", "BZ007"]
    assert [(q.line_no, q.record_id, q.reason, q.column) for q in bad] == [
        (3, "BZ002", "negative_amount", "低保标准"),
        (4, "BZ003", "non_numeric_amount", "低保标准"),
        (5, None, "empty_mandatory_field", "记录编号"),
        (6, "BZ005", "truncated_line", "城乡"),
        (7, "BZ006", "empty_mandatory_field", "年度"),
    ]
    assert "5 of 8 fields" in bad[3].detail
    assert "-680" in bad[0].detail


def test_several_defects_are_all_described(tmp_path: Path) -> None:
    _, bad, _ = _read(_write(tmp_path / "standards.csv", [_line(1, year="", dibao="-1")]))
    (only,) = bad
    assert only.reason == "empty_mandatory_field"
    assert "年度" in only.detail and "低保标准" in only.detail


def test_too_many_fields(tmp_path: Path) -> None:
    _, bad, _ = _read(_write(tmp_path / "standards.csv", [_line(1) + ",extra"]))
    assert bad[0].reason == "truncated_line"
    assert "9 fields" in bad[0].detail


def test_rows_stream(tmp_path: Path) -> None:
    path = _write(tmp_path / "standards.csv", [_line(n) for n in range(1, 1000)])
    rows: Iterator[CanonicalRow | QuarantinedRow] = read_export(path, STANDARDS)
    first = next(rows)
    assert isinstance(first, CanonicalRow) and first.record_id == "BZ001"


def test_row_hash_is_stable_and_content_sensitive(tmp_path: Path) -> None:
    good, _, _ = _read(_write(tmp_path / "standards.csv", [_line(1)]))
    assert good[0].row_hash == row_hash(_line(1).split(","))
    crlf, _, _ = _read(_write(tmp_path / "other.csv", [_line(1)], eol="\r\n"))
    assert crlf[0].row_hash == good[0].row_hash
    changed, _, _ = _read(_write(tmp_path / "third.csv", [_line(1, dibao="681")]))
    assert changed[0].row_hash != good[0].row_hash


def test_facts_are_typed(tmp_path: Path) -> None:
    good, _, _ = _read(_write(tmp_path / "standards.csv", [_line(1)]))
    facts = good[0].facts
    assert facts == {
        "region_code": "360222", "region_name": "浮梁县", "year": 2026, "urban_rural": "农村",
        "dibao_standard": 680, "tekun_standard": 884, "asset_limit_per_capita": 16320,
    }
    assert good[0].kind == "standard"
    assert good[0].mentions == []
