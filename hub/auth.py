"""Who is asking: bearer tokens (JWT) verified into a :class:`Principal`.

Accepted signatures: HS256 with HUB_JWT_SECRET (development and small deployments), RS256
with an identity provider's PEM public key (HUB_JWT_PUBLIC_KEY_FILE) or JWKS file
(HUB_JWKS_FILE, key chosen by ``kid``). ``none`` and algorithm confusion (an RS256 public
key used as an HS256 secret) are impossible: each key is used only with its own algorithm.

Claims: ``sub`` (the staff member), ``org`` (department code such as 民政/医保/教育 or a
charity id), ``roles`` (list, see ``privacy.Role``), ``regions`` (6-digit region codes),
``exp``/``iat`` (required), ``aud`` (HUB_JWT_AUDIENCE) and ``iss`` (HUB_JWT_ISSUER if set).
A token holding an operating role (sysadmin, security_admin, auditor) with any other role
is refused: 三员分立 wants those duties held by separate accounts.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from hub.config import Secret, Settings
from hub.errors import ConfigError, HubError
from privacy import Role, RoleCombinationError, check_role_combination

_REGION = re.compile(r"^[0-9]{6}$")
_ORG_MAX = 64
DEV_TOKEN_TTL = timedelta(hours=8)


class AuthenticationError(HubError):
    """The bearer token is missing, malformed, expired, badly signed or lacks claims.

    The message is safe to return to the client; it never echoes the token.
    """

    code = "UNAUTHENTICATED"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the token states it."""

    subject: str
    org: str
    roles: tuple[str, ...]
    regions: tuple[str, ...]
    token_id: str = ""


class TokenVerifier:
    """Verifies bearer tokens against the configured keys."""

    def __init__(self, *, hs_secret: bytes | None = None, rsa_public_key: Any = None,
                 jwks: jwt.PyJWKSet | None = None, issuer: str | None = None,
                 audience: str = "hub", leeway: int = 30) -> None:
        if hs_secret is None and rsa_public_key is None and jwks is None:
            raise ConfigError("no token verification key configured")
        self._hs_secret = hs_secret
        self._rsa_public_key = rsa_public_key
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid token.

        Raises:
            AuthenticationError: anything wrong with the token (one message per cause).
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthenticationError("malformed bearer token") from exc
        key, algorithm = self._key_for(header)
        options = {"require": ["exp", "iat", "sub"], "verify_iss": self._issuer is not None}
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=self._audience,
                                issuer=self._issuer, leeway=self._leeway, options=options)
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("token expired") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthenticationError("token signature invalid") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"token rejected: {type(exc).__name__}") from exc
        return principal_from_claims(claims)

    def _key_for(self, header: dict[str, Any]) -> tuple[Any, str]:
        algorithm = header.get("alg")
        if algorithm == "HS256" and self._hs_secret is not None:
            return self._hs_secret, "HS256"
        if algorithm == "RS256":
            kid = header.get("kid")
            if self._jwks is not None and kid:
                for jwk in self._jwks.keys:
                    if jwk.key_id == kid:
                        return jwk.key, "RS256"
                raise AuthenticationError("token signed with an unknown key id")
            if self._rsa_public_key is not None:
                return self._rsa_public_key, "RS256"
        raise AuthenticationError("token algorithm not accepted")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build a principal from verified claims; unknown roles are dropped.

    Raises:
        AuthenticationError: no known role, no organisation, or a malformed region code.
    """
    org = claims.get("org")
    if not isinstance(org, str) or not org.strip() or len(org) > _ORG_MAX:
        raise AuthenticationError("token has no valid org claim")
    raw_roles = claims.get("roles") or []
    raw_regions = claims.get("regions") or []
    if not isinstance(raw_roles, list) or not isinstance(raw_regions, list):
        raise AuthenticationError("roles and regions claims must be lists")
    known = {r.value for r in Role}
    roles = tuple(sorted({r for r in raw_roles if isinstance(r, str) and r in known}))
    if not roles:
        raise AuthenticationError("token carries no known role")
    try:
        check_role_combination(roles)
    except RoleCombinationError as exc:
        raise AuthenticationError(str(exc)) from None
    if not all(isinstance(r, str) and _REGION.match(r) for r in raw_regions):
        raise AuthenticationError("regions must be 6-digit region codes")
    return Principal(subject=str(claims["sub"]), org=org.strip(), roles=roles,
                     regions=tuple(sorted(set(raw_regions))), token_id=str(claims.get("jti", "")))


def issue_dev_token(secret: Secret | str | bytes, *, subject: str, org: str,
                    roles: list[str], regions: list[str], ttl: timedelta = DEV_TOKEN_TTL,
                    audience: str = "hub", issuer: str | None = None,
                    now: datetime | None = None) -> str:
    """Sign an HS256 token for development and tests (``hub token issue``).

    Raises:
        AuthenticationError: the claims would not verify (unknown role, bad region).
    """
    moment = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject, "org": org, "roles": roles, "regions": regions, "aud": audience,
        "iat": moment, "exp": moment + ttl, "jti": uuid.uuid4().hex,
    }
    if issuer:
        claims["iss"] = issuer
    principal_from_claims(claims)
    key = secret.reveal() if isinstance(secret, Secret) else secret
    return jwt.encode(claims, key, algorithm="HS256")


def hs_secret(settings: Settings) -> Secret | None:
    """HUB_JWT_SECRET, or in dev mode the generated secret under the data dir."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    if settings.dev_mode:
        return dev_secret(settings.dev_jwt_secret_path)
    return None


def dev_secret(path: Path) -> Secret:
    """Load (or create, mode 0600) the development HS256 secret at ``path``.

    Raises:
        ConfigError: the file is readable by group/others or unreadable.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    try:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`")
        value = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the development token secret {path}") from exc
    if len(value) < 32:
        raise ConfigError(f"{path} holds too short a secret; delete it to regenerate")
    return Secret(value)


def load_verifier(settings: Settings) -> TokenVerifier:
    """The verifier for the configured keys; called at start-up so a gap fails early.

    Raises:
        ConfigError: outside dev mode no key is configured, or a key file is unreadable.
    """
    secret = hs_secret(settings)
    public_key = None
    jwks = None
    try:
        if settings.jwt_public_key_file is not None:
            public_key = load_pem_public_key(settings.jwt_public_key_file.read_bytes())
        if settings.jwks_file is not None:
            jwks = jwt.PyJWKSet.from_json(settings.jwks_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise ConfigError(f"cannot load the token verification key: {exc}") from exc
    if secret is None and public_key is None and jwks is None:
        raise ConfigError(
            "no token verification key: set HUB_JWT_SECRET (32+ random characters), "
            "HUB_JWT_PUBLIC_KEY_FILE or HUB_JWKS_FILE, or run in development mode (HUB_DEV=1)")
    return TokenVerifier(
        hs_secret=secret.reveal().encode("utf-8") if secret is not None else None,
        rsa_public_key=public_key, jwks=jwks, issuer=settings.jwt_issuer,
        audience=settings.jwt_audience, leeway=settings.jwt_leeway)
