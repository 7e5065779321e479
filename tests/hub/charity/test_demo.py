"""The charity demo matches a donation end to end on the linked sample, over the API
served on a loopback port as the command line serves it."""

from __future__ import annotations

import pytest

from hub.charity.demo import DEMO_CHARITY, run_charity_demo
from hub.cli._local_api import local_api
from hub.config import Settings
from hub.store import Store
from privacy import find_identifiers
from tests.resolvers import charity_scenario as sc

pytestmark = pytest.mark.neo4j


def test_demo_walks_every_step_and_discloses_only_at_the_end(
        settings: Settings, linked_sample: Store) -> None:
    sc.clear(linked_sample)
    lines: list[str] = []
    dev = settings.with_overrides(dev_mode=True)
    try:
        with local_api(dev, linked_sample) as client:
            summary = run_charity_demo(linked_sample, dev, client, emit=lines.append)
    finally:
        sc.clear(linked_sample)
    assert summary.consents == 4 and summary.matches >= 1
    assert summary.status == "accepted" and summary.contact_disclosed
    assert [line[:2] for line in lines if line[0].isdigit()] == [
        "1.", "2.", "3.", "4.", "5.", "6.", "7."]
    assert DEMO_CHARITY in lines[0]
    assert any(summary.token in line and "confirmed" in line for line in lines)
    before_disclosure = "\n".join(lines[:-1])
    assert find_identifiers(before_disclosure) == []  # only the released contact has any
    assert lines[-1].startswith("7.") and "name None" not in lines[-1]
