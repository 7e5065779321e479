"""Bad rows (FORMATS.md section 5): damaged extra copies with exactly one defect."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hub.datasets.records import DASH_YM, FileSpec, Rec

BAD_DATES = ("2021-02-30", "2023-13-07", "20191305", "2020年2月31日", "2018/0/12", "0000-00-00",
             "2022-11-31")
BAD_YM = ("202113", "202100", "2021-1", "20210")
BAD_YM_DASH = ("2021-13", "2021-00", "2021-1")


@dataclass(eq=False, slots=True)
class BadRow:
    """A bad row: the (noised) source record, the damaged values and its truth entry."""

    source: Rec
    values: list[str]
    reason: str
    column: str
    detail: str
    truncated: bool = False


def _choices(spec: FileSpec, rec: Rec) -> list[tuple[str, str]]:
    idx = {c: i for i, c in enumerate(spec.header)}
    options: list[tuple[str, str]] = []
    for c in spec.dates + spec.yms:
        options.append(("unparseable_date", c))
    for c in spec.numeric:
        value = rec.values[idx[c]]
        if value and float(value) > 0:
            options.append(("negative_amount", c))
    for c in spec.mandatory:
        if rec.values[idx[c]]:
            options.append(("empty_mandatory_field", c))
    for i in range(1, len(spec.header) - 1):
        if len(rec.values[i]) >= 2:
            options.append(("truncated_line", spec.header[i]))
    return options


def plan_bad_rows(rng: random.Random, spec: FileSpec, recs: list[Rec]) -> list[tuple[int, Rec]]:
    """Choose sources and insertion positions (index into the good list) of the bad rows."""
    if not recs:
        return []
    count = rng.randint(*spec.bad)
    picks = []
    for _ in range(count):
        src = rng.randrange(len(recs))
        pos = max(0, min(len(recs), src + rng.randint(-20, 20)))
        picks.append((pos, recs[src]))
    return sorted(picks, key=lambda x: x[0])


def damage(rng: random.Random, spec: FileSpec, rec: Rec, record_id: str) -> BadRow:
    """Copy ``rec`` under a new 记录编号 and give the copy one defect."""
    values = list(rec.values)
    values[0] = record_id
    reason, column = rng.choice(_choices(spec, rec))
    i = spec.header.index(column)
    if reason == "unparseable_date":
        if column in spec.yms:
            values[i] = rng.choice(BAD_YM_DASH if column in DASH_YM else BAD_YM)
        else:
            values[i] = rng.choice(BAD_DATES)
        return BadRow(rec, values, reason, column, f"{column}={values[i]}")
    if reason == "negative_amount":
        values[i] = "-" + values[i]
        return BadRow(rec, values, reason, column, f"{column}={values[i]}")
    if reason == "empty_mandatory_field":
        values[i] = ""
        return BadRow(rec, values, reason, column, f"mandatory column {column} is empty")
    cut = rng.randint(1, len(values[i]) - 1)
    values = [*values[:i], values[i][:cut]]
    detail = (f"line ends inside column {i + 1} ({column}); {i + 1} of {len(spec.header)} "
              "fields")
    return BadRow(rec, values, reason, column, detail, truncated=True)
