"""Run bulk work with the cycle collector triggered far less often.

Ingest and mention loading allocate millions of short-lived dicts and tuples that
reference counting frees anyway. With CPython's default threshold (700 allocations) the
cycle collector runs so often, over a large live heap, that it took about a third of the
ingest's CPU.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_gc_passes(threshold: int = 50_000) -> Iterator[None]:
    """Raise the young-generation threshold for the block; restore it afterwards.

    Args:
        threshold: allocations between young-generation collections.
    """
    before = gc.get_threshold()
    gc.set_threshold(threshold, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)
