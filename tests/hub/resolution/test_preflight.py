"""The full link's memory pre-flight, on the real sample graph."""

from __future__ import annotations

import pytest

from hub.config import Settings
from hub.errors import LinkMemoryError
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.preflight import check_memory, memory_needed
from hub.store import Store

pytestmark = pytest.mark.neo4j

RUNS = "MATCH (r:LinkRun) RETURN count(r) AS n"
MENTIONS = "MATCH (r:SourceRecord) RETURN count(r) AS n"


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def test_estimate_covers_the_measured_peaks_with_a_margin() -> None:
    # peaks of bench_link_graph.py's full link: 20,000 and 60,000 households
    for mentions, peak_gib in ((404_539, 1.79), (1_216_674, 4.08)):
        assert peak_gib * 2**30 < memory_needed(mentions) < 1.5 * peak_gib * 2**30
    step = memory_needed(1_000_000) - memory_needed(0)
    assert step > 0
    assert abs(memory_needed(2_000_000) - memory_needed(1_000_000) - step) <= 1


def test_a_full_run_that_does_not_fit_is_refused_before_it_starts(
    linked_sample: Store, kit: PrivacyKit
) -> None:
    runs = linked_sample.read(RUNS)[0]["n"]
    with pytest.raises(LinkMemoryError) as caught:
        run_link(linked_sample, kit, full=True, available_memory=1024)
    error = caught.value
    mentions = linked_sample.read(MENTIONS)[0]["n"]
    assert error.mentions == mentions > 1000
    assert error.needed == memory_needed(mentions) and error.available == 1024
    message = str(error)
    assert f"{mentions:,} mentions" in message and "0.0 GB is available" in message
    assert f"{error.needed / 2**30:.1f} GB" in message and "--no-memory-check" in message
    assert "--engine spark" in message
    assert linked_sample.read(RUNS)[0]["n"] == runs  # refused before anything was written


def test_the_check_can_be_overridden(linked_sample: Store, kit: PrivacyKit) -> None:
    runs = linked_sample.read(RUNS)[0]["n"]
    summary = run_link(linked_sample, kit, full=True, available_memory=1024,
                       memory_check=False)
    assert summary.mode == "full" and summary.persons > 0
    assert linked_sample.read(RUNS)[0]["n"] == runs + 1


def test_incremental_runs_are_not_checked(linked_sample: Store, kit: PrivacyKit) -> None:
    summary = run_link(linked_sample, kit, available_memory=1024)
    assert summary.mode == "incremental"


def test_enough_memory_passes_with_the_estimate(linked_sample: Store) -> None:
    mentions = linked_sample.read(MENTIONS)[0]["n"]
    assert check_memory(linked_sample, available=2**50) == memory_needed(mentions)
    with pytest.raises(LinkMemoryError):
        check_memory(linked_sample, available=memory_needed(mentions) - 1)


def test_the_cli_refuses_a_full_run_that_does_not_fit_and_obeys_the_override(
    linked_sample: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hub link run --full`` exits 1 with the figures; ``--no-memory-check`` links."""
    from typer.testing import CliRunner

    from hub.cli import app
    from tests.conftest import test_environ

    class Scarce:
        available = 1024  # bytes: nothing fits

    monkeypatch.setattr("hub.resolution.preflight.psutil.virtual_memory", lambda: Scarce())
    runner = CliRunner()
    runs = linked_sample.read(RUNS)[0]["n"]
    refused = runner.invoke(app, ["link", "run", "--full"], env=test_environ())
    assert refused.exit_code == 1
    assert "--no-memory-check" in refused.output and linked_sample.read(RUNS)[0]["n"] == runs
    done = runner.invoke(app, ["link", "run", "--full", "--no-memory-check"],
                         env=test_environ())
    assert done.exit_code == 0, done.output
    assert linked_sample.read(RUNS)[0]["n"] == runs + 1
