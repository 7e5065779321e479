"""Settings are read from an injected mapping, validated, and keep secrets masked."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from hub.config import DEFAULT_NEO4J_VERSION, Secret, Settings
from hub.env_fields import declared
from hub.errors import ConfigError
from hub.store import Store


def test_defaults_from_an_empty_environment() -> None:
    s = Settings.from_env({"HOME": "/home/clerk"})
    assert s.data_dir == Path("/home/clerk/.local/share/hub")
    assert s.cache_dir == Path("/home/clerk/.cache/hub")
    assert s.neo4j_port == 7687
    assert s.neo4j_version == DEFAULT_NEO4J_VERSION
    assert not s.uses_external_neo4j
    assert s.dev_mode is False


def test_external_server_needs_a_password() -> None:
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        Settings.from_env({"NEO4J_URI": "bolt://db:7687"})
    s = Settings.from_env({"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": "pw-123"})
    assert s.uses_external_neo4j
    assert s.neo4j_password == Secret("pw-123")


def test_secret_never_shows_in_repr() -> None:
    s = Settings.from_env({"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": "hunter2-x"})
    assert "hunter2-x" not in repr(s)
    assert "hunter2-x" not in str(s.neo4j_password)
    assert s.neo4j_password is not None and s.neo4j_password.reveal() == "hunter2-x"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HUB_NEO4J_PORT", "seven", "must be an integer"),
        ("HUB_BATCH_SIZE", "0", "at least 1"),
        ("HUB_INGEST_JOBS", "-1", "at least 0"),
        ("HUB_DEV", "maybe", "true or false"),
        ("HUB_BLIND_INDEX_BITS", "62", "multiple of 4"),
        ("HUB_BLIND_INDEX_BITS", "512", "multiple of 4 from 16 to 256"),
        ("HUB_BLIND_INDEX_BITS", "8", "at least 16"),
    ],
)
def test_invalid_values_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env({name: value})
    assert name in str(caught.value)


# -- each setting declared once, and documented as declared (issue 16) -------------------

_HOME = "/home/clerk"


def _declared() -> dict[str, str]:
    """Environment variable → Settings field, from the declarations."""
    return {spec.variable: f.name for f, spec in declared(Settings)}


def _readme_defaults() -> dict[str, str]:
    """Variable → default as the README's settings table states it."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = text.split("## Settings (environment)", 1)[1].split("\n## ", 1)[0]
    found: dict[str, str] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        if len(cells) < 3 or not names:
            continue
        if " / " in cells[0]:  # alternatives: one default for the group
            defaults = [cells[1]] * len(names)
        else:
            defaults = [d.strip() for d in cells[1].split(",")]
        assert len(defaults) == len(names), f"README row {cells[0]}: one default per variable"
        found.update(zip(names, (d.strip("`") for d in defaults), strict=True))
    return found


