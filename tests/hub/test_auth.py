"""Bearer tokens: HS256, RS256 (PEM and JWKS), every way a token can be wrong, settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hub.auth import (
    AuthenticationError,
    Principal,
    TokenVerifier,
    dev_secret,
    issue_dev_token,
    load_verifier,
)
from hub.config import Secret, Settings
from hub.errors import ConfigError

SECRET = "a-test-secret-that-is-long-enough-0123456789"


def _claims(**changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {"sub": "staff-7", "org": "医保", "roles": ["department"],
                                 "regions": ["410502"], "aud": "hub", "iat": now,
                                 "exp": now + timedelta(minutes=5)}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def test_hs256_token_gives_the_principal() -> None:
    verifier = TokenVerifier(hs_secret=SECRET.encode())
    token = issue_dev_token(SECRET, subject="staff-7", org="医保",
                            roles=["department", "no-such-role"], regions=["410502", "360222"])
    assert verifier.verify(token) == Principal(
        subject="staff-7", org="医保", roles=("department",), regions=("360222", "410502"),
        token_id=jwt.decode(token, options={"verify_signature": False})["jti"])


_EXPIRED = object()  # stands for "five minutes ago", computed when the test runs


# the claims are built when the test runs, not when pytest collects it: on a busy machine
# a token made at collection may have expired before its test starts
@pytest.mark.parametrize(("changes", "message"), [
    ({"exp": _EXPIRED}, "expired"),
    ({"aud": "someone-else"}, "InvalidAudienceError"),
    ({"exp": None}, "MissingRequiredClaimError"),
    ({"roles": ["janitor"]}, "no known role"),
    ({"regions": ["6590"]}, "6-digit"),
    ({"org": ""}, "org"),
])
def test_bad_claims_are_refused(changes: dict[str, object], message: str) -> None:
    if changes.get("exp") is _EXPIRED:
        changes = {**changes, "exp": datetime.now(UTC) - timedelta(minutes=5)}
    token = jwt.encode(_claims(**changes), SECRET, algorithm="HS256")
    with pytest.raises(AuthenticationError, match=message):
        TokenVerifier(hs_secret=SECRET.encode()).verify(token)


def test_wrong_signature_none_algorithm_and_garbage_are_refused() -> None:
    verifier = TokenVerifier(hs_secret=SECRET.encode())
    forged = jwt.encode(_claims(), "another-secret-of-sufficient-length-xyz", algorithm="HS256")
    with pytest.raises(AuthenticationError, match="signature"):
        verifier.verify(forged)
    unsigned = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(AuthenticationError, match="algorithm"):
        verifier.verify(unsigned)
    with pytest.raises(AuthenticationError, match="malformed"):
        verifier.verify("garbage")


def test_rs256_with_a_pem_public_key_and_no_algorithm_confusion(
        rsa_key: rsa.RSAPrivateKey) -> None:
    public = serialization.load_pem_public_key(_pem(rsa_key))
    verifier = TokenVerifier(rsa_public_key=public)
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256")
    assert verifier.verify(token).org == "医保"
    with pytest.raises(AuthenticationError, match="algorithm"):
        verifier.verify(jwt.encode(_claims(), SECRET, algorithm="HS256"))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthenticationError, match="signature"):
        verifier.verify(jwt.encode(_claims(), other, algorithm="RS256"))


def test_rs256_with_a_jwks_file_and_issuer(rsa_key: rsa.RSAPrivateKey, tmp_path: Path,
                                            settings: Settings) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk.update({"kid": "idp-1", "use": "sig", "alg": "RS256"})
    jwks_path = tmp_path / "jwks.json"
    jwks_path.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")
    s = settings.with_overrides(dev_mode=False, jwt_secret=None, jwks_file=jwks_path,
                                jwt_issuer="https://idp.example.gov.cn")
    verifier = load_verifier(s)
    good = jwt.encode(_claims(iss="https://idp.example.gov.cn"), rsa_key, algorithm="RS256",
                      headers={"kid": "idp-1"})
    assert verifier.verify(good).roles == ("department",)
    with pytest.raises(AuthenticationError, match="unknown key id"):
        verifier.verify(jwt.encode(_claims(iss="https://idp.example.gov.cn"), rsa_key,
                                   algorithm="RS256", headers={"kid": "idp-2"}))
    with pytest.raises(AuthenticationError, match="InvalidIssuerError"):
        verifier.verify(jwt.encode(_claims(iss="https://evil"), rsa_key, algorithm="RS256",
                                   headers={"kid": "idp-1"}))


def test_production_needs_a_key_and_dev_mode_makes_a_private_one(
        settings: Settings, tmp_path: Path) -> None:
    prod = settings.with_overrides(dev_mode=False, jwt_secret=None, data_dir=tmp_path)
    with pytest.raises(ConfigError, match="HUB_JWT_SECRET"):
        load_verifier(prod)
    dev = prod.with_overrides(dev_mode=True)
    first = load_verifier(dev)
    assert dev.dev_jwt_secret_path.stat().st_mode & 0o777 == 0o600
    secret = dev_secret(dev.dev_jwt_secret_path)
    token = issue_dev_token(secret, subject="s", org="民政", roles=["caseworker"], regions=[])
    assert first.verify(token).org == "民政"
    dev.dev_jwt_secret_path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        dev_secret(dev.dev_jwt_secret_path)


def test_jwt_settings_from_the_environment() -> None:
    env = {"HOME": "/home/x", "HUB_JWT_SECRET": SECRET, "HUB_JWT_AUDIENCE": "hub-prod",
           "HUB_MAX_BODY_BYTES": "4096", "HUB_RATE_LIMIT_PER_MINUTE": "30",
           "HUB_AUDIT_KEY_FILE": "/etc/hub/audit.key"}
    s = Settings.from_env(env)
    assert s.jwt_secret == Secret(SECRET) and SECRET not in repr(s)
    assert (s.jwt_audience, s.max_body_bytes, s.rate_limit_per_minute) == ("hub-prod", 4096, 30)
    assert s.audit_key_path == Path("/etc/hub/audit.key")
    assert Settings.from_env({"HOME": "/home/x"}).audit_key_path == Path(
        "/home/x/.local/share/hub/keys/audit.key")
    with pytest.raises(ConfigError, match="32 characters"):
        Settings.from_env({"HUB_JWT_SECRET": "short"})
