from __future__ import annotations

import pandas as pd
import pytest

from hub.linkage.block import candidate_pairs
from hub.linkage.compare import (
    DateLevels,
    ExactLevels,
    StringLevels,
    build_comparator,
    compare_pairs,
    compare_positions,
    encode,
    id_levels,
)
from hub.linkage.presets import hub_settings
from hub.linkage.standardise import standardise
from tests.hub.linkage.linkage_helpers import frame, make_id, mention

VALID = make_id("41050219850307123")


def _ids(a: list[str | None], b: list[str | None]) -> list[int]:
    return id_levels(pd.Series(a, dtype=object), pd.Series(b, dtype=object)).tolist()


def test_exact_id_is_the_top_level() -> None:
    assert _ids([VALID], [VALID]) == [2]


def test_one_digit_typo_is_near() -> None:
    typo = VALID[:10] + str((int(VALID[10]) + 1) % 10) + VALID[11:]
    assert _ids([VALID], [typo]) == [1]


def test_adjacent_transposition_is_near() -> None:
    swapped = VALID[:12] + VALID[13] + VALID[12] + VALID[14:]
    assert swapped != VALID
    assert _ids([VALID], [swapped]) == [1]


def test_different_and_missing() -> None:
    other = make_id("41050219850307125")
    far = make_id("36022219900101001")
    assert _ids([VALID, VALID, None], [far, other, VALID]) == [0, 0, -1]


def test_legacy_wildcard_matches_any_check_character() -> None:
    assert _ids([VALID[:17] + "?"], [VALID]) == [2]


def test_exact_string_and_date_levels() -> None:
    left = pd.Series(["a", "b", None], dtype=object)
    right = pd.Series(["a", "c", "c"], dtype=object)
    assert ExactLevels("x", "x", label="x")._compute_vectorized(left, right).tolist() == [1, 0, -1]
    strings = StringLevels("x", "x", [0.8], label="x")._compute_vectorized(
        pd.Series(["martha", "dixon", "abc"]), pd.Series(["marhta", "dicksonx", "abc"]))
    assert strings.tolist() == [1, 1, 2]
    dates = DateLevels("d", "d", label="d")._compute_vectorized(
        pd.Series([19850307, 19850307, 19850307, None]),
        pd.Series([19850307, 19850703, 19860308, 19850307]))
    assert dates.tolist() == [2, 1, 0, -1]


def test_chinese_name_levels() -> None:
    df = standardise(frame(
        mention("a", "1", "张伟", None), mention("b", "1", "張偉", None),
        mention("c", "1", "张玮", None), mention("d", "1", "次仁卓玛", None),
        mention("e", "1", "茨仁卓马", None), mention("f", "1", "李娜", None),
        mention("g", "1", "李玲", None), mention("h", "1", "李琳", None),
    ))
    keys = df.index
    pairs = pd.MultiIndex.from_tuples(
        [(keys[0], keys[1]), (keys[0], keys[2]), (keys[3], keys[4]), (keys[0], keys[5]),
         (keys[6], keys[7])])
    levels = compare_pairs(pairs, df, hub_settings())["name"].tolist()
    assert levels == [3, 2, 2, 0, 1]


def test_positions_give_the_same_levels_as_the_recordlinkage_features(
    sample_frame: pd.DataFrame,
) -> None:
    settings = hub_settings()
    df = standardise(sample_frame).sort_index()
    pairs, _ = candidate_pairs(df, settings)
    ours = compare_pairs(pairs, df, settings)
    theirs = build_comparator(settings).compute(pairs, df)
    assert len(ours) > 1000
    assert (ours.to_numpy() == theirs.loc[ours.index, ours.columns].to_numpy()).all()


def test_comparing_in_chunks_gives_the_levels_of_one_pass(sample_frame: pd.DataFrame) -> None:
    settings = hub_settings()
    df = standardise(sample_frame).sort_index()
    pairs, _ = candidate_pairs(df, settings)
    a, b = pairs.codes[0].astype("int64"), pairs.codes[1].astype("int64")
    enc = encode([df], settings)
    whole = compare_positions(enc, a, b, settings, chunk=len(a) + 1)
    chunked = compare_positions(enc, a, b, settings, chunk=97)
    assert len(a) > 10 * 97
    assert (whole.dtypes == "int8").all()
    assert (chunked.to_numpy() == whole.to_numpy()).all()
    # every comparison has pairs at more than one level, so the equality is not vacuous
    assert all(whole[c].nunique() > 1 for c in whole.columns)


def test_compare_pairs_refuses_unknown_keys() -> None:
    df = standardise(frame(mention("a", "1", "张伟", VALID)))
    pairs = pd.MultiIndex.from_tuples([("a:1:本人", "zz:9:本人")])
    with pytest.raises(KeyError):
        compare_pairs(pairs, df, hub_settings())
