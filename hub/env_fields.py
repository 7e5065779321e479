"""Dataclass fields that carry their environment variable, default and parser (issue 16).

A setting is declared once — ``port: int = setting("HUB_PORT", 8000, integer())`` — so
its variable, its default and how its text is read sit together: nothing restates the
default elsewhere. :func:`read_fields` turns an environment into a dataclass's keyword
arguments by walking those declarations.

A variable that is unset or empty leaves the field at its default (or at its
``fallback``, for defaults that depend on the environment, like a path under ``HOME``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from hub.errors import ConfigError

Parser = Callable[[str, str], Any]
"""Reads a variable's (non-empty) text; gets the variable's name for its error message."""
Fallback = Callable[[Mapping[str, str]], Any]
"""Works a default out of the environment (for defaults that are not constants)."""

_METADATA_KEY = "env_setting"


@dataclass(frozen=True, slots=True)
class EnvSetting:
    """How one field is read: its variable, its parser, its environment-derived default."""

    variable: str
    parse: Parser
    fallback: Fallback | None = None


def text(name: str, raw: str) -> str:
    """The text as given."""
    return raw


def path(name: str, raw: str) -> Path:
    """A path; ``~`` is expanded."""
    return Path(raw).expanduser()


def flag(name: str, raw: str) -> bool:
    """A yes/no switch (1/0, true/false, yes/no, on/off, any case)."""
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def integer(minimum: int = 1) -> Callable[[str, str], int]:
    """A whole number of at least ``minimum``."""
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
        if value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
        return value

    return parse


def seconds(minimum: int = 1) -> Callable[[str, str], float]:
    """A whole number of seconds (at least ``minimum``), as the ``float`` timers take."""
    whole = integer(minimum)

    def parse(name: str, raw: str) -> float:
        return float(whole(name, raw))

    return parse


def one_of(*choices: str) -> Callable[[str, str], str]:
    """One of ``choices``, any case, surrounding blanks ignored."""
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value

    return parse


def under_home(*parts: str) -> Fallback:
    """A default path under the environment's ``HOME`` (the user's home when unset)."""
    def fallback(environ: Mapping[str, str]) -> Path:
        return Path(environ.get("HOME", str(Path.home()))).joinpath(*parts)

    return fallback


def setting(variable: str, default: Any = MISSING, parse: Parser = text, *,
            fallback: Fallback | None = None, secret: bool = False) -> Any:
    """Declare a dataclass field read from ``variable``.

    Args:
        variable: the environment variable.
        default: the value when the variable is unset or empty (none: the field is
            required, or ``fallback`` works it out).
        parse: turns the variable's text into the value; raises ``ConfigError``.
        fallback: works the default out of the environment instead.
        secret: keep the value out of the dataclass's ``repr``.
    """
    return field(default=default, repr=not secret,
                 metadata={_METADATA_KEY: EnvSetting(variable, parse, fallback)})


def declared(cls: type) -> list[tuple[Field[Any], EnvSetting]]:
    """The dataclass's fields declared with :func:`setting`, in order, with how each is read."""
    return [(f, f.metadata[_METADATA_KEY]) for f in fields(cls)
            if _METADATA_KEY in f.metadata]


def read_fields(cls: type, environ: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for ``cls`` from ``environ``, one per variable that is set.

    Raises:
        ConfigError: a variable's text is not a valid value.
    """
    values: dict[str, Any] = {}
    for f, spec in declared(cls):
        raw = environ.get(spec.variable)
        if raw:
            values[f.name] = spec.parse(spec.variable, raw)
        elif spec.fallback is not None:
            values[f.name] = spec.fallback(environ)
    return values
