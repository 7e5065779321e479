"""Settings of the hub, read once from an injectable environment mapping.

``Settings.from_env(environ)`` is the only place the hub reads the environment; tests pass
a plain dict. Each setting is one field declaring its variable, default and parser.
Secrets (the Neo4j password, the master key) are wrapped in :class:`Secret` so they never
show in a ``repr`` or a log line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from hub.env_fields import (
    declared,
    flag,
    integer,
    one_of,
    path,
    read_fields,
    seconds,
    setting,
    under_home,
)
from hub.errors import ConfigError

DEFAULT_NEO4J_VERSION = "5.26.30"
# named twice below: declared, and checked together (an external server needs both)
_URI, _PASSWORD = "NEO4J_URI", "NEO4J_PASSWORD"


class Secret:
    """A string whose ``repr`` and ``str`` are masked (the starlette habit)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value; call only where it is handed to a library."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _secret(name: str, raw: str) -> Secret:
    return Secret(raw)


def _blind_index_bits(name: str, raw: str) -> int:
    """Blind indexes are hex: a whole number of hex digits, at most a full HMAC-256."""
    bits = integer(minimum=16)(name, raw)
    if bits % 4 or bits > 256:
        raise ConfigError(f"{name} must be a multiple of 4 from 16 to 256, got {bits}")
    return bits


def _jwt_secret(name: str, raw: str) -> Secret:
    if len(raw) < 32:
        raise ConfigError(f"{name} must be at least 32 characters (use a random value)")
    return Secret(raw)


