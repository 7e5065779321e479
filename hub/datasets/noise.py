"""Name and ID noise of good rows (FORMATS.md section 6), logged per record."""

from __future__ import annotations

import random

from hub.datasets import ids
from hub.datasets import names as nm
from hub.datasets.records import FileSpec, Rec, Slot

Log = list[tuple[Rec, str, str]]  # (record, column, noise)


def _name_noise(rng: random.Random, spec: FileSpec, rec: Rec, slot: Slot, log: Log) -> None:
    rates = spec.noise
    col = spec.header[slot.name_col]
    name = rec.values[slot.name_col]
    kind = slot.person.kind
    steps = (
        ("translit", "transliteration", lambda v: nm.transliteration(rng, v, kind)),
        ("trad", "traditional_surname", lambda v: nm.traditional(v, kind)),
        ("homo", "homophone", lambda v: nm.homophone(rng, v, kind)),
        ("dot", "dot_variant", lambda v: nm.dot_variant(rng, v, spec.encoding == "gbk")),
        ("space", "space_in_name", lambda v: nm.space_in_name(rng, v, kind)),
    )
    for key, label, fn in steps:
        rate = rates.get(key, 0.0)
        if rate and rng.random() < rate:
            new = fn(name)
            if new is not None and new != name:
                name = new
                log.append((rec, col, label))
    rec.values[slot.name_col] = name


def _id_noise(rng: random.Random, spec: FileSpec, rec: Rec, slot: Slot, log: Log) -> None:
    rates = spec.noise
    col = spec.header[slot.id_col]
    raw = rec.values[slot.id_col]
    if not raw:
        return
    suffix = ""
    value = raw
    if slot.kind == "cert":
        value, suffix = raw[:18], raw[18:]

    def hit(key: str) -> bool:
        rate = rates.get(key, 0.0)
        return bool(rate) and rng.random() < rate

    if not rec.protected and slot.kind != "cert":
        if slot.kind in ("guardian", "co") and hit("g_missing"):
            rec.values[slot.id_col] = ""
            log.append((rec, col, "missing_id"))
            return
        if slot.kind == "main" and hit("phone"):
            rec.values[slot.id_col] = ids.mobile(rng)
            log.append((rec, col, "phone_in_id"))
            return
    if not rec.protected:
        if hit("typo"):
            rec.values[slot.id_col] = ids.id_typo(rng, value) + suffix
            log.append((rec, col, "id_typo"))
            return
        if hit("transpose"):
            rec.values[slot.id_col] = ids.id_transposition(rng, value) + suffix
            log.append((rec, col, "id_transposition"))
            return
    if slot.person.birth.year < 1980 and hit("id15"):
        value = ids.to_id15(value)
        log.append((rec, col, "id15"))
    if value.endswith("X") and hit("lower_x"):
        value = value[:-1] + "x"
        log.append((rec, col, "lowercase_x"))
    if hit("fullwidth"):
        value = ids.fullwidth(value)
        log.append((rec, col, "fullwidth_digits"))
    if hit("spaces"):
        value = ids.spaces_in_id(rng, value)
        log.append((rec, col, "spaces_in_id"))
    rec.values[slot.id_col] = value + suffix


def apply_noise(rng: random.Random, spec: FileSpec, recs: list[Rec]) -> Log:
    """Apply the file's noise to every good record; return the log (plus builder logs)."""
    log: Log = []
    for rec in recs:
        for column, noise in rec.logs:
            log.append((rec, column, noise))
        if not spec.noise:
            continue
        for slot in rec.slots:
            if slot.kind == "fixed":
                continue
            _name_noise(rng, spec, rec, slot, log)
            if slot.id_col >= 0 and slot.kind != "student_noid":
                _id_noise(rng, spec, rec, slot, log)
    return log
