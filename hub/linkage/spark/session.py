"""Start and stop the Spark session a link run uses, with the hub's settings.

The master URL picks where the work runs: ``local[N]`` (one machine, N cores),
``spark://host:port`` (a standalone cluster), ``yarn`` or ``k8s://…``: the same code.
Spark's scratch (``spark.local.dir``: shuffle, spill, cached blocks), the staged input and,
when asked, the event log live under one directory of the hub's (mode 0700), so what a run
leaves behind can be found and checked. Block files are encrypted by Spark
(``spark.io.encryption.enabled``) unless a caller turns it off; what the hub stages is
never plaintext either way (``transit.py``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.watch import ExecutorWatch

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SparkOptions:
    """How to run Spark for one link run.

    Attributes:
        master: Spark master URL (``local[2]``, ``spark://127.0.0.1:7077`` …).
        work_dir: The hub's Spark directory: ``local`` (Spark scratch), ``staging``
            (the staged mentions), ``events`` (event logs).
        memory: Driver and executor memory, in Spark's notation (``2g``).
        partitions: Shuffle partitions (``spark.sql.shuffle.partitions``).
        event_log: Write Spark's event log under ``work_dir/events``.
        compression: Parquet codec of the staged mentions.
        batch: Pairs per batch handed to a Python worker.
        lost_after: Seconds without any executor (after there were some) before a
            cluster run is failed (``watch.py``).
        conf: Further Spark settings, applied last (they win).
        python: Python the executors run (default: this interpreter, which is right
            on one machine and on a cluster whose nodes share the hub's installation).
    """

    master: str = "local[*]"
    work_dir: Path = Path("spark")
    memory: str = "2g"
    partitions: int = 8
    event_log: bool = False
    compression: str = "snappy"
    batch: int = 100_000
    lost_after: float = 60.0
    conf: Mapping[str, str] = field(default_factory=dict)
    python: str = sys.executable

    def spark_conf(self) -> dict[str, str]:
        """The Spark settings this run is started with."""
        conf = {
            "spark.app.name": "hub-link",
            "spark.master": self.master,
            "spark.driver.memory": self.memory,
            "spark.executor.memory": self.memory,
            "spark.local.dir": str(self.work_dir / "local"),
            "spark.sql.shuffle.partitions": str(self.partitions),
            "spark.default.parallelism": str(self.partitions),
            "spark.sql.warehouse.dir": str(self.work_dir / "warehouse"),
            "spark.io.encryption.enabled": "true",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            # fewer, larger pair batches per Python call: the kernels' fixed cost per call
            # (dictionary encoding, rapidfuzz's thread pool) dominated small batches
            "spark.sql.execution.arrow.maxRecordsPerBatch": str(self.batch),
            "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={self.work_dir / 'local'}",
            "spark.executor.extraJavaOptions": f"-Djava.io.tmpdir={self.work_dir / 'local'}",
            "spark.eventLog.enabled": str(self.event_log).lower(),
        }
        if self.event_log:
            conf["spark.eventLog.dir"] = (self.work_dir / "events").as_uri()
        conf.update(self.conf)
        return conf


@contextmanager
def spark_session(options: SparkOptions) -> Iterator[SparkSession]:
    """A Spark session for one run, stopped at the end whatever happens.

    On a cluster, an :class:`ExecutorWatch` fails the run's jobs when every executor is
    gone for ``lost_after`` seconds, and the error says so.

    Raises:
        SparkEngineError: pyspark is not installed, Spark did not start, or (from the
            body) a run failed, named as a lost cluster when the watch saw it go.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkEngineError(
            "the Spark engine needs pyspark and pyarrow: pip install -e '.[spark]'") from exc
    for name in ("local", "staging", "events", "warehouse"):
        (options.work_dir / name).mkdir(parents=True, exist_ok=True, mode=0o700)
    options.work_dir.chmod(0o700)
    builder = SparkSession.builder
    for key, value in options.spark_conf().items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # py4j and the JVM launcher raise several unrelated types
        raise SparkEngineError(
            f"Spark did not start on master {options.master}: {type(exc).__name__}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    # executors start this interpreter (PySpark reads PYSPARK_PYTHON only at start-up)
    spark.sparkContext.pythonExec = options.python
    watch = ExecutorWatch(spark.sparkContext, options.lost_after)
    try:
        if options.master.startswith("local"):
            yield spark
        else:
            with watch:
                yield spark
    except SparkEngineError as exc:
        if watch.lost:
            raise SparkEngineError(
                f"every Spark executor was lost for {options.lost_after:.0f} s (the "
                f"cluster's workers went away) on master {options.master}; nothing was "
                "written to the graph: run again when the cluster is back") from exc
        raise
    finally:
        spark.stop()
