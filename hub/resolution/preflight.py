"""Pre-flight memory check of a full link: refuse a run the machine cannot hold.

A full run holds every mention decrypted, its standardised columns, the candidate pairs
and their comparison levels at once, so its peak memory grows with the mention count. A
run that outgrows the machine is killed by the kernel's OOM killer half-way, with no error
and a graph left between two runs; one refused up front says how much it needs instead.

The estimate is fitted to the peak resident memory that ``bench/bench_link_graph.py``
measures for a full link at graph level: 1.79 GiB for 404,539 mentions (20,000
households) and 4.08 GiB for 1,216,674 (60,000). Since blocking uses equality keys only
(no block grows with the county), a mention brings a bounded number of candidate pairs and
the peak is linear in the mention count: ``bytes = baseline + k·n``, fitted to both
points, with a margin on the per-mention part for the machine's other tenants and for
sizes past the ones measured.
"""

from __future__ import annotations

import psutil

from graph_schema.queries import resolution as q
from hub.errors import LinkMemoryError
from hub.store import Store

BYTES_PER_MENTION = 3_030
"""Peak bytes each mention adds (the slope of the fit)."""
BASELINE_BYTES = 665 * 2**20
"""The process before the mentions: interpreter, libraries, driver, model (the intercept)."""
MARGIN = 1.25


def memory_needed(mentions: int) -> int:
    """Bytes a full link of ``mentions`` mentions is expected to need at its peak.

    Args:
        mentions: Mentions in the graph.

    Returns:
        The estimate, margin included.
    """
    return int(BASELINE_BYTES + MARGIN * BYTES_PER_MENTION * mentions)


def check_memory(store: Store, available: int | None = None) -> int:
    """Refuse a full link the available memory cannot hold.

    Args:
        store: The graph (only its mention count is read).
        available: Available bytes; defaults to ``psutil.virtual_memory().available``
            (memory the kernel can hand out without swapping, page cache included).

    Returns:
        The estimate in bytes, when it fits.

    Raises:
        LinkMemoryError: The estimate exceeds ``available``.
    """
    mentions = int(store.read(q.MENTION_COUNT)[0]["mentions"])
    needed = memory_needed(mentions)
    free = psutil.virtual_memory().available if available is None else available
    if needed > free:
        raise LinkMemoryError(needed, free, mentions)
    return needed
