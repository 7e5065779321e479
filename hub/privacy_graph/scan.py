"""``hub privacy scan``: prove that nothing personal sits in the graph in plaintext.

Schema-driven (``graph_schema.properties``): every property of every label is declared
sealed, blind index or plain (with why). Neo4j does the filtering — one query per label
combination and per relationship type (:mod:`graph_schema.queries.privacy_scan`), run in
parallel — and returns only candidates, aggregated by distinct value; Python then looks at
those few closely. Findings:

- ``undeclared_label`` / ``undeclared_type`` / ``undeclared_property``: the graph holds
  something the schema does not declare (its string values are still checked as plain);
- ``not_sealed`` / ``not_blind_index``: a sealed property whose value does not start as a
  ciphertext token does, or a blind-index property not of the configured length and form;
- ``resident_id`` / ``mobile`` / ``bank_card``: ``privacy.find_identifiers`` in a plain
  value (digit runs inside floats and hex digests never match);
- ``person_name``: a resident's name in a plain value. The names are the mentions' sealed
  names, decrypted in memory while Neo4j scans, and found with ``privacy.scan.NameFinder``;
  ``unopened_name`` counts sealed names the keys could not open (no name check for them).

A finding carries a masked value only, and counts the nodes or relationships holding it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, LiteralString

from graph_schema import labels as declared
from graph_schema.properties import RELATIONSHIP_PROPERTIES, Props, Storage, declared_for
from graph_schema.queries import privacy_scan as q
from hub.store import Store
from privacy.ciphertext import CIPHERTEXT_PREFIX
from privacy.errors import DecryptionError
from privacy.fields import FieldEncryptor
from privacy.scan import (
    LONG_DIGIT_RUN,
    NUMBER_CANDIDATE,
    SEGMENT_SEPARATORS,
    TEXT_CANDIDATE,
    Finding,
    NameFinder,
    find_identifiers,
    mask_identifier,
)

_STORAGE = {Storage.PLAIN: "plain", Storage.SEALED: "sealed", Storage.BLIND_INDEX: "blind"}

Progress = Callable[[str, int], None]
"""Called with (label combination or relationship type, its count) after each part."""


@dataclass(frozen=True)
class ScanFinding:
    """One suspected leak, or one undeclared part of the graph (masked values only).

    ``count`` is how many nodes or relationships hold it; ``element_id`` is one of them.
    """

    element_id: str
    label: str
    property: str
    kind: str
    masked: str
    count: int = 1


@dataclass
class ScanReport:
    """What the scan looked at and what it found.

    ``properties`` counts every property of every node and relationship scanned;
    ``names`` the distinct residents' names (and dot spellings) searched for.
    """

    nodes: int = 0
    relationships: int = 0
    properties: int = 0
    names: int = 0
    findings: list[ScanFinding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing personal and nothing undeclared was found."""
        return not self.findings


@dataclass(frozen=True)
class _Part:
    """One query of the scan: the nodes of one label combination, or one relationship type."""

    title: str
    query: LiteralString
    declared: Props
    size: int
    is_node: bool
    label_count: int = 0
    undeclared: bool = False
    tails: list[str] | None = None
    not_tails: list[str] = field(default_factory=list)


def scan_graph(store: Store, *, blind_index_bits: int = 64,
               encryptor: FieldEncryptor | None = None, workers: int = 2,
               part_size: int = 250_000, on_progress: Progress | None = None) -> ScanReport:
    """Scan every node and relationship of the graph.

    Args:
        store: The graph.
        blind_index_bits: Length of the hub's blind indexes (``HUB_BLIND_INDEX_BITS``).
        encryptor: Opens the mentions' sealed names so plain text can be searched for
            them (in memory only); without it, no name is searched.
        workers: Queries in flight at once (Neo4j runs each on one core); the biggest
            parts go first.
        part_size: Nodes of one label combination per query, about (the biggest
            combinations are cut in pieces so the workers share them).
        on_progress: Called after each part.

    Returns:
        The report; findings sorted by label, property, kind and masked value.
    """
    parts = sorted(_parts(store, part_size), key=lambda p: -p.size)
    params = query_parameters(blind_index_bits)
    results: list[tuple[_Part, list[dict[str, Any]]]] = []
    with ThreadPoolExecutor(max_workers=1) as side, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        names: Future[tuple[NameFinder, int]] | None = None
        if encryptor is not None:  # decrypting in Python while Neo4j scans
            names = side.submit(load_resident_names, store, encryptor)
        futures = {pool.submit(_run_part, store, part, params): part for part in parts}
        for done in as_completed(futures):
            part = futures[done]
            results.append((part, done.result()))
            if on_progress is not None:
                on_progress(part.title, part.size)
        finder, unopened = names.result() if names is not None else (None, 0)
    report = ScanReport(names=len(finder) if finder is not None else 0)
    found = _Findings()
    if unopened:
        found.add("", declared.SOURCE_RECORD, "enc_name", "unopened_name", "", unopened)
    for part, rows in results:
        _judge(part, rows, finder, report, found)
    report.findings = found.sorted()
    return report


def query_parameters(blind_index_bits: int) -> dict[str, Any]:
    """The shapes and prefilters every part's query takes."""
    return {"token_prefix": CIPHERTEXT_PREFIX + ".",
            "blind_shape": f"[0-9a-f]{{{blind_index_bits // 4}}}",
            "long_digit_run": LONG_DIGIT_RUN, "number_candidate": NUMBER_CANDIDATE,
            "text_candidate": TEXT_CANDIDATE, "separators": list(SEGMENT_SEPARATORS)}


