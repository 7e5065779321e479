"""Paged mention loading (what the Spark engine stages): every mention once, in key order,
with the values a whole load gives."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from graph_schema.queries import resolution as q
from hub.config import Settings
from hub.privacy_graph.kit import open_privacy
from hub.resolution.load import iter_mention_batches, load_mentions
from hub.store import Store

pytestmark = pytest.mark.neo4j


def test_pages_hold_every_mention_once_in_key_order(linked_sample: Store,
                                                    settings: Settings) -> None:
    kit = open_privacy(settings)
    pages = list(iter_mention_batches(linked_sample, kit.encryptor, 997))
    keys = [key for page in pages for key in page.index]
    total = int(linked_sample.read(q.MENTION_COUNT)[0]["mentions"])
    assert total > 5_000
    assert len(keys) == total and len(set(keys)) == total
    assert keys == sorted(keys)
    assert len(pages) == math.ceil(total / 997)
    whole = load_mentions(linked_sample, kit.encryptor).loc[keys]
    paged = pd.concat(pages)
    for column in ("name", "id_number", "birth_date", "person_id"):
        assert paged[column].tolist() == whole[column].tolist(), column