def _spark_memory(name: str, raw: str) -> str:
    """A JVM memory size as Spark writes it: digits and a unit (``512m``, ``4g``)."""
    value = raw.strip().lower()
    if not re.fullmatch(r"[1-9][0-9]*[kmgt]", value):
        raise ConfigError(f"{name} must be a size such as 512m or 4g, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting of the hub, each declared once: its variable, default and parser.

    The fields are :func:`hub.env_fields.setting` declarations; :meth:`from_env` reads
    them all, so a new setting is one line here (and one row in the README's table).

    Attributes:
        data_dir: HUB_DATA_DIR, where the managed Neo4j keeps data/logs and the hub its keys.
        cache_dir: HUB_CACHE_DIR, where the Neo4j distribution is cached after download.
        neo4j_uri: NEO4J_URI; when set the hub uses that server and never starts its own.
        neo4j_user: NEO4J_USER (default ``neo4j``).
        neo4j_password: NEO4J_PASSWORD (required with NEO4J_URI; else read from the file).
        neo4j_port: HUB_NEO4J_PORT, Bolt port of the managed server (default 7687).
        neo4j_version: HUB_NEO4J_VERSION, Neo4j Community version fetched from Maven Central.
        neo4j_heap_mb: HUB_NEO4J_HEAP_MB, JVM heap of the managed server.
        neo4j_pagecache_mb: HUB_NEO4J_PAGECACHE_MB, page cache of the managed server.
        neo4j_start_timeout: HUB_NEO4J_START_TIMEOUT seconds to wait for Bolt.
        batch_size: HUB_BATCH_SIZE rows per ``UNWIND`` write.
        ingest_jobs: HUB_INGEST_JOBS processes of an ingest (0: automatic, see
            ``hub.ingest.parallel.choose_jobs``).
        query_timeout: HUB_QUERY_TIMEOUT seconds per Cypher query.
        retry_seconds: HUB_RETRY_SECONDS a transaction is retried on transient errors
            (command-line work; the whole of an ingest keeps to this window).
        neo4j_connect_timeout: HUB_NEO4J_CONNECT_TIMEOUT seconds to open a connection
            (``/readyz`` answers within it when Neo4j hangs).
        neo4j_cooldown: HUB_NEO4J_COOLDOWN seconds the store fails at once after finding
            Neo4j unreachable (circuit breaker; the API's ``Retry-After``).
        dev_mode: HUB_DEV, enables GraphiQL and introspection.
        http_host / http_port: HUB_HOST / HUB_PORT of ``hub serve``.
        workers: HUB_WORKERS, worker processes of ``hub serve``; unset: the number of
            cores (see ``docs/serving.md``).
        master_key: HUB_MASTER_KEY, base64 master key (KEK); wins over the key file.
        master_key_file: HUB_MASTER_KEY_FILE (default ``<data_dir>/keys/master.key``,
            created mode 0600 on first use).
        crypto_profile: HUB_CRYPTO_PROFILE, ``standard`` (AES-256-GCM, HMAC-SHA256) or
            ``national`` (SM4-GCM, HMAC-SM3) for new keyrings.
        blind_index_bits: HUB_BLIND_INDEX_BITS, length of blind indexes.
        jwt_secret: HUB_JWT_SECRET, HS256 key for bearer tokens (at least 32 characters).
            Outside dev mode the API refuses to start unless this, HUB_JWT_PUBLIC_KEY_FILE
            or HUB_JWKS_FILE is set; in dev mode a random one is created and kept under
            ``<data_dir>/keys/jwt-dev.secret`` (mode 0600).
        jwt_public_key_file: HUB_JWT_PUBLIC_KEY_FILE, PEM RSA public key of an identity
            provider (RS256 tokens).
        jwks_file: HUB_JWKS_FILE, a JWKS JSON file of an identity provider (RS256, by
            ``kid``); read from disk, so it works offline.
        jwt_issuer: HUB_JWT_ISSUER; when set, tokens must carry this ``iss``.
        jwt_audience: HUB_JWT_AUDIENCE (default ``hub``); tokens must carry this ``aud``.
        jwt_leeway: HUB_JWT_LEEWAY seconds of clock skew tolerated on ``exp``/``nbf``.
        max_body_bytes: HUB_MAX_BODY_BYTES, largest request body (413 beyond).
        rate_limit_per_minute: HUB_RATE_LIMIT_PER_MINUTE requests per principal (429 beyond;
            a token bucket holding one minute's worth).
        max_query_depth / max_aliases / max_query_tokens / max_query_cost:
            HUB_MAX_QUERY_DEPTH, HUB_MAX_ALIASES, HUB_MAX_QUERY_TOKENS, HUB_MAX_QUERY_COST,
            limits that reject abusive GraphQL documents before they execute.
        audit_key_file: HUB_AUDIT_KEY_FILE (default ``<data_dir>/keys/audit.key``, created
            mode 0600 on first use): keys the audit checkpoints and pseudonymous subject
            references; kept outside Neo4j on purpose.
        audit_checkpoint_every: HUB_AUDIT_CHECKPOINT_EVERY events between checkpoints.
        link_engine: HUB_LINK_ENGINE, ``inprocess`` (one machine's memory) or ``spark``
            (``hub link run`` on Apache Spark; ``--engine`` overrides it).
        spark_master: HUB_SPARK_MASTER, the Spark master URL of the Spark engine
            (``local[*]``: every core of this machine; ``spark://host:7077`` a cluster).
        spark_dir: HUB_SPARK_DIR (default ``<data_dir>/spark``), the Spark engine's
            scratch, staging and event-log directory (mode 0700).
        spark_memory: HUB_SPARK_MEMORY, Spark driver and executor memory (``2g``).
        spark_partitions: HUB_SPARK_PARTITIONS, Spark's shuffle partitions (8): more
            partitions make each task's share of the pairs, and so its memory, smaller.
    """

    data_dir: Path = setting("HUB_DATA_DIR", parse=path,
                             fallback=under_home(".local", "share", "hub"))
    cache_dir: Path = setting("HUB_CACHE_DIR", parse=path, fallback=under_home(".cache", "hub"))
    neo4j_uri: str | None = setting(_URI, None)
    neo4j_user: str = setting("NEO4J_USER", "neo4j")
    neo4j_password: Secret | None = setting(_PASSWORD, None, _secret, secret=True)
    neo4j_port: int = setting("HUB_NEO4J_PORT", 7687, integer())
    neo4j_version: str = setting("HUB_NEO4J_VERSION", DEFAULT_NEO4J_VERSION)
    neo4j_heap_mb: int = setting("HUB_NEO4J_HEAP_MB", 2048, integer(minimum=256))
    neo4j_pagecache_mb: int = setting("HUB_NEO4J_PAGECACHE_MB", 2048, integer(minimum=64))
    neo4j_start_timeout: int = setting("HUB_NEO4J_START_TIMEOUT", 180, integer())
    batch_size: int = setting("HUB_BATCH_SIZE", 2000, integer())
    ingest_jobs: int = setting("HUB_INGEST_JOBS", 0, integer(minimum=0))
    query_timeout: float = setting("HUB_QUERY_TIMEOUT", 120.0, seconds())
    retry_seconds: float = setting("HUB_RETRY_SECONDS", 60.0, seconds())
    neo4j_connect_timeout: float = setting("HUB_NEO4J_CONNECT_TIMEOUT", 3.0, seconds())
    neo4j_cooldown: float = setting("HUB_NEO4J_COOLDOWN", 5.0, seconds())
    dev_mode: bool = setting("HUB_DEV", False, flag)
    http_host: str = setting("HUB_HOST", "127.0.0.1")
    http_port: int = setting("HUB_PORT", 8000, integer())
    workers: int | None = setting("HUB_WORKERS", None, integer())
    master_key: Secret | None = setting("HUB_MASTER_KEY", None, _secret, secret=True)
    master_key_file: Path | None = setting("HUB_MASTER_KEY_FILE", None, path)
    crypto_profile: str = setting("HUB_CRYPTO_PROFILE", "standard",
                                  one_of("standard", "national"))
    blind_index_bits: int = setting("HUB_BLIND_INDEX_BITS", 64, _blind_index_bits)
    jwt_secret: Secret | None = setting("HUB_JWT_SECRET", None, _jwt_secret, secret=True)
    jwt_public_key_file: Path | None = setting("HUB_JWT_PUBLIC_KEY_FILE", None, path)
    jwks_file: Path | None = setting("HUB_JWKS_FILE", None, path)
    jwt_issuer: str | None = setting("HUB_JWT_ISSUER", None)
    jwt_audience: str = setting("HUB_JWT_AUDIENCE", "hub")
    jwt_leeway: int = setting("HUB_JWT_LEEWAY", 30, integer(minimum=0))
    max_body_bytes: int = setting("HUB_MAX_BODY_BYTES", 262_144, integer(minimum=1024))
    rate_limit_per_minute: int = setting("HUB_RATE_LIMIT_PER_MINUTE", 120, integer())
    max_query_depth: int = setting("HUB_MAX_QUERY_DEPTH", 10, integer())
    max_aliases: int = setting("HUB_MAX_ALIASES", 15, integer())
    max_query_tokens: int = setting("HUB_MAX_QUERY_TOKENS", 2000, integer())
    max_query_cost: int = setting("HUB_MAX_QUERY_COST", 5000, integer())
    audit_key_file: Path | None = setting("HUB_AUDIT_KEY_FILE", None, path)
    audit_checkpoint_every: int = setting("HUB_AUDIT_CHECKPOINT_EVERY", 100, integer())
    link_engine: str = setting("HUB_LINK_ENGINE", "inprocess", one_of("inprocess", "spark"))
    spark_master: str = setting("HUB_SPARK_MASTER", "local[*]")
    spark_dir: Path | None = setting("HUB_SPARK_DIR", None, path)
    spark_memory: str = setting("HUB_SPARK_MEMORY", "2g", _spark_memory)
    spark_partitions: int = setting("HUB_SPARK_PARTITIONS", 8, integer())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from an environment mapping (``os.environ`` by default).

        Raises:
            ConfigError: a value has the wrong type, or NEO4J_URI is set without a password.
        """
        env = os.environ if environ is None else environ
        if env.get(_URI) and not env.get(_PASSWORD):
            raise ConfigError(f"{_URI} is set but {_PASSWORD} is not: set both")
        return cls(**read_fields(cls, env))

    @property
    def uses_external_neo4j(self) -> bool:
        """True when NEO4J_URI points at a server the hub must not manage."""
        return self.neo4j_uri is not None

    @property
    def keys_dir(self) -> Path:
        """Where the master key file (by default) and the wrapped keyring live."""
        return self.data_dir / "keys"

    @property
    def spark_work_dir(self) -> Path:
        """The Spark engine's directory (HUB_SPARK_DIR or ``<data_dir>/spark``)."""
        return self.spark_dir or self.data_dir / "spark"

    @property
    def link_cache_dir(self) -> Path:
        """Where ``hub link`` keeps its sealed mention cache (0700; see mention_cache)."""
        return self.data_dir / "cache"

    @property
    def audit_key_path(self) -> Path:
        """The audit key file (HUB_AUDIT_KEY_FILE or ``<keys_dir>/audit.key``)."""
        return self.audit_key_file or self.keys_dir / "audit.key"

    @property
    def dev_jwt_secret_path(self) -> Path:
        """Where dev mode keeps its generated HS256 token secret."""
        return self.keys_dir / "jwt-dev.secret"

    @property
    def demo_tokens_path(self) -> Path:
        """Where ``hub demo`` saves its users' tokens (mode 0600; GraphiQL's ``?as=``)."""
        return self.data_dir / "demo" / "tokens.json"

    @property
    def neo4j_home(self) -> Path:
        """Home directory (conf, data, logs, run) of the managed Neo4j."""
        return self.data_dir / "neo4j"

    @property
    def worker_count(self) -> int:
        """Worker processes ``hub serve`` runs (HUB_WORKERS, else one per core)."""
        return self.workers or os.cpu_count() or 1

    @property
    def rate_limit_table_path(self) -> Path:
        """The rate-limit buckets the workers of the server on ``http_port`` share."""
        return self.data_dir / "run" / f"rate-limit-{self.http_port}.sqlite"

    def environ_of(self, *names: str) -> dict[str, str]:
        """The variables that give these (non-secret) fields their current values, so a
        child process reading its environment gets the same settings (``hub serve``'s
        workers, which see the command's options only this way).

        Raises:
            ValueError: a name is not a plain setting (unknown, or a secret).
        """
        specs = {f.name: spec for f, spec in declared(type(self)) if f.repr}
        out: dict[str, str] = {}
        for name in names:
            if name not in specs:
                raise ValueError(f"{name} is not a plain setting")
            value = getattr(self, name)
            if value is not None:
                out[specs[name].variable] = (str(value).lower() if isinstance(value, bool)
                                             else str(value))
        return out

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (used by the CLI's options)."""
        return replace(self, **changes)  # type: ignore[arg-type]
