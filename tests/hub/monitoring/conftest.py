"""Fixtures for monitoring tests: the linked sample without alerts, and its truth map."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import Settings
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store
from tests.hub.monitoring.truth import TruthMap

SAMPLE_TRUTH = Path(__file__).parents[2] / "data" / "sample" / "truth"

_DROP_ALERTS = "MATCH (a:Alert) CALL (a) { DETACH DELETE a } IN TRANSACTIONS OF 5000 ROWS"


@pytest.fixture
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


@pytest.fixture
def sample(linked_sample: Store) -> Store:
    """The linked sample with every alert removed (each test starts without alerts)."""
    linked_sample.run_autocommit(_DROP_ALERTS)
    return linked_sample


@pytest.fixture
def truth(sample: Store, kit: PrivacyKit) -> TruthMap:
    return TruthMap(sample, kit, SAMPLE_TRUTH)
