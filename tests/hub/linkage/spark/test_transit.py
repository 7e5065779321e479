"""The run key: keyed hashes keep equality only, sealed rows open only under their key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hub.linkage.spark.transit import RunKey
from privacy.crypto import AuthenticationFailed


def test_hashes_keep_equality_and_missing_values() -> None:
    key = RunKey.new("standard")
    values = np.array(["王伟", None, "王伟", "卓玛", None], dtype=object)
    hashed = key.hashes("name", values)
    assert hashed[0] == hashed[2] and hashed[0] != hashed[3]
    assert pd.isna(hashed[1]) and pd.isna(hashed[4])
    # another kind, another run: unrelated hashes
    assert key.hashes("surname", values)[0] != hashed[0]
    assert RunKey.new("standard").hashes("name", values)[0] != hashed[0]


@pytest.mark.parametrize("profile", ["standard", "national"])
def test_sealed_rows_round_trip_and_hide_the_values(profile: str) -> None:
    key = RunKey.new(profile)
    frame = pd.DataFrame({"name_key": ["王伟", None], "dob": pd.array([19800101, None],
                                                                    dtype="Int64"),
                          "id_cmp": ["11010519491231002X", None]})
    blobs = key.seal_rows(frame, list(frame.columns))
    assert all("王伟".encode() not in b and b"11010519491231002X" not in b for b in blobs)
    opened = key.open_rows(blobs, list(frame.columns))
    assert opened.iloc[0].tolist() == ["王伟", 19800101, "11010519491231002X"]
    assert opened.iloc[1].isna().all()
    with pytest.raises(AuthenticationFailed):
        RunKey.new(profile).open_rows(blobs, list(frame.columns))


def test_the_key_stays_out_of_its_repr() -> None:
    key = RunKey.new("standard")
    assert key.secret.hex() not in repr(key)
