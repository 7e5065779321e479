"""Settings of the hub, read once from an injectable environment mapping.

``Settings.from_env(environ)`` is the only place the hub reads the environment; tests pass
a plain dict. Secrets (the Neo4j password, the master key) are wrapped in :class:`Secret`
so they never show in a ``repr`` or a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from hub.errors import ConfigError

DEFAULT_NEO4J_VERSION = "5.26.30"


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


def _path(environ: Mapping[str, str], name: str, default: Path) -> Path:
    value = environ.get(name)
    return Path(value).expanduser() if value else default


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _blind_index_bits(environ: Mapping[str, str]) -> int:
    """Blind indexes are hex: a whole number of hex digits, at most a full HMAC-256."""
    bits = _int(environ, "HUB_BLIND_INDEX_BITS", 64, minimum=16)
    if bits % 4 or bits > 256:
        raise ConfigError(f"HUB_BLIND_INDEX_BITS must be a multiple of 4 from 16 to 256, "
                          f"got {bits}")
    return bits


def _optional_path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value).expanduser() if value else None


def _jwt_secret(environ: Mapping[str, str]) -> Secret | None:
    value = environ.get("HUB_JWT_SECRET") or None
    if value is not None and len(value) < 32:
        raise ConfigError("HUB_JWT_SECRET must be at least 32 characters (use a random value)")
    return Secret(value) if value else None


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = (environ.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting of the hub; each field names its environment variable in ``help``.

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
        query_timeout: HUB_QUERY_TIMEOUT seconds per Cypher query.
        retry_seconds: HUB_RETRY_SECONDS a transaction is retried on transient errors
            (command-line work; the whole of an ingest keeps to this window).
        neo4j_connect_timeout: HUB_NEO4J_CONNECT_TIMEOUT seconds to open a connection
            (``/readyz`` answers within it when Neo4j hangs).
        neo4j_cooldown: HUB_NEO4J_COOLDOWN seconds the store fails at once after finding
            Neo4j unreachable (circuit breaker; the API's ``Retry-After``).
        dev_mode: HUB_DEV, enables GraphiQL and introspection.
        http_host / http_port: HUB_HOST / HUB_PORT of ``hub serve``.
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
    """

    data_dir: Path
    cache_dir: Path
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: Secret | None = field(default=None, repr=False)
    neo4j_port: int = 7687
    neo4j_version: str = DEFAULT_NEO4J_VERSION
    neo4j_heap_mb: int = 2048
    neo4j_pagecache_mb: int = 2048
    neo4j_start_timeout: int = 180
    batch_size: int = 2000
    query_timeout: float = 120.0
    retry_seconds: float = 60.0
    neo4j_connect_timeout: float = 3.0
    neo4j_cooldown: float = 5.0
    dev_mode: bool = False
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    master_key: Secret | None = field(default=None, repr=False)
    master_key_file: Path | None = None
    crypto_profile: str = "standard"
    blind_index_bits: int = 64
    jwt_secret: Secret | None = field(default=None, repr=False)
    jwt_public_key_file: Path | None = None
    jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str = "hub"
    jwt_leeway: int = 30
    max_body_bytes: int = 262_144
    rate_limit_per_minute: int = 120
    max_query_depth: int = 10
    max_aliases: int = 15
    max_query_tokens: int = 2000
    max_query_cost: int = 5000
    audit_key_file: Path | None = None
    audit_checkpoint_every: int = 100

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from an environment mapping (``os.environ`` by default).

        Raises:
            ConfigError: a value has the wrong type, or NEO4J_URI is set without a password.
        """
        env = os.environ if environ is None else environ
        home = Path(env.get("HOME", str(Path.home())))
        uri = env.get("NEO4J_URI") or None
        password = env.get("NEO4J_PASSWORD") or None
        if uri and not password:
            raise ConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not: set both")
        return cls(
            data_dir=_path(env, "HUB_DATA_DIR", home / ".local" / "share" / "hub"),
            cache_dir=_path(env, "HUB_CACHE_DIR", home / ".cache" / "hub"),
            neo4j_uri=uri,
            neo4j_user=env.get("NEO4J_USER") or "neo4j",
            neo4j_password=Secret(password) if password else None,
            neo4j_port=_int(env, "HUB_NEO4J_PORT", 7687),
            neo4j_version=env.get("HUB_NEO4J_VERSION") or DEFAULT_NEO4J_VERSION,
            neo4j_heap_mb=_int(env, "HUB_NEO4J_HEAP_MB", 2048, minimum=256),
            neo4j_pagecache_mb=_int(env, "HUB_NEO4J_PAGECACHE_MB", 2048, minimum=64),
            neo4j_start_timeout=_int(env, "HUB_NEO4J_START_TIMEOUT", 180),
            batch_size=_int(env, "HUB_BATCH_SIZE", 2000),
            query_timeout=float(_int(env, "HUB_QUERY_TIMEOUT", 120)),
            retry_seconds=float(_int(env, "HUB_RETRY_SECONDS", 60)),
            neo4j_connect_timeout=float(_int(env, "HUB_NEO4J_CONNECT_TIMEOUT", 3)),
            neo4j_cooldown=float(_int(env, "HUB_NEO4J_COOLDOWN", 5)),
            dev_mode=_bool(env, "HUB_DEV", False),
            http_host=env.get("HUB_HOST") or "127.0.0.1",
            http_port=_int(env, "HUB_PORT", 8000),
            master_key=Secret(env["HUB_MASTER_KEY"]) if env.get("HUB_MASTER_KEY") else None,
            master_key_file=_path(env, "HUB_MASTER_KEY_FILE", Path()) if env.get(
                "HUB_MASTER_KEY_FILE") else None,
            crypto_profile=_choice(env, "HUB_CRYPTO_PROFILE", ("standard", "national")),
            blind_index_bits=_blind_index_bits(env),
            jwt_secret=_jwt_secret(env),
            jwt_public_key_file=_optional_path(env, "HUB_JWT_PUBLIC_KEY_FILE"),
            jwks_file=_optional_path(env, "HUB_JWKS_FILE"),
            jwt_issuer=env.get("HUB_JWT_ISSUER") or None,
            jwt_audience=env.get("HUB_JWT_AUDIENCE") or "hub",
            jwt_leeway=_int(env, "HUB_JWT_LEEWAY", 30, minimum=0),
            max_body_bytes=_int(env, "HUB_MAX_BODY_BYTES", 262_144, minimum=1024),
            rate_limit_per_minute=_int(env, "HUB_RATE_LIMIT_PER_MINUTE", 120),
            max_query_depth=_int(env, "HUB_MAX_QUERY_DEPTH", 10),
            max_aliases=_int(env, "HUB_MAX_ALIASES", 15),
            max_query_tokens=_int(env, "HUB_MAX_QUERY_TOKENS", 2000),
            max_query_cost=_int(env, "HUB_MAX_QUERY_COST", 5000),
            audit_key_file=_optional_path(env, "HUB_AUDIT_KEY_FILE"),
            audit_checkpoint_every=_int(env, "HUB_AUDIT_CHECKPOINT_EVERY", 100),
        )

    @property
    def uses_external_neo4j(self) -> bool:
        """True when NEO4J_URI points at a server the hub must not manage."""
        return self.neo4j_uri is not None

    @property
    def keys_dir(self) -> Path:
        """Where the master key file (by default) and the wrapped keyring live."""
        return self.data_dir / "keys"

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

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (used by the CLI's options)."""
        return replace(self, **changes)  # type: ignore[arg-type]
