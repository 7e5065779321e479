"""Fixtures for linkage tests: the sample set's mentions and truth."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.hub.linkage.linkage_helpers import SAMPLE


@pytest.fixture(scope="session")
def sample_frame() -> pd.DataFrame:
    """The sample set's mentions, read through hub.ingest."""
    from hub.ingest import read_directory
    from hub.linkage.frame import rows_frame

    rows, _ = read_directory(SAMPLE)
    return rows_frame(rows)


@pytest.fixture(scope="session")
def sample_truth() -> pd.Series:
    """``mention key → true person`` for the sample set."""
    pm = pd.read_csv(SAMPLE / "truth" / "person_map.csv", dtype=str)
    keys = pm["file"].str.removesuffix(".csv") + ":" + pm["record_id"] + ":" + pm["role"]
    return pd.Series(pm["person_uid"].to_numpy(), index=keys)
