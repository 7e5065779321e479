"""Block, compare and classify in one pass over record positions.

Returns the scored candidate pairs as arrays (:class:`Scored`); the pipeline turns them into
the keyed ``LinkResult.scored`` frame only at the end, with the keys attached as the levels
of a ``MultiIndex`` (no per-pair strings are built).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hub.linkage.block import dedupe_positions
from hub.linkage.classify import bands, fit_em, match_weights
from hub.linkage.compare import compare_positions, compare_records, encode
from hub.linkage.pairs import union_pairs
from hub.linkage.settings import LinkageSettings
from hub.linkage.training import label_matches, train_without_em

PairArrays = tuple[np.ndarray, np.ndarray]


@dataclass
class Scored:
    """Scored candidate pairs ``(pos_a[k], pos_b[k])``, canonical and sorted.

    Attributes:
        pos_a: First record positions.
        pos_b: Second record positions.
        levels: Comparison levels, one ``int8`` column per comparison.
        weight: Match weight per pair.
        band: Band code per pair (index into ``classify.BANDS``).
        counts: Pairs proposed by each blocking rule.
    """

    pos_a: np.ndarray
    pos_b: np.ndarray
    levels: pd.DataFrame
    weight: np.ndarray
    band: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)

    def frame(self, keys: pd.Index, band_names: tuple[str, ...]) -> pd.DataFrame:
        """The keyed frame: levels, ``weight`` and ``band``, indexed by ``(key_a, key_b)``."""
        index = pd.MultiIndex(levels=[keys, keys], codes=[self.pos_a, self.pos_b],
                              names=["key_a", "key_b"], verify_integrity=False)
        out = self.levels.copy()
        out["weight"] = self.weight
        out["band"] = pd.Categorical.from_codes(self.band, categories=list(band_names))
        out.index = index
        return out


def score_candidates(
    df: pd.DataFrame,
    settings: LinkageSettings,
    new: np.ndarray | None,
    accepted: PairArrays,
    rejected: PairArrays,
    retrain: bool,
) -> tuple[Scored, LinkageSettings]:
    """Block, compare, (train,) weigh and band; clerical decisions override the bands.

    Args:
        df: Standardised records sorted by key.
        settings: Linkage settings (trained or not).
        new: Mask of the batch in an incremental run.
        accepted: Accepted pairs (canonical positions); always compared.
        rejected: Rejected pairs (canonical positions).
        retrain: Run EM even when the settings are trained.

    Returns:
        The scored pairs and the settings used (trained by this run if needed).
    """
    n = len(df)
    (pos_a, pos_b), counts = dedupe_positions(df, settings, new)
    if len(accepted[0]):
        pos_a, pos_b = union_pairs([(pos_a, pos_b), accepted], n)
    codes = pos_a * n + pos_b
    is_accepted = np.isin(codes, accepted[0] * n + accepted[1])
    is_rejected = np.isin(codes, rejected[0] * n + rejected[1])
    train = retrain or not settings.trained
    if train and settings.training == "random_u_labelled_m":
        # one encoding serves the candidates and the random pairs that estimate u
        enc = encode([df], settings)
        levels = compare_positions(enc, pos_a, pos_b, settings)
        matches = label_matches(df, settings.m_label_column, pos_a, pos_b) | is_accepted
        settings = train_without_em(df, enc, settings, levels, matches & ~is_rejected)
        del enc
    else:
        levels = compare_records(df, pos_a, pos_b, settings)
        if train:
            labels = np.full(len(codes), np.nan)
            labels[is_accepted] = 1.0
            labels[is_rejected] = 0.0
            settings = fit_em(levels, settings, labels=pd.Series(labels, index=levels.index))
    weights = match_weights(levels, settings)
    band = bands(levels, weights, settings).cat.codes.to_numpy().astype(np.int8)
    # two different valid ID numbers are two people (GB 11643 checksum): never a link or
    # a review item, whatever names and dates say
    band[_cannot_link(df, settings, pos_a, pos_b)] = 2
    band[is_accepted] = 0
    band[is_rejected] = 2
    return Scored(pos_a, pos_b, levels, weights.to_numpy(), band, counts), settings


def _cannot_link(df: pd.DataFrame, settings: LinkageSettings, pos_a: np.ndarray,
                 pos_b: np.ndarray) -> np.ndarray:
    """Pairs whose ``cannot_link_column`` values are both present and differ."""
    column = settings.cannot_link_column
    if column is None or column not in df:
        return np.zeros(len(pos_a), bool)
    codes = pd.factorize(df[column], use_na_sentinel=True)[0]
    a, b = codes[pos_a], codes[pos_b]
    return (a >= 0) & (b >= 0) & (a != b)