def load_resident_names(store: Store, encryptor: FieldEncryptor,
                        bucket_size: int = 250_000) -> tuple[NameFinder, int]:
    """Decrypt every mention's name, in memory, into a :class:`NameFinder`.

    Why mentions: they hold every spelling each department used (a leaked employer name is
    written as in its export), and they exist right after ingest, before any link run.

    Returns:
        The finder, and how many sealed names did not open (wrong keys, damaged tokens):
        the scan reports those, as a name check that could not be done is no pass.
    """
    mentions = int(store.read(q.MENTION_COUNT)[0]["n"])
    buckets = _tails(min(10, -(-mentions // bucket_size)))
    everything_else = [t for bucket in buckets[:-1] for t in bucket]
    failed = 0

    def names() -> Iterator[str]:
        nonlocal failed
        for number, tails in enumerate(buckets):
            last = number == len(buckets) - 1
            rows = store.read(q.SEALED_MENTION_NAMES, token_prefix=CIPHERTEXT_PREFIX + ".",
                              tails=None if last else tails,
                              not_tails=everything_else if last else [])[0]["rows"]
            items = [(token, declared.SOURCE_RECORD, key, "name") for key, token in rows]
            try:
                yield from encryptor.decrypt_many(items)
            except DecryptionError:
                for token, label, key, field_name in items:
                    try:
                        yield encryptor.decrypt(token, label=label, record_key=key,
                                                field=field_name)
                    except DecryptionError:
                        failed += 1

    finder = NameFinder(names())
    return finder, failed


def total_items(store: Store) -> int:
    """Nodes plus relationships (from Neo4j's count store), for a progress bar."""
    return int(store.read(q.NODE_COUNT)[0]["n"]) + int(store.read(q.RELATIONSHIP_COUNT)[0]["n"])


def _parts(store: Store, part_size: int) -> list[_Part]:
    """One part per label combination in use (big ones cut in pieces of about
    ``part_size`` nodes, so that the workers share them) and per relationship type."""
    parts: list[_Part] = []
    for row in store.read(q.LABEL_COMBINATIONS):
        combo = tuple(sorted(row["labels"]))
        known = bool(combo) and all(label in declared.NODE_LABELS for label in combo)
        size = int(row["n"])
        pieces = _tails(min(10, -(-size // part_size)))
        everything_else = [t for other in pieces[:-1] for t in other]
        for number, tails in enumerate(pieces):
            last = number == len(pieces) - 1
            parts.append(_Part(
                ":".join(combo) or "(no label)", q.node_scan(combo), declared_for(combo),
                size // len(pieces) + (size % len(pieces) if last else 0), True, len(combo),
                not known,
                tails=None if last else tails, not_tails=everything_else if last else []))
    for row in store.read(q.RELATIONSHIP_TYPES):
        rel_type = row["type"]
        scan, count = q.relationship_scan(rel_type)
        size = int(store.read(count)[0]["n"])
        if size:
            parts.append(_Part(rel_type, scan, dict(RELATIONSHIP_PROPERTIES.get(rel_type, {})),
                               size, False, 0, rel_type not in declared.RELATIONSHIP_TYPES))
    return parts


def _tails(count: int) -> list[list[str]]:
    """``count`` groups of last characters of element ids (the last group: all others)."""
    count = max(1, count)
    return [[str(d) for d in range(10) if d % count == i] for i in range(count)]


def _run_part(store: Store, part: _Part, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one part's query (auto-commit: a county's biggest label outlasts the per-query
    timeout of ordinary reads; a failed scan is simply run again)."""
    return list(store.stream(
        part.query, label_count=part.label_count, tails=part.tails, not_tails=part.not_tails,
        **params,
        storage={k: _STORAGE[p.storage] for k, p in part.declared.items()},
        shapes={k: p.shape for k, p in part.declared.items() if p.shape}))


class _Findings:
    """Findings merged across the pieces of a label combination (counts added up)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str, str], list[Any]] = {}

    def add(self, element_id: str, label: str, prop: str, kind: str, masked: str,
            count: int) -> None:
        entry = self._seen.setdefault((label, prop, kind, masked), [element_id, 0])
        entry[0] = min(entry[0], element_id) if entry[0] and element_id else (
            entry[0] or element_id)
        entry[1] += count

    def sorted(self) -> list[ScanFinding]:
        return [ScanFinding(element_id, *key, count=count)
                for key, (element_id, count) in sorted(self._seen.items())]


def _judge(part: _Part, rows: list[dict[str, Any]], finder: NameFinder | None,
           report: ScanReport, found: _Findings) -> None:
    """Count one part's items and turn its candidate rows into findings."""
    items = 0
    for row in rows:
        check, prop, value = row["check"], row["property"], row["value"]
        count, example = int(row["count"]), str(row["example"] or "")
        if check == "":
            items += count
            report.properties += count * int(value)
        elif check == "undeclared":
            found.add(example, part.title, prop, "undeclared_property", "", count)
        else:
            text = value if isinstance(value, str) else ""
            hits: list[Finding] = [] if check == "text" else find_identifiers(text)
            if check != "number" and finder is not None:
                hits += finder.find(text)
            if check in ("not_sealed", "not_blind_index"):
                found.add(example, part.title, prop, check, _mask_any(text, hits), count)
            for hit in hits:
                found.add(example, part.title, prop, hit.kind, hit.masked, count)
    if part.undeclared:
        kind = "undeclared_label" if part.is_node else "undeclared_type"
        found.add("", part.title, "", kind, "", items)
    if part.is_node:
        report.nodes += items
    else:
        report.relationships += items


def _mask_any(text: str, hits: list[Finding]) -> str:
    """A misplaced value, masked like what it looks like (or like an identifier)."""
    if hits:
        return hits[0].masked
    return mask_identifier(re.sub(r"\s", "", text))
