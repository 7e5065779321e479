"""Fixtures of the console's tests: an API client on the linked sample, the demo served
live for the browser walks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.datasets.demo_tour import prepare_tour
from hub.store import Store
from tests.api_helpers import api_settings
from tests.console_helpers import household_in_region
from tests.live_server import live_server


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    """The app over the linked sample (not dev mode)."""
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


@pytest.fixture
def household_id(linked_sample: Store) -> str:
    """A household of two living members or more in the test tokens' region."""
    return str(household_in_region(linked_sample)["household_id"])


@pytest.fixture
def demo(settings: Settings, linked_sample: Store) -> Iterator[tuple[str, Any]]:
    """The demo (dev mode, its tour prepared) served on 127.0.0.1: (base URL, tour)."""
    dev = api_settings(settings, dev_mode=True)
    tour = prepare_tour(linked_sample, dev)
    with live_server(create_app(dev, store=linked_sample)) as base:
        yield base, tour
