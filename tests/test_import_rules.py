"""Layering rules, read from the source (AST), so a violation fails here and not in review.

- ``privacy/`` imports nothing of the hub (``hub``, ``resolvers``, ``graph_schema``): it
  is the part an auditor reads alone.
- Nothing under ``hub/`` imports ``hub.app`` (only ``hub/cli``, where the application is
  composed, may) or a test client: product code builds no app and ships no test machinery.
- No Cypher in the other product packages (``hub``, ``resolvers``, ``privacy``): queries
  are named constants in ``graph_schema/queries``, checked there against the declared
  labels. ``tests/`` and ``bench/`` are harness, not product: they clear and count their
  own databases and are not read.
- ``resolvers/`` import no ``graph_schema``: resolvers call hub services.
- The API layer (``resolvers/``, ``hub/api/``, ``hub/app.py``) reaches a domain feature
  package (``hub.charity``, ``hub.monitoring``) through its entry point, the package's
  ``__init__``, never one of its modules.

Every checker is also run on a planted violation, so a checker that stopped seeing
anything would fail too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HUB_PACKAGES = ("hub", "resolvers", "graph_schema")
FEATURE_PACKAGES = ("hub.charity", "hub.monitoring")
TEST_CLIENT_MODULES = ("starlette.testclient", "fastapi.testclient", "strawberry.test")
TEST_TRANSPORTS = {"ASGITransport", "WSGITransport", "MockTransport"}
HTTPX_MODULES = ("httpx", "httpx2")

# A Cypher statement: a clause keyword opening a line, followed by what only Cypher puts
# there (a pattern, a parameter, a map, a subquery). Prose and docstrings that mention a
# pattern such as ``(:Donation)-[:OFFERED_BY]->`` do not match.
CYPHER = re.compile(
    r"^\s*(?:OPTIONAL\s+MATCH\s*\(|MATCH\s*\(|MERGE\s*\(|CREATE\s*\(|DETACH\s+DELETE\b"
    r"|UNWIND\s+\$|CALL\s*\{|CREATE\s+(?:CONSTRAINT|INDEX)\b|RETURN\s+\S)",
    re.MULTILINE,
)

# Known violations, by path relative to the repository root: each entry says why it is
# allowed for now. The list only shrinks; an entry that no longer violates fails the test.
CYPHER_ALLOWED: dict[str, str] = {}


def _python_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, TYPE_CHECKING included.

    ``from a import b`` yields both ``a`` and ``a.b`` (``b`` may be a submodule);
    relative imports are resolved against ``module``.
    """
    found: set[str] = set()
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def uses_test_transport(source: str) -> bool:
    """Whether ``source`` imports or names an httpx test transport (ASGI/WSGI/mock)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in HTTPX_MODULES and any(
                alias.name in TEST_TRANSPORTS for alias in node.names):
            return True
        if (isinstance(node, ast.Attribute) and node.attr in TEST_TRANSPORTS
                and isinstance(node.value, ast.Name) and node.value.id in HTTPX_MODULES):
            return True
    return False


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def cypher_strings(source: str) -> list[tuple[int, str]]:
    """(line, first matching line) of each string constant in ``source`` that holds a
    Cypher statement; docstrings are prose and are skipped. F-string parts are checked."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip and (match := CYPHER.search(node.value))):
            hits.append((node.lineno, match.group(0).strip()))
    return sorted(hits)


