"""Fixtures for monitoring tests: the linked sample without alerts, and its truth map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_schema.queries.maintenance import DROP_ALERTS
from hub.config import Settings
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store
from tests.hub.monitoring.truth import TruthMap

SAMPLE_TRUTH = Path(__file__).parents[2] / "data" / "sample" / "truth"



@pytest.fixture
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


@pytest.fixture
def sample(linked_sample: Store) -> Iterator[Store]:
    """The linked sample without alerts, before the test and after it (so the linked
    sample is given back as it was built)."""
    linked_sample.run_autocommit(DROP_ALERTS)
    yield linked_sample
    linked_sample.run_autocommit(DROP_ALERTS)


@pytest.fixture
def truth(sample: Store, kit: PrivacyKit) -> TruthMap:
    return TruthMap(sample, kit, SAMPLE_TRUTH)
