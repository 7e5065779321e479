"""Helpers for linkage tests: valid ID numbers and small hand-made mention frames."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from hub.ingest.model import Mention
from hub.linkage.frame import mentions_frame

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(first17: str) -> str:
    """A checksum-valid 18-character ID from its first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17[:17], _W, strict=True))
    return first17 + "10X98765432"[total % 11]


def mention(
    source: str,
    record_id: str,
    name: str | None,
    id_number: str | None,
    *,
    role: str = "本人",
    kind: str | None = None,
    region: str | None = "360222",
    birth: date | None = None,
) -> Mention:
    """A mention with sensible defaults; ``kind`` is inferred from the ID when omitted."""
    if kind is None:
        if id_number is None:
            kind = "missing"
        else:
            kind = "id18" if make_id(id_number[:17]) == id_number else "invalid"
    valid = kind in ("id18", "id15") and id_number is not None \
        and make_id(id_number[:17]) == id_number
    return Mention(source, record_id, role, name, name, id_number, id_number, kind, valid,
                   birth, None, region)


def frame(*mentions: Mention, households: dict[str, str] | None = None) -> pd.DataFrame:
    """The mention DataFrame of the given mentions."""
    return mentions_frame(mentions, households)
