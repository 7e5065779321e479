"""Parsed and validated GraphQL documents, cached by the SHA-256 of their text.

Why: the systems calling the hub send the same few documents over and over, and parsing
plus validating one (graphql-core's rules, the hub's cost, depth, alias and directive
rules) took about 15 ms of each request (issue 17), more than Neo4j's part of a read.

- A parsed document is kept by the hash of its text and the parse options (the token
  limit), so a document over the limit is refused every time, never served from here.
  The tree is shared between requests; graphql-core never modifies it.
- *Validity* is kept only for documents that passed, keyed by the document's hash and
  the names of the rules the request ran (a request without ``operationName`` runs one
  rule more, so it has an entry of its own). A document that fails is validated afresh each
  time: its errors are per request objects (the masking extension writes the request's
  correlation id into them), never shared between requests.
- Both maps are LRU-bounded, so distinct texts sent to grow memory only evict.

Strawberry's ``ParserCache``/``ValidationCache`` do the first half but cache failed
validations too (the shared error objects above), key by the whole text, and are module
globals; this is one object per schema, so a test sees only its own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

DEFAULT_MAXSIZE = 1024


class DocumentCache:
    """The parsed documents and the (document, rules) pairs known valid; thread-safe."""

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[Hashable, DocumentNode] = OrderedDict()
        self._valid: OrderedDict[Hashable, None] = OrderedDict()
        self._lock = threading.Lock()
        self.parse_hits = 0
        self.validation_hits = 0

    def document(self, key: Hashable) -> DocumentNode | None:
        """The parsed document under ``key``, if kept (counted as a hit)."""
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                self._documents.move_to_end(key)
                self.parse_hits += 1
            return found

    def keep_document(self, key: Hashable, document: DocumentNode) -> None:
        """Remember a parsed document."""
        with self._lock:
            self._documents[key] = document
            _trim(self._documents, self.maxsize)

    def is_valid(self, key: Hashable) -> bool:
        """Whether this document passed these rules before (counted as a hit)."""
        with self._lock:
            if key in self._valid:
                self._valid.move_to_end(key)
                self.validation_hits += 1
                return True
            return False

    def keep_valid(self, key: Hashable) -> None:
        """Remember that a document passed validation under a set of rules."""
        with self._lock:
            self._valid[key] = None
            _trim(self._valid, self.maxsize)


def _trim(entries: OrderedDict[Hashable, Any], maxsize: int) -> None:
    while len(entries) > maxsize:
        entries.popitem(last=False)


def _rule_names(rules: tuple[type, ...]) -> tuple[str, ...]:
    """The rules by name: strawberry's depth and alias limiters build a new rule class for
    every request, so the classes differ while the rules do not. Within one schema (one
    cache) a name always stands for the same rule with the same limits; what varies per
    request is which rules run, and that the names capture."""
    return tuple(f"{rule.__module__}.{rule.__qualname__}" for rule in rules)


class CachedDocuments(SchemaExtension):
    """Serve parsing and validation from a :class:`DocumentCache` (one per schema)."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache
        self._text_key: tuple[str, tuple[tuple[str, Any], ...]] | None = None

    def on_parse(self) -> Iterator[None]:
        """Use the kept tree, or keep the one strawberry parses in the ``yield``."""
        context = self.execution_context
        if context.graphql_document is not None or not context.query:
            yield
            return
        digest = hashlib.sha256(context.query.encode("utf-8")).hexdigest()
        key = (digest, tuple(sorted(dict(context.parse_options).items())))
        self._text_key = key
        context.graphql_document = self.cache.document(key)
        yield
        if context.graphql_document is not None and not context.pre_execution_errors:
            self.cache.keep_document(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        """Skip validation of a document that passed these rules; remember a pass."""
        context = self.execution_context
        key = (self._text_key, _rule_names(context.validation_rules)) \
            if self._text_key else None
        if key is not None and context.pre_execution_errors is None \
                and self.cache.is_valid(key):
            context.pre_execution_errors = []
            yield
            return
        yield
        if key is not None and context.pre_execution_errors == []:
            self.cache.keep_valid(key)
