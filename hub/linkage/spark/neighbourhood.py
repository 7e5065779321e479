"""An incremental Spark run's neighbourhood: the few mentions its batch can change, brought
to the driver, and the in-process clustering run on them.

The in-process indexed run (``hub.resolution.neighbourhood``) reads a batch's neighbourhood
from the graph and its blocking-key index. Here the staged Parquet is the index: each hop
is a join of the staged mentions with the few hashed values (or positions, or person ids)
the driver names, and only the rows found come back. The hops are the same: every mention
of the changed people; the people sharing their rows and households; the name-only
subjects in those people's rows; the subjects' relatives; the roster entries equal on a
roster rule's ``match_on``. Mentions are loaded as whole people (by the staged
``person`` column), at the hops where the in-process run loads them: a hop that is only
searched (a row's other mentions, before the subjects among them are picked) brings
nothing over.

``pipeline.resolve`` runs on what is loaded, with Spark's pairs renumbered locally (the
loaded rows keep the key order of the whole set, so every tie breaks as it would there).
When the context the result asks for is already loaded, the result is the one a run over
every mention gives (a test compares them); until then each round only adds mentions.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hub.linkage.pipeline import LinkResult, RunFrame, resolve
from hub.linkage.scoring import Scored
from hub.linkage.settings import LinkageSettings
from hub.linkage.spark.stage import PLAIN_CONTEXT, context_column, context_columns

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

log = logging.getLogger(__name__)

Decided = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
ROW, HOUSEHOLD = context_column("row_key"), context_column("household_key")


def context_frame(rows: pd.DataFrame, settings: LinkageSettings) -> pd.DataFrame:
    """Staged rows as the frame the driver's clustering reads: the hashed context under
    the columns' own names (nullable 64-bit integers), source and role as categories,
    indexed by mention key."""
    out = pd.DataFrame(index=pd.Index(rows["key"].astype(str), name=None))
    for column in PLAIN_CONTEXT:
        out[column] = pd.Categorical(rows[column].to_numpy(dtype=object))
    for column in context_columns(settings):
        out[column] = pd.array(rows[context_column(column)].to_numpy(), dtype="Int64")
    return out


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow rows as pandas, 64-bit integers kept exact (nullable, not floats)."""
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


