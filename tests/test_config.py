"""Settings are read from an injected mapping, validated, and keep secrets masked."""

from pathlib import Path

import pytest

from hub.config import DEFAULT_NEO4J_VERSION, Secret, Settings
from hub.errors import ConfigError


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
