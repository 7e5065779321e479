"""Stage the mentions for Spark: standardise each batch, keep plaintext out, write Parquet.

Batches arrive from the graph in mention-key order (``hub.resolution.load``); each is
standardised on its own (every derivation is per row, so a batch gives the rows the whole
frame would), numbered by its position in key order (the order the in-process engine sorts
by, which makes canonical pairs and the training sample the same), and written as one
Parquet file of **non-plaintext** columns (``transit.py``): a keyed hash per blocking rule,
the missing flags ``exact_when_missing`` rules test, hashed label and cannot-link values and
one sealed blob of the compared values; and what the steps after clustering read: the
mention key (not personal: the graph stores it in plaintext), source and role, and the
hashed context the name-only rules join on, and the person an earlier run linked the
mention to (an id, not personal: the graph stores it in plaintext; an incremental run's
neighbourhood is gathered by it). Spark reads the directory; the driver keeps nothing per
mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hub.linkage.block_keys import joined
from hub.linkage.settings import BlockingRule, LinkageSettings
from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.transit import RunKey
from hub.linkage.standardise import standardise

EQUALITY = ("exact", "exact_when_missing")
PLAIN_CONTEXT = ("source", "role")
"""Context columns that are not personal (department and role names) and stay as text."""


def rule_column(index: int) -> str:
    """Column of the staged table holding blocking rule ``index``'s hashed key."""
    return f"k{index}"


def missing_column(column: str) -> str:
    """Column of the staged table flagging mentions that lack ``column``."""
    return f"miss_{column}"


def context_column(column: str) -> str:
    """Column of the staged table holding the hashed context value of ``column``."""
    return f"c_{column}"


def compared_columns(settings: LinkageSettings) -> list[str]:
    """The columns the comparisons read, in first-use order (sealed per mention)."""
    out: list[str] = []
    for spec in settings.comparisons:
        out.extend(c for c in spec.columns if c not in out)
    return out


def context_columns(settings: LinkageSettings) -> list[str]:
    """The columns the driver's share of a run reads, beyond source and role: those
    ``hub.linkage.context`` joins on, and the cannot-link column clustering checks."""
    out = ["id_key", "name_key", "row_key", "household_key"]
    for rule in settings.name_only_rules:
        out.extend(c for c in rule.match_on if c not in out)
    if settings.cannot_link_column and settings.cannot_link_column not in out:
        out.append(settings.cannot_link_column)
    return out


def check_rules(settings: LinkageSettings) -> list[tuple[int, BlockingRule]]:
    """The blocking rules, each an equality the engine can join on.

    Raises:
        SparkEngineError: A rule is not an equality (a sorted neighbourhood's neighbours
            depend on every other value: no equi-join expresses it).
    """
    for rule in settings.blocking_rules:
        if rule.kind not in EQUALITY:
            raise SparkEngineError(
                f"blocking rule {rule.name} is a {rule.kind}; the Spark engine blocks by "
                "equi-joins only (exact or exact_when_missing rules): use the in-process "
                "engine for these settings")
    return list(enumerate(settings.blocking_rules))


@dataclass
class Staged:
    """The staged mentions: Parquet for Spark, and counts.

    Attributes:
        path: Directory of the Parquet parts.
        n: Number of mentions staged.
        new_count: Mentions no earlier run linked.
        rules: ``(index, rule)`` of the blocking rules staged (columns present).
        missing: Columns with a missing flag.
    """

    path: Path
    n: int
    new_count: int
    rules: list[tuple[int, BlockingRule]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class Stager:
    """Turns batches of mention frames into Parquet parts."""

    def __init__(self, path: Path, settings: LinkageSettings, key: RunKey,
                 compression: str = "snappy") -> None:
        self.path = path
        self.settings = settings
        self.key = key
        self.compression = compression
        self.rules = check_rules(settings)
        self.missing = sorted({r.when_missing for _, r in self.rules if r.when_missing})
        self._count = 0
        self._new = 0
        self._parts = 0
        self._last: str | None = None
        path.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _check_order(self, keys: pd.Index) -> None:
        first = str(keys[0])
        if self._last is not None and first <= self._last:
            raise SparkEngineError(
                "mention keys arrived out of order (the graph sorts them differently from "
                "Python); the Spark engine cannot number them in key order")
        self._last = str(keys[-1])

    def add(self, mentions: pd.DataFrame) -> None:
        """Stage one batch (mention frame columns, indexed by mention key)."""
        if mentions.empty:
            return
        mentions = mentions.sort_index()
        person = (mentions["person_id"].to_numpy(dtype=object) if "person_id" in mentions
                  else np.full(len(mentions), None, dtype=object))
        frame = standardise(mentions.drop(columns="person_id", errors="ignore"))
        self._check_order(frame.index)
        n, key = len(frame), self.key
        positions = np.arange(self._count, self._count + n, dtype=np.int64)
        new = pd.isna(person)
        columns: dict[str, pa.Array] = {"pos": pa.array(positions), "new": pa.array(new),
                                        "key": pa.array(frame.index.astype(str).tolist(),
                                                        type=pa.string()),
                                        "person": pa.array(person, type=pa.string(),
                                                           from_pandas=True)}
        for index, rule in self.rules:
            if all(c in frame for c in rule.columns):
                columns[rule_column(index)] = pa.array(
                    key.hashes(rule.name, joined(frame, rule.columns)))
        for column in self.missing:
            columns[missing_column(column)] = pa.array(frame[column].isna().to_numpy())
        for role, column in (("lab", self.settings.m_label_column),
                             ("cl", self.settings.cannot_link_column)):
            values = frame[column] if column and column in frame else pd.Series(
                [None] * n, index=frame.index, dtype=object)
            columns[role] = pa.array(key.hashes(f"column:{column}", values.to_numpy()))
        columns["feat"] = pa.array(key.seal_rows(frame, compared_columns(self.settings)),
                                   type=pa.binary())
        context: dict[str, object] = {c: frame[c].to_numpy(dtype=object) for c in PLAIN_CONTEXT}
        for column in context_columns(self.settings):
            values = frame[column].to_numpy() if column in frame else np.full(n, None)
            context[column] = key.hashes(f"column:{column}", values)
        for column, values in context.items():
            name = column if column in PLAIN_CONTEXT else context_column(column)
            columns[name] = pa.array(values, from_pandas=True)
        part = self.path / f"part-{self._parts:06d}.parquet"
        pq.write_table(pa.table(columns), part, compression=self.compression)
        part.chmod(0o600)
        self._parts += 1
        self._count += n
        self._new += int(new.sum())

    def finish(self) -> Staged:
        """The staged set.

        Raises:
            SparkEngineError: No mention was staged.
        """
        if not self._count:
            raise SparkEngineError("there are no mentions to link")
        return Staged(self.path, self._count, self._new, self.rules, self.missing)


def stage(batches: Iterable[pd.DataFrame], path: Path, settings: LinkageSettings,
          key: RunKey, compression: str = "snappy") -> Staged:
    """Stage every batch (see :class:`Stager`)."""
    stager = Stager(path, settings, key, compression)
    for batch in batches:
        stager.add(batch)
    return stager.finish()
