"""Headless Chromium (Debian's ``chromium`` + ``chromium-driver``) with no network.

Outside CI a machine without Chromium skips the browser tests with the reason; in CI
(``CI=true``) a missing browser fails them, so a green run always includes them.
Everything but 127.0.0.1 is unresolvable (``--host-resolver-rules``), and the browser's
performance log lists every URL the page requested, so a test can show nothing left the
machine.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

_BINARIES = ("chromium", "chromium-browser", "google-chrome")
_DRIVERS = ("chromedriver",)


def _which(names: tuple[str, ...]) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


def require_chromium() -> tuple[str, str]:
    """Paths of the browser and its driver; skip (or, in CI, fail) when absent."""
    binary, driver = _which(_BINARIES), _which(_DRIVERS)
    if binary and driver:
        return binary, driver
    reason = ("Chromium and its driver are not installed "
              "(apt-get install chromium chromium-driver; .ci/run does this)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"in CI the browser tests must run: {reason}")
    pytest.skip(reason)


@contextmanager
def offline_chromium() -> Iterator[Any]:
    """A headless Chromium WebDriver that can reach 127.0.0.1 and nothing else."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,900", "--no-first-run", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--proxy-server=direct://",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        browser.set_page_load_timeout(60)
        yield browser
    finally:
        browser.quit()


def requested_urls(browser: Any) -> list[str]:
    """Every URL the page asked for since the last call (from the performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
