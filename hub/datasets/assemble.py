"""Turn good records into a file: noise, bad rows, record ids, duplicate lines, encoding."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from hub.datasets.bad_rows import BadRow, damage, plan_bad_rows
from hub.datasets.noise import apply_noise
from hub.datasets.records import FileSpec, Rec


@dataclass(slots=True)
class FileResult:
    """What the truth files need to know about one written export."""

    spec: FileSpec
    data_lines: int = 0
    distinct: int = 0
    person_map: list[tuple[str, str, str]] = field(default_factory=list)  # rid, role, uid
    noise: list[tuple[str, str, str]] = field(default_factory=list)  # rid, column, noise
    bad: list[tuple[int, str, BadRow]] = field(default_factory=list)  # line, rid, bad row
    duplicates: list[tuple[str, list[int]]] = field(default_factory=list)  # rid, line numbers


def record_id(spec: FileSpec, n: int, year: int) -> str:
    """记录编号 of the n-th record of a file."""
    if not spec.prefix:
        return f"{year % 100:02d}{n:0{spec.width - 2}d}"
    return f"{spec.prefix}{n:0{spec.width}d}"


_SPECIAL = re.compile(r'[,"\r\n]')


def _field(value: str, quote_all: bool) -> str:
    if quote_all or _SPECIAL.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _line(values: list[str], spec: FileSpec) -> str:
    """One CSV line (quoted only where needed, or every field for the bank file)."""
    end = "\r\n" if spec.crlf else "\n"
    return ",".join(_field(v, spec.quote_all) for v in values) + end


def assemble(rng: random.Random, spec: FileSpec, recs: list[Rec], out_dir: Path,
             year: int) -> FileResult:
    """Write one export and return its truth bookkeeping."""
    result = FileResult(spec)
    log = apply_noise(rng, spec, recs)
    plan = plan_bad_rows(rng, spec, recs)
    entries: list[Rec | tuple[str, Rec]] = []
    k = 0
    for i, rec in enumerate(recs):
        while k < len(plan) and plan[k][0] == i:
            entries.append(("bad", plan[k][1]))
            k += 1
        entries.append(rec)
    entries.extend(("bad", src) for _, src in plan[k:])
    lines: list[tuple[str, str, object]] = []  # (text, rid, Rec or BadRow)
    for n, entry in enumerate(entries, start=1):
        rid = record_id(spec, n, year)
        if isinstance(entry, Rec):
            entry.values[0] = rid
            lines.append((_line(entry.values, spec), rid, entry))
        else:
            bad = damage(rng, spec, entry[1], rid)
            lines.append((_line(bad.values, spec), bad.values[0], bad))
    dup_rate = spec.noise.get("dup", 0.0)
    after: dict[int, list[int]] = {}
    if dup_rate:
        for i, (_, _, obj) in enumerate(lines):
            if isinstance(obj, Rec) and rng.random() < dup_rate:
                offset = 0 if rng.random() < 0.5 else rng.randint(1, 39)
                after.setdefault(min(i + offset, len(lines) - 1), []).append(i)
    header = _line(list(spec.header), spec)
    parts = [header]
    line_no = 1
    seen: dict[int, list[int]] = {}
    for i, (text, _, _) in enumerate(lines):
        line_no += 1
        parts.append(text)
        seen.setdefault(i, []).append(line_no)
        for j in after.get(i, ()):
            line_no += 1
            parts.append(lines[j][0])
            seen[j].append(line_no)
    for i, (_, rid, obj) in enumerate(lines):
        if isinstance(obj, BadRow):
            result.bad.append((seen[i][0], rid, obj))
        if len(seen[i]) > 1:
            result.duplicates.append((rid, seen[i]))
        source = obj.source if isinstance(obj, BadRow) else obj
        if rid:
            for slot in source.slots:
                result.person_map.append((rid, slot.role, slot.person.uid))
    for rec, column, noise in log:
        result.noise.append((rec.values[0], column, noise))
    result.data_lines = line_no - 1
    result.distinct = len({rid for _, rid, _ in lines})
    text = "".join(parts)
    (out_dir / spec.name).write_bytes(text.encode(spec.encoding))
    return result
