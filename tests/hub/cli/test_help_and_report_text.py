"""What a reader sees: help without reStructuredText or ``<bool>``, commands named as they
are, and a verification report in Chinese without raw keys, ``True`` or JSON."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from hub.cli import app
from hub.store import Store
from tests.conftest import test_environ


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    if hasattr(command, "commands"):  # a group (typer bundles its own click)
        for name, sub in command.commands.items():
            paths += _command_paths(sub, (*path, name))
    return paths


def test_every_help_text_is_plain() -> None:
    paths = _command_paths(typer.main.get_command(app))
    assert len(paths) > 30
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        assert "``" not in result.output, path
        assert "<bool>" not in result.output, path
    charity = CliRunner().invoke(app, ["charity", "demo", "--help"]).output
    assert "'hub link run'" in " ".join(charity.split())


@pytest.mark.neo4j
def test_verification_report_is_chinese_without_raw_keys(
        tmp_path: Path, linked_sample: Store) -> None:
    [row] = linked_sample.read(
        "MATCH (h:Household)<-[:MEMBER_OF {status: '正常'}]-(p:Person) "
        "WITH h, collect(p.person_id) AS people WHERE size(people) >= 3 "
        "RETURN people[0] AS person ORDER BY person LIMIT 1")
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["verify", "household", "--person", row["person"],
                                      "--as-of", "2026-10-31", "--html", str(target)],
                                env=test_environ())
    assert result.exit_code == 0, result.output
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", target.read_text(encoding="utf-8"),
                  flags=re.S)
    assert "在世成员数" in text and "比较数值" in text
    for raw in ("living_members", "True", "False", '{"', "person id", "not counted"):
        assert raw not in text, raw
