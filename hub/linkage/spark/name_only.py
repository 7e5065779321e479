"""The name-only rules of ``hub.linkage.context`` as Spark joins.

The same rules, in the same order, with the same answers as ``attach_name_only`` on the
whole frame (the Spark engine's tests compare the two engines' links). They run on Spark
because what they read (every mention's row, household, name and cluster) grows with the
mentions and must not gather on the driver.

The context columns are the staged keyed hashes (``stage.context_column``): equal hashes
are equal values, as the in-process integer codes are, and a missing value is null where
the in-process code is ``-1``. The one place the in-process code joins on a ``-1`` (a
subject's row key, matched against every mention's) is a null-safe join here.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING

from hub.linkage.settings import NameOnlyRule
from hub.linkage.spark.stage import PLAIN_CONTEXT, context_column

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

_GROUP_COLUMNS = ("row_key", "household_key")


def _context(mentions: DataFrame, rules: list[NameOnlyRule]) -> DataFrame:
    """Positions with source, role and the hashed context the rules read, by name."""
    from pyspark.sql import functions as sf

    wanted = ["id_key", "name_key", *_GROUP_COLUMNS]
    for rule in rules:
        wanted.extend(c for c in rule.match_on if c not in wanted)
    present = [c for c in wanted if context_column(c) in mentions.columns]
    return mentions.select("pos", *PLAIN_CONTEXT,
                           *[sf.col(context_column(c)).alias(c) for c in present])


def _column(ctx: DataFrame, name: str) -> Column:
    """``ctx[name]``, or a null when the column was not staged (no mention had it)."""
    from pyspark.sql import functions as sf

    return sf.col(name) if name in ctx.columns else sf.lit(None).cast("long")


def _subjects(ctx: DataFrame, current: DataFrame) -> DataFrame:
    """``pos`` of the unresolved mentions (alone in their cluster) with a name and no ID
    number (``context.name_only_subjects``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as sf

    size = sf.count(sf.lit(1)).over(Window.partitionBy("label"))
    lonely = current.withColumn("size", size).where(sf.col("size") == 1).select("pos")
    named = ctx.where(_column(ctx, "id_key").isNull() & _column(ctx, "name_key").isNotNull())
    return named.select("pos").join(lonely, "pos")


def _unique_hits(found: DataFrame) -> DataFrame:
    """Subjects ``s`` with exactly one distinct candidate person ``p``."""
    from pyspark.sql import functions as sf

    found = found.select("s", "p").distinct()
    single = found.groupBy("s").count().where(sf.col("count") == 1).select("s")
    return found.join(single, "s")


def _roster(ctx: DataFrame, current: DataFrame, rule: NameOnlyRule,
            todo: DataFrame) -> DataFrame:
    """People of the target sources equal on every ``match_on`` column."""
    from pyspark.sql import functions as sf

    on = list(rule.match_on)
    present = (reduce(lambda x, y: x & y, [_column(ctx, c).isNotNull() for c in on])
               if on else sf.lit(True))
    keyed = ctx.where(present).select("pos", "source", "role",
                                      *[_column(ctx, c).alias(c) for c in on])
    subjects = (todo.join(keyed.where(sf.col("role").isin(list(rule.roles))), "pos")
                .select(sf.col("pos").alias("s"), *on))
    targets = (keyed.where(sf.col("source").isin(list(rule.target_sources)))
               .join(current, "pos").select(*on, sf.col("label").alias("p")))
    return _unique_hits(subjects.join(targets, on))


def _memberships(labelled: DataFrame) -> DataFrame:
    """Distinct ``(kind, g, p)``: the people of each row and of each household."""
    from pyspark.sql import functions as sf

    parts = [labelled.where(sf.col(column).isNotNull()).select(
                 sf.lit(kind).alias("kind"), sf.col(column).alias("g"), sf.col("label").alias("p"))
             for kind, column in enumerate(_GROUP_COLUMNS) if column in labelled.columns]
    return reduce(lambda x, y: x.unionByName(y), parts).distinct()


def _household(ctx: DataFrame, current: DataFrame, rule: NameOnlyRule,
               todo: DataFrame) -> DataFrame:
    """Relatives of the row's other people (sharing a row or a household with them) with
    the same ``match_on`` values, among people with an ID number."""
    from pyspark.sql import functions as sf

    # every mention with its person, joined once and read by each step below
    labelled = ctx.join(current, "pos").localCheckpoint()
    subjects = todo.join(labelled, "pos")
    if rule.roles:
        subjects = subjects.where(sf.col("role").isin(list(rule.roles)))
    subjects = subjects.select(sf.col("pos").alias("s"), sf.col("label").alias("mine"),
                               _column(labelled, "row_key").alias("row"))
    companions = labelled.select(_column(labelled, "row_key").alias("c_row"),
                                 sf.col("label").alias("a")).distinct()
    anchors = (subjects.join(companions, subjects["row"].eqNullSafe(companions["c_row"]))
               .where(sf.col("a") != sf.col("mine")).select("s", "mine", "a").distinct())
    member = _memberships(labelled)
    groups = (anchors.join(member.withColumnRenamed("p", "a"), "a")
              .select("s", "mine", "kind", "g").distinct())
    pool = (groups.join(member, ["kind", "g"]).where(sf.col("p") != sf.col("mine"))
            .select("s", "p").distinct())
    anchored = labelled.where(_column(labelled, "id_key").isNotNull()).select(
        sf.col("label").alias("p")).distinct()
    pool = pool.join(anchored, "p")
    for column in rule.match_on:
        values = labelled.select("pos", "label", _column(labelled, column).alias("v")).where(
            sf.col("v").isNotNull())
        known = values.select(sf.col("label").alias("p"), "v").distinct()
        wanted = values.select(sf.col("pos").alias("s"), "v")
        pool = pool.join(wanted, "s").join(known, ["p", "v"]).select("s", "p")
    return _unique_hits(pool)


def attach_name_only(mentions: DataFrame, label: DataFrame,
                     rules: list[NameOnlyRule]) -> DataFrame:
    """``(pos, target, rule)``: the mentions a rule attached, the cluster label they take
    and the index of the rule, as ``context.attach_name_only`` finds them.

    Args:
        mentions: The staged mentions.
        label: ``(pos, label)`` of every mention after clustering.
        rules: The settings' name-only rules; the first rule that finds a unique person
            wins, and later rules see its attachments.
    """
    from pyspark.sql import functions as sf

    ctx = _context(mentions, rules).localCheckpoint()
    current = label
    found: list[DataFrame] = []
    for index, rule in enumerate(rules):
        todo = _subjects(ctx, current)
        finder = _roster if rule.target_sources else _household
        hits = (finder(ctx, current, rule, todo)
                .select(sf.col("s").alias("pos"), sf.col("p").alias("target"),
                        sf.lit(index).alias("rule"))
                .localCheckpoint())
        found.append(hits)
        current = (current.join(hits.select("pos", "target"), "pos", "left")
                   .select("pos", sf.coalesce("target", "label").alias("label"))
                   .localCheckpoint())
    empty = mentions.sparkSession.createDataFrame([], "pos long, target long, rule int")
    return reduce(lambda x, y: x.unionByName(y), found, empty)
