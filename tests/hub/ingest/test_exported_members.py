"""The public surface of hub.ingest is curated: ``__all__`` and the exports agree."""

from __future__ import annotations

import hub.ingest
import hub.ingest.normalise


def test_all_is_sorted_and_complete() -> None:
    for module in (hub.ingest, hub.ingest.normalise):
        assert module.__all__ == sorted(module.__all__)
        assert all(hasattr(module, name) for name in module.__all__)
