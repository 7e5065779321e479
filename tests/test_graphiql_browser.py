"""GraphiQL in real Chromium with no network: it renders from the package's own assets,
opens as a demo user with headers filled in, fetches the schema and runs a query."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest

from hub.app import create_app
from hub.config import Settings
from hub.datasets.demo_tour import prepare_tour
from hub.store import Store
from tests.api_helpers import api_settings
from tests.browser import offline_chromium, requested_urls
from tests.live_server import live_server

pytestmark = [pytest.mark.neo4j, pytest.mark.browser]


@pytest.fixture
def dev_server(settings: Settings, clean_store: Store) -> Iterator[str]:
    """The app in dev mode over real HTTP, with the demo's tokens.json written."""
    dev = api_settings(settings, dev_mode=True)
    prepare_tour(clean_store, dev)
    with live_server(create_app(dev)) as base:
        yield base


def _wait(browser: Any, condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; page text: "
                         f"{browser.execute_script('return document.body.innerText')[:500]}")


def _editor_values(browser: Any) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue())")


def _headers(browser: Any) -> dict[str, str]:
    """The Headers pane's contents (the one editor holding a JSON object)."""
    for text in _editor_values(browser):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _result(browser: Any) -> str:
    return browser.execute_script(
        "const e = document.querySelector('.result-window .CodeMirror');"
        "return e ? e.CodeMirror.getValue() : ''")


def _run_query(browser: Any) -> dict[str, Any]:
    browser.find_element("css selector", ".graphiql-execute-button").click()
    text = _wait(browser, lambda: _result(browser).strip().startswith("{") and _result(browser),
                 "a query result")
    return json.loads(text)


def test_graphiql_renders_and_runs_a_query_with_the_network_blocked(dev_server: str) -> None:
    query = "{ health { neo4j } }"
    with offline_chromium() as browser:
        browser.get(f"{dev_server}/graphql?as=caseworker&q={quote(query)}")
        _wait(browser, lambda: browser.find_elements("css selector",
                                                     ".graphiql-query-editor .CodeMirror"),
              "the GraphiQL editor")
        assert "Loading" not in browser.execute_script("return document.body.innerText")
        answer = _run_query(browser)
        assert answer == {"data": {"health": {"neo4j": True}}}
        urls = requested_urls(browser)
    assert any(u.endswith("/graphiql-assets/graphiql.min.js") for u in urls)
    outside = [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert outside == []


def test_graphiql_as_a_demo_user_fills_in_headers_and_loads_the_schema(
        dev_server: str) -> None:
    with offline_chromium() as browser:
        browser.get(f"{dev_server}/graphql?as=verifier&q={quote('{ me { roles purpose } }')}")
        headers = _wait(browser, lambda: _headers(browser), "the headers editor filled in")
        assert headers["X-Purpose"] == "verification"
        assert headers["Authorization"].startswith("Bearer ey")
        # the schema request carried the headers: the Docs pane lists the root types
        browser.find_element("css selector",
                             "[aria-label='Show Documentation Explorer']").click()
        docs = _wait(browser, lambda: "Root Types" in (text := browser.execute_script(
            "const d = document.querySelector('.graphiql-doc-explorer');"
            "return d ? d.innerText : ''")) and text, "the schema in the Docs pane")
        assert "Query" in docs
        assert "missing bearer token" not in _result(browser)
        assert _run_query(browser) == {"data": {"me": {"roles": ["verifier"],
                                                       "purpose": "verification"}}}
        # another purpose for the same user, without editing anything
        browser.get(f"{dev_server}/graphql?as=caseworker&purpose=monitoring"
                    f"&q={quote('{ me { purpose } }')}")
        _wait(browser, lambda: _headers(browser).get("X-Purpose") == "monitoring",
              "the monitoring purpose in the headers")
        assert _run_query(browser) == {"data": {"me": {"purpose": "monitoring"}}}
