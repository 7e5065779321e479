from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from hub.linkage.pairs import (
    cross_join,
    factorize,
    self_join,
    sorted_unique,
    union_pairs,
    unique_pairs,
)


def _brute_self(keys: np.ndarray) -> set[tuple[int, int]]:
    return {(i, j) for i, j in itertools.combinations(range(len(keys)), 2)
            if keys[i] >= 0 and keys[i] == keys[j]}


def test_self_join_is_the_upper_triangle_of_each_group() -> None:
    rng = np.random.default_rng(1)
    keys = rng.integers(-1, 6, 60)
    a, b = self_join(keys)
    assert (a < b).all()
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == _brute_self(keys)
    assert len(a) == len(_brute_self(keys))


def test_cross_join_matches_every_equal_pair() -> None:
    rng = np.random.default_rng(2)
    left, right = rng.integers(-1, 5, 30), rng.integers(-1, 5, 40)
    i, j = cross_join(left, right)
    expected = {(x, y) for x in range(30) for y in range(40)
                if left[x] >= 0 and left[x] == right[y]}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected
    assert len(i) == len(expected)


def test_unique_pairs_canonicalise_and_sort() -> None:
    a, b = unique_pairs(np.array([3, 1, 2, 2, 4]), np.array([1, 3, 2, 0, 0]), width=5)
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 2), (0, 4), (1, 3)]
    a, b = union_pairs([(np.array([0, 1]), np.array([2, 3])), (np.array([0]), np.array([2]))], 5)
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 2), (1, 3)]
    assert sorted_unique(np.array([5, 1, 5, 3])).tolist() == [1, 3, 5]


def test_factorize_combines_columns_and_marks_missing() -> None:
    codes = factorize([pd.Series(["a", "a", "b", None]), pd.Series([1, 2, 1, 1])])
    assert codes[3] == -1
    assert len(set(codes[:3].tolist())) == 3
    ranks = factorize([pd.Series(["c", "a", None, "b"])], sort=True)
    assert ranks.tolist() == [2, 0, -1, 1]
