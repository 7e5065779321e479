"""Entity resolution on Apache Spark: the in-process engine's model, kernels and outputs,
with the pair work spread over a Spark cluster (``local[N]`` or a real one).

Modules, in run order: ``session`` (start Spark with the hub's settings), ``transit``
(keyed hashes and sealed rows: what Spark sees instead of plaintext), ``stage`` (mentions
into Parquet, batch by batch), ``blocking`` (equi-joins), ``scores`` (comparison, training
and scoring in ``mapInPandas``), ``components`` (connected components and the constrained
clustering per bucket of components), ``engine`` (the run, and the driver's share).
``watch`` fails a cluster run whose executors are all lost. ``pyspark`` is imported only
when a session starts, so the hub runs without it.
"""

from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.session import SparkOptions

__all__ = ["SparkEngineError", "SparkOptions"]