def _imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), _module_name(path),
                            is_package=path.name == "__init__.py")


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def _violations(paths: list[Path], banned: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        bad = sorted(m for m in _imports_of(path) if _within(m, banned))
        if bad:
            found[_relative(path)] = bad
    return found


def test_privacy_imports_nothing_of_the_hub() -> None:
    assert _violations(_python_files("privacy"), HUB_PACKAGES) == {}


def test_resolvers_import_no_graph_schema() -> None:
    assert _violations(_python_files("resolvers"), ("graph_schema",)) == {}


def test_only_the_cli_imports_the_app() -> None:
    product = [p for p in _python_files("hub") if not _relative(p).startswith("hub/cli/")]
    assert _violations(product, ("hub.app",)) == {}


def test_nothing_under_hub_imports_a_test_client() -> None:
    files = _python_files("hub")
    assert _violations(files, TEST_CLIENT_MODULES) == {}
    assert [_relative(p) for p in files if uses_test_transport(p.read_text("utf-8"))] == []


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def feature_internals(imports: set[str]) -> list[str]:
    """The modules inside a feature package among ``imports`` (the package itself, and
    names imported from it, are its entry point)."""
    return sorted(m for m in imports if _is_module(m) and m not in FEATURE_PACKAGES
                  and _within(m, FEATURE_PACKAGES))


def test_the_api_layer_uses_feature_packages_through_their_entry_points() -> None:
    api = [*_python_files("resolvers", "hub/api"), ROOT / "hub" / "app.py"]
    found = {_relative(p): feature_internals(_imports_of(p)) for p in api}
    assert {path: bad for path, bad in found.items() if bad} == {}


def test_planted_feature_internals_are_seen() -> None:
    imports = imported_modules("from hub.monitoring.overlap import within_jurisdiction\n"
                               "from hub.charity import CharityError\n", "resolvers.x")
    assert feature_internals(imports) == ["hub.monitoring.overlap"]


def _cypher_outside_graph_schema() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in _python_files("hub", "resolvers", "privacy"):
        hits = cypher_strings(path.read_text(encoding="utf-8"))
        if hits:
            found[_relative(path)] = hits
    return found


def test_no_cypher_outside_graph_schema() -> None:
    found = _cypher_outside_graph_schema()
    assert {path: hits for path, hits in found.items() if path not in CYPHER_ALLOWED} == {}
    assert sorted(set(CYPHER_ALLOWED) - set(found)) == [], "fixed: drop it from the list"


def test_the_cypher_check_reads_the_graph_schema_queries() -> None:
    """The pattern recognises the real queries (else it would pass on anything)."""
    queries = _python_files("graph_schema/queries")
    with_cypher = [p for p in queries if cypher_strings(p.read_text(encoding="utf-8"))]
    assert len(with_cypher) >= len(queries) - 1  # all but the package's __init__


PLANTED: list[tuple[str, str]] = [
    ("privacy.x", "from hub.store import Store"),
    ("privacy.x", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import graph_schema"),
    ("privacy.sub.x", "from ...hub import store"),
    ("hub.charity.demo", "from hub import app"),
    ("hub.charity.demo", "from ..app import create_app"),
    ("hub.x", "from starlette.testclient import TestClient"),
]


@pytest.mark.parametrize(("module", "source"), PLANTED)
def test_planted_imports_are_seen(module: str, source: str) -> None:
    banned = ("hub.app", *TEST_CLIENT_MODULES) if module.startswith("hub") else HUB_PACKAGES
    assert any(_within(m, banned) for m in imported_modules(source, module))


def test_clean_imports_are_not_flagged() -> None:
    source = "from hub.api import authn\nfrom hub.apps import x\nimport starlette.requests\n"
    assert not any(_within(m, ("hub.app", *TEST_CLIENT_MODULES))
                   for m in imported_modules(source, "hub.x"))


@pytest.mark.parametrize("source", [
    "import httpx\nt = httpx.ASGITransport(app=app)",
    "from httpx import MockTransport",
    "from httpx2 import ASGITransport as T",
])
def test_planted_test_transports_are_seen(source: str) -> None:
    assert uses_test_transport(source)


@pytest.mark.parametrize("source", [
    'Q = """\nMATCH (p:Person {person_id: $id})\nRETURN p\n"""',
    "Q = 'MERGE (c:Charity {charity_id: $id})'",
    'Q = f"""\n  UNWIND $rows AS row\n  SET n.x = {x}\n"""',
    "Q = '''OPTIONAL MATCH (a)-[:R]->(b) RETURN b'''",
    "def f():\n    return 'x'\nQ = 'MATCH (n) DETACH DELETE n'",
])
def test_planted_cypher_is_seen(source: str) -> None:
    assert cypher_strings(source)


@pytest.mark.parametrize("source", [
    '"""Module doc.\n\nMATCH (p:Person) RETURN p is how it reads."""',
    "def f():\n    '''Doc.\n\n    CREATE (n) as an example.\n    '''",
    "msg = 'Return the household: match (h) by id'",
    "note = '``(:Donation)-[:OFFERED_BY]->(:Charity)``'",
    "x = 'RETURN'",
])
def test_prose_is_not_cypher(source: str) -> None:
    assert cypher_strings(source) == []
