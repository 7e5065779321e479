"""``privacy.__all__`` must list exactly the public names (the httpx habit)."""

from __future__ import annotations

import types

import privacy


def _ruff_sort_key(name: str) -> tuple[int, str]:
    # RUF022 "isort-style": CONSTANTS, then Classes, then functions, each alphabetical.
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_all_lists_every_public_member() -> None:
    public = {
        name
        for name, value in vars(privacy).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(privacy.__all__) == public


def test_all_is_sorted_without_duplicates() -> None:
    assert privacy.__all__ == sorted(set(privacy.__all__), key=_ruff_sort_key)


def test_every_exported_member_is_documented() -> None:
    for name in privacy.__all__:
        value = getattr(privacy, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"


def test_privacy_imports_nothing_from_the_rest_of_the_project() -> None:
    import pathlib
    import re

    root = pathlib.Path(privacy.__file__).parent
    forbidden = re.compile(r"^\s*(from|import)\s+(hub|graph_schema|resolvers)\b", re.MULTILINE)
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not forbidden.search(source), path.name
        assert "os.environ" not in source and "getenv" not in source, path.name