class StagedNeighbourhood:
    """The staged mentions the driver has loaded so far, whole people at a time."""

    def __init__(self, mentions: DataFrame, settings: LinkageSettings) -> None:
        self.settings = settings
        self.columns = ["pos", "key", "new", "person", *PLAIN_CONTEXT,
                        *(context_column(c) for c in context_columns(settings))]
        self.mentions = mentions.select(*self.columns)
        self.rows = pd.DataFrame(columns=self.columns)
        self.fetches = 0

    def __len__(self) -> int:
        return len(self.rows)

    def _small(self, frame: pd.DataFrame) -> DataFrame:
        """A driver-side frame as a broadcast Spark DataFrame (positions, hashed values)."""
        from pyspark.sql import functions as sf

        return sf.broadcast(self.mentions.sparkSession.createDataFrame(frame))

    def _positions(self, found: list[DataFrame]) -> np.ndarray:
        """The distinct positions the ``pos`` frames in ``found`` name (not loaded)."""
        if not found:
            return np.empty(0, np.int64)
        union = found[0]
        for more in found[1:]:
            union = union.unionByName(more)
        self.fetches += 1
        rows = union.distinct().toArrow()
        return np.sort(rows.column("pos").to_numpy().astype(np.int64))

    def load(self, positions: np.ndarray, *, new: bool = False) -> np.ndarray:
        """Load ``positions`` (and, with ``new``, every new mention) with every mention of
        their people; returns ``positions`` with those people's mentions."""
        from pyspark.sql import functions as sf

        wanted = np.setdiff1d(np.asarray(positions, np.int64),
                              self.rows["pos"].to_numpy(np.int64))
        parts: list[DataFrame] = []
        if len(wanted):
            parts.append(self._small(pd.DataFrame({"pos": wanted})))
        if new:
            parts.append(self.mentions.where(sf.col("new")).select("pos"))
        if parts:
            found = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
            picked = self.mentions.join(found.distinct(), "pos")
            people = picked.where(sf.col("person").isNotNull()).select("person").distinct()
            whole = self.mentions.join(sf.broadcast(people), "person").select(*self.columns)
            self.fetches += 1
            self._keep(_to_pandas(picked.select(*self.columns).unionByName(whole).toArrow()))
        return self.whole(np.asarray(positions, np.int64))

    def _keep(self, rows: pd.DataFrame) -> None:
        """Add the rows not loaded yet, keeping position (key) order."""
        fresh = rows.drop_duplicates("pos")
        fresh = fresh[~fresh["pos"].isin(self.rows["pos"])]
        if len(fresh):
            both = [self.rows, fresh] if len(self.rows) else [fresh]
            self.rows = pd.concat(both, ignore_index=True).sort_values("pos", ignore_index=True)

    def _loaded(self, positions: np.ndarray) -> pd.DataFrame:
        return self.rows[self.rows["pos"].isin(positions)]

    def whole(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` (loaded) and every mention of their people."""
        person = self._loaded(positions)["person"].dropna().unique()
        others = self.rows.loc[self.rows["person"].isin(person), "pos"].to_numpy(np.int64)
        return np.union1d(positions, others)

    def members(self, positions: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
        """Every mention sharing a value of ``columns`` (hashed row or household key) with
        one of ``positions`` (loaded), those included; found, not loaded."""
        chosen = self._loaded(positions)
        found: list[DataFrame] = []
        for column in columns:
            values = chosen[column].dropna().unique()
            if len(values):
                small = self._small(pd.DataFrame({column: np.asarray(values, np.int64)}))
                found.append(self.mentions.join(small, column).select("pos"))
        return np.union1d(positions, self._positions(found))

    def subjects(self, positions: np.ndarray) -> np.ndarray:
        """Of ``positions``, the mentions that may be unresolved name-only ones: a name, no
        ID number, and no person or one of their own (``context.name_only_subjects``)."""
        from pyspark.sql import functions as sf

        if len(positions) == 0:
            return np.empty(0, np.int64)
        named = self.mentions.join(self._small(pd.DataFrame({"pos": positions})), "pos").where(
            sf.col(context_column("name_key")).isNotNull()
            & sf.col(context_column("id_key")).isNull()).select("pos", "person")
        people = named.where(sf.col("person").isNotNull()).select("person").distinct()
        sizes = self.mentions.join(sf.broadcast(people), "person").groupBy("person").count()
        lonely = named.join(sizes, "person", "left").where(
            sf.col("person").isNull() | (sf.col("count") == 1)).select("pos")
        return self._positions([lonely])

    def roster_entries(self, positions: np.ndarray) -> np.ndarray:
        """Mentions equal on a roster rule's ``match_on`` to one of ``positions`` (loaded),
        both sides being mentions the rule may use (targets and role holders); found, not
        loaded."""
        from pyspark.sql import functions as sf

        chosen = self._loaded(positions)
        found: list[DataFrame] = []
        for rule in self.settings.name_only_rules:
            if not rule.target_sources:
                continue
            on = [context_column(c) for c in rule.match_on]
            uses = chosen["source"].isin(rule.target_sources) | chosen["role"].isin(rule.roles)
            values = chosen.loc[uses.to_numpy(bool), on].dropna().drop_duplicates()
            if values.empty:
                continue
            small = self._small(values.astype(np.int64))
            usable = self.mentions.where(sf.col("source").isin(list(rule.target_sources))
                                         | sf.col("role").isin(list(rule.roles)))
            found.append(usable.join(small, on).select("pos"))
        return self._positions(found)

    def context(self, changed: np.ndarray) -> None:
        """Load what a run that changes ``changed`` reads: ``hub.resolution.neighbourhood``'s
        hops on the staged mentions, loading what that loads."""
        both = (ROW, HOUSEHOLD)
        scope = self.whole(changed)
        near = self.load(self.members(scope, both))
        subjects = self.load(self.subjects(self.members(near, (ROW,))))
        anchors = self.load(self.members(subjects, (ROW,)))
        self.load(self.members(anchors, both))
        self.load(self.roster_entries(np.union1d(scope, subjects)))

    def run_frame(self) -> RunFrame:
        """The loaded mentions as the in-process engine's incremental frame."""
        rows = self.rows
        codes, ids = pd.factorize(pd.Series(rows["person"].to_numpy(dtype=object)))
        return RunFrame(context_frame(rows, self.settings),
                        new=rows["new"].to_numpy(bool), old=codes.astype(np.int64),
                        old_ids=np.asarray(ids, dtype=object))


def _localised(positions: np.ndarray, pairs: Scored, decided: Decided) -> tuple[Scored, Decided]:
    """Pairs and decisions renumbered into the loaded rows (``positions``, sorted)."""
    def local(values: np.ndarray) -> np.ndarray:
        return np.searchsorted(positions, np.asarray(values, np.int64))

    scored = Scored(local(pairs.pos_a), local(pairs.pos_b), pairs.levels, pairs.weight,
                    pairs.band, pairs.counts)
    (aa, ab), (ra, rb) = decided
    return scored, ((local(aa), local(ab)), (local(ra), local(rb)))


def resolve_neighbourhood(mentions: DataFrame, settings: LinkageSettings, pairs: Scored,
                          decided: Decided) -> tuple[LinkResult, pd.Series, int]:
    """Cluster an incremental batch against the people it can change, on the driver.

    Args:
        mentions: The staged mentions (with ``person``: the earlier run's id, or null).
        settings: The trained settings.
        pairs: Every link- and review-band pair with a new mention, global positions.
        decided: Accepted and rejected pairs, global positions.

    Returns:
        The in-process result over the loaded mentions, their earlier person ids (by
        key), and the number of rounds it took.
    """
    hood = StagedNeighbourhood(mentions, settings)
    hood.load(np.concatenate([pairs.pos_a, pairs.pos_b, *decided[0], *decided[1]]), new=True)
    rounds = 0
    while True:
        rounds += 1
        before = len(hood)
        positions = hood.rows["pos"].to_numpy(np.int64)
        local_pairs, local_decided = _localised(positions, pairs, decided)
        frame = hood.run_frame()
        result = resolve(frame, settings, local_pairs, local_decided)
        changed = (np.ones(len(positions), bool) if result.changed is None
                   else frame.df.index.isin(result.changed))
        hood.context(positions[changed])
        log.debug("round %d: resolved %d mentions, %d changed, context now %d (%d fetches)",
                  rounds, before, int(changed.sum()), len(hood), hood.fetches)
        if len(hood) == before:
            previous = pd.Series(hood.rows["person"].to_numpy(dtype=object),
                                 index=pd.Index(hood.rows["key"].astype(str)), dtype=object)
            return result, previous, rounds
