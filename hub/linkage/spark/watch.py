"""Notice a cluster that lost every executor, and fail the run instead of waiting forever.

When a standalone worker (or a YARN node) dies, Spark re-runs the lost tasks on the
executors left; with none left it waits for new ones, without end. A link run would then
hang with the graph untouched. This watch polls the executors the driver knows every
second; once there were some and there have been none for ``lost_after`` seconds it
cancels every Spark job (and keeps cancelling those submitted after), so the run stops
with an error that says why. Local mode runs its tasks in the driver and is not watched.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark import SparkContext


class ExecutorWatch:
    """A daemon thread watching one SparkContext's executors (see module docstring)."""

    def __init__(self, context: SparkContext, lost_after: float, every: float = 1.0) -> None:
        self.context = context
        self.lost_after = lost_after
        self.every = every
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spark-executor-watch",
                                        daemon=True)

    def __enter__(self) -> ExecutorWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _executors(self) -> int:
        """Executors registered with the driver (the driver itself not counted)."""
        return int(self.context._jsc.sc().getExecutorIds().size())

    def _run(self) -> None:
        from py4j.protocol import Py4JError

        seen, gone_since = False, None
        while not self._stop.wait(self.every):
            try:
                count = self._executors()
            except Py4JError:  # the context is stopping: nothing left to watch
                return
            if count:
                seen, gone_since = True, None
                continue
            if not seen:
                continue
            gone_since = gone_since or time.monotonic()
            if time.monotonic() - gone_since >= self.lost_after:
                self.lost = True
                try:
                    self.context.cancelAllJobs()
                except Py4JError:
                    return
