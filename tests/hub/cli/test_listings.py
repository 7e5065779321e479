"""Listing commands for people and scripts: keys are never cut, ``--json`` and
``--plain`` give every row whole, and a key read from the table works in the next command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from typer.testing import CliRunner

from graph_schema.queries.maintenance import DROP_ALERTS
from hub.cli import app
from hub.config import Settings
from hub.monitoring import run_monitoring
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.conftest import test_environ

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]



def _hub(*args: str, columns: int = 120) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={**test_environ(), "COLUMNS": str(columns)})
    return result.exit_code, result.output


@pytest.fixture
def monitored(linked_sample: Store, settings: Settings) -> Iterator[Store]:
    """The linked sample after one fresh monitoring run; its alerts are dropped after."""
    linked_sample.run_autocommit(DROP_ALERTS)
    run_monitoring(linked_sample, open_privacy(settings), as_of=date(2026, 10, 31))
    yield linked_sample
    linked_sample.run_autocommit(DROP_ALERTS)


def test_alert_keys_are_whole_in_the_table_and_usable_from_the_cli(monitored: Store) -> None:
    code, output = _hub("monitor", "alerts", "--json", "--limit", "5")
    assert code == 0, output
    rows = json.loads(output)
    assert len(rows) == 5 and all(r["alert_key"] for r in rows)

    for width in (120, 80):
        code, table = _hub("monitor", "alerts", "--limit", "5", columns=width)
        assert code == 0
        for row in rows:
            assert row["alert_key"] in table, f"{row['alert_key']} cut at {width} columns"

    key = rows[0]["alert_key"]
    code, output = _hub("monitor", "status", key, "sent")
    assert code == 0, output
    code, output = _hub("monitor", "alerts", "--json", "--status", "sent")
    assert [r["alert_key"] for r in json.loads(output)] == [key]


def test_plain_listing_is_tab_separated_with_a_header(monitored: Store) -> None:
    code, output = _hub("monitor", "alerts", "--plain", "--limit", "3", columns=40)
    assert code == 0, output
    lines = output.rstrip("\n").split("\n")
    assert lines[0].split("\t")[:2] == ["alert_key", "type"]
    assert len(lines) == 4 and all(len(line.split("\t")) == 7 for line in lines)
    _, both = _hub("monitor", "alerts", "--plain", "--json")
    assert "not both" in both


@pytest.mark.parametrize("command", [
    ("link", "review"), ("keys", "list"), ("charity", "categories"),
    ("monitor", "alerts"),
], ids=lambda c: " ".join(c))
def test_every_listing_command_has_json(linked_sample: Store, command: tuple[str, ...]) -> None:
    code, output = _hub(*command, "--json")
    assert code == 0, output
    assert isinstance(json.loads(output), list)
    code, output = _hub(*command, "--plain")
    assert code == 0, output
    assert "\t" in output.split("\n")[0]  # the header line: the columns' keys
