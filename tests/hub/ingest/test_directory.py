"""read_directory / iter_directory: file discovery, problems, truth/ never read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hub.ingest import IngestReport, iter_directory, load_mappings, read_directory

SAMPLE = Path(__file__).parents[2] / "data" / "sample"


def test_missing_broken_and_unknown_files_are_problems(tmp_path: Path) -> None:
    for name in ("standards.csv", "staff_roster.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    (tmp_path / "gongan_hukou.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "bad_rows.csv").write_text("x", encoding="utf-8")
    rows, report = read_directory(tmp_path)
    assert {r.source for r in rows} == {"standards", "staff_roster"}
    problems = "\n".join(report.problems)
    assert "minzheng_aid.csv" in report.missing and "file not found" not in problems
    assert "gongan_hukou.csv: header differs" in problems
    assert report.rejected == ["gongan_hukou.csv"]
    assert "notes.txt: no mapping" in problems
    assert "truth" not in problems
    assert json.dumps(report.to_dict(), ensure_ascii=False)


def test_iter_directory_streams_and_fills_the_report(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "standards.csv", tmp_path / "standards.csv")
    mappings = {"standards": load_mappings()["standards"]}
    report = IngestReport(str(tmp_path))
    rows = list(iter_directory(tmp_path, mappings, report))
    assert len(rows) == report.accepted == 16
    assert [s.file for s in report.files] == ["standards.csv"]
    assert report.to_dict()["totals"] == {
        "rows_read": 17, "accepted": 16, "duplicates": 0, "quarantined": 1}
