"""Training on random pairs and labelled pairs: weights that do not move with the set's size."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from hub.linkage import link
from hub.linkage.presets import hub_settings
from hub.linkage.training import random_pairs
from tests.hub.linkage.linkage_helpers import frame, make_id, mention


def test_random_pairs_are_canonical_and_repeatable() -> None:
    a, b = random_pairs(10_000, 50_000, seed=3)
    again = random_pairs(10_000, 50_000, seed=3)
    assert (a < b).all()
    assert np.array_equal(a, again[0]) and np.array_equal(b, again[1])
    assert len(a) > 49_000


def test_random_pairs_of_a_small_set_are_every_pair() -> None:
    a, b = random_pairs(5, 1_000, seed=3)
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [
        (i, j) for i in range(5) for j in range(i + 1, 5)]


def _weights(result: object) -> dict[str, list[float]]:
    settings = result.settings  # type: ignore[attr-defined]
    return {spec.name: spec.weights() for spec in settings.comparisons}


def test_level_weights_do_not_drift_with_the_size_of_the_set(
    sample_frame: pd.DataFrame, sample_truth: pd.Series,
) -> None:
    people = sample_truth.loc[sample_frame.index]
    half = people[people.isin(people.drop_duplicates().iloc[::2])].index
    whole, part = _weights(link(sample_frame)), _weights(link(sample_frame.loc[half]))
    for name in ("name", "birth_date", "id_number"):
        # the levels that decide links: exact and near agreement
        assert abs(whole[name][-1] - part[name][-1]) < 1.0, name
    assert link(sample_frame).settings.prior == hub_settings().prior


def test_two_valid_ids_are_never_linked_nor_reviewed_on_names_and_dates() -> None:
    born = date(1985, 3, 7)
    one, two = make_id("36022219850307123"), make_id("36022219850307125")
    df = frame(mention("gongan_hukou", "G1", "王伟", one, birth=born),
               mention("gongan_hukou", "G2", "王伟", two, birth=born),
               mention("renshe", "R1", "王伟", one),
               mention("renshe", "R2", "王伟", two))
    result = link(df)
    pair = result.scored.loc[("gongan_hukou:G1:本人", "gongan_hukou:G2:本人")]
    assert pair["band"] == "non_link"
    assert result.review_queue.empty
    assert result.person_ids["gongan_hukou:G1:本人"] != result.person_ids["gongan_hukou:G2:本人"]