def _as_documented(value: object) -> str:
    """A default written the README's way."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Path) and value.is_relative_to(_HOME):
        return f"~/{value.relative_to(_HOME)}"
    return str(value)


def test_every_setting_is_declared_once_with_a_unique_variable() -> None:
    variables = [spec.variable for _, spec in declared(Settings)]
    assert len(variables) == len(set(variables)) == len(fields(Settings))


def test_every_setting_is_in_the_readme_table_with_its_default() -> None:
    documented = _readme_defaults()
    settings = Settings.from_env({"HOME": _HOME})
    for variable, name in _declared().items():
        assert variable in documented, f"{variable} is missing from the README's table"
        stated, actual = documented[variable], getattr(settings, name)
        if stated.startswith("<data>/"):  # worked out under HUB_DATA_DIR when unset
            assert actual is None, variable
        else:
            assert stated == _as_documented(actual), variable
    # the table's other rows are read elsewhere (HUB_OPERATOR: hub.security_events)
    assert set(documented) - set(_declared()) == {"HUB_OPERATOR"}


def test_every_setting_is_in_the_settings_docstring_with_its_default() -> None:
    doc = Settings.__doc__ or ""
    for variable in _declared():
        assert re.search(rf"\b{variable}\b", doc), f"{variable} is missing from the docstring"
    settings = Settings.from_env({"HOME": _HOME})
    stated = re.findall(r"\b([A-Z][A-Z0-9_]+)\b[^\n]*?\(default (?:``)?([^`),<]+)", doc)
    assert {v for v, _ in stated} == {"NEO4J_USER", "HUB_NEO4J_PORT", "HUB_JWT_AUDIENCE"}
    for variable, default in stated:
        assert default == _as_documented(getattr(settings, _declared()[variable])), variable


def test_from_env_of_nothing_gives_the_documented_defaults() -> None:
    s = Settings.from_env({"HOME": _HOME})
    assert (s.neo4j_uri, s.neo4j_user, s.neo4j_password) == (None, "neo4j", None)
    assert (s.neo4j_port, s.neo4j_heap_mb, s.neo4j_pagecache_mb) == (7687, 2048, 2048)
    assert (s.batch_size, s.query_timeout, s.retry_seconds) == (2000, 120.0, 60.0)
    assert (s.neo4j_connect_timeout, s.neo4j_cooldown) == (3.0, 5.0)
    assert (s.http_host, s.http_port, s.dev_mode) == ("127.0.0.1", 8000, False)
    assert (s.crypto_profile, s.blind_index_bits) == ("standard", 64)
    assert (s.jwt_issuer, s.jwt_audience, s.jwt_leeway) == (None, "hub", 30)
    assert (s.max_body_bytes, s.rate_limit_per_minute) == (262_144, 120)
    assert (s.max_query_depth, s.max_aliases, s.max_query_tokens, s.max_query_cost) == (
        10, 15, 2000, 5000)
    assert s.audit_key_path == s.data_dir / "keys" / "audit.key"
    assert s.audit_checkpoint_every == 100
    assert Settings.from_env({"HOME": _HOME, "HUB_BATCH_SIZE": ""}) == s  # empty: default


def test_the_store_defaults_are_the_settings_defaults() -> None:
    s = Settings.from_env({"HOME": _HOME})
    store = Store(driver=None)  # type: ignore[arg-type]  # nothing is run
    assert (store.batch_size, store.timeout, store.retry_seconds) == (
        s.batch_size, s.query_timeout, s.retry_seconds)
    assert store.breaker.cooldown == s.neo4j_cooldown


def test_settings_pass_to_worker_processes_through_their_environment() -> None:
    s = Settings.from_env({"HOME": _HOME}).with_overrides(http_port=8123, dev_mode=True)
    passed = s.environ_of("http_host", "http_port", "dev_mode", "workers")
    assert passed == {"HUB_HOST": "127.0.0.1", "HUB_PORT": "8123", "HUB_DEV": "true"}
    assert Settings.from_env({"HOME": _HOME, **passed}) == s
    with pytest.raises(ValueError, match="not a plain setting"):
        s.environ_of("jwt_secret")  # secrets never travel this way
    assert s.worker_count >= 1 and s.with_overrides(workers=3).worker_count == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HUB_LINK_ENGINE", "hadoop", "one of inprocess, spark"),
        ("HUB_SPARK_MEMORY", "2 GB", "a size such as 512m or 4g"),
        ("HUB_SPARK_MEMORY", "0g", "a size such as 512m or 4g"),
        ("HUB_SPARK_PARTITIONS", "0", "at least 1"),
    ],
)
def test_spark_engine_settings_are_checked(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env({name: value})
    assert name in str(caught.value)


def test_spark_engine_settings_default_to_in_process_and_the_data_dir() -> None:
    s = Settings.from_env({"HOME": _HOME, "HUB_SPARK_MEMORY": "4G"})
    assert (s.link_engine, s.spark_master, s.spark_memory) == ("inprocess", "local[*]", "4g")
    assert s.spark_partitions == 8
    assert s.spark_work_dir == s.data_dir / "spark"
