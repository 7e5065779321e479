"""Pre-flight memory check of a full link: refuse a run the machine cannot hold.

A full run holds every mention decrypted, its standardised columns, the candidate pairs
and their comparison levels at once, so its peak memory grows with the mention count. A
run that outgrows the machine is killed by the kernel's OOM killer half-way, with no error
and a graph left between two runs; one refused up front says how much it needs instead.

The estimate is fitted to the peak resident memory that ``bench/bench_link_graph.py``
measures for a full link at graph level: 1.74 GB for 404,539 mentions (20,000 households)
and 6.50 GB for 1,216,674 (60,000). Per mention it grows with the graph, because the big
blocks (pinyin initials + birth year, names without an ID) give each mention more
candidate pairs as a county grows: so ``bytes = baseline + k·n·(1 + n / scale)``, fitted
to both points, times a margin for the machine's other tenants and for sizes past the
ones measured.
"""

from __future__ import annotations

import psutil

from graph_schema.queries import resolution as q
from hub.errors import LinkMemoryError
from hub.store import Store

BYTES_PER_MENTION = 2_650
"""Peak bytes per mention of a small graph (the linear term of the fit)."""
GROWTH_MENTIONS = 1_180_000
"""Mentions at which the per-mention peak has doubled (the quadratic term of the fit)."""
BASELINE_BYTES = 400 * 2**20
"""The process before the run: interpreter, libraries, driver."""
MARGIN = 1.25


def memory_needed(mentions: int) -> int:
    """Bytes a full link of ``mentions`` mentions is expected to need at its peak.

    Args:
        mentions: Mentions in the graph.

    Returns:
        The estimate, margin included.
    """
    per_mention = BYTES_PER_MENTION * (1 + mentions / GROWTH_MENTIONS)
    return int(BASELINE_BYTES + MARGIN * per_mention * mentions)


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
