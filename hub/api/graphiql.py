"""GraphiQL in development mode, served from the package and opened as a demo user.

Why not strawberry's page: it loads React and GraphiQL from a CDN, so on a closed network
it shows "Loading..." for ever; and its first schema request goes without headers, so a
new user sees ``missing bearer token`` and an empty Docs pane. This page loads the copies
vendored under ``static/graphiql`` (versions and licences in ``NOTICE.md``), and
``/graphql?as=verifier`` fills in that demo user's ``Authorization`` and ``X-Purpose``
(from the demo's ``tokens.json``) before GraphiQL's first request; ``&purpose=monitoring``
declares another purpose. Development mode only: the page hands out the demo's tokens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privacy import UnknownPurposeError, parse_purpose

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_URL = "/graphiql-assets"
_TEMPLATE = Path(__file__).parent / "templates" / "graphiql.html"
WELCOME_QUERY = "{ me { subject org roles purpose } health { neo4j schemaVersion } }"


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's headers as the demo saved them."""

    name: str
    org: str
    headers: dict[str, str]


def load_demo_logins(path: Path) -> dict[str, DemoLogin]:
    """The demo users of ``tokens.json`` (written by ``hub demo``), or none.

    Read on every page load, so a new ``hub demo`` run's tokens show without a restart.
    """
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("demo tokens at %s unreadable: %s", path, type(exc).__name__)
        return {}
    logins = {}
    for name, entry in raw.items() if isinstance(raw, dict) else ():
        headers = entry.get("headers") if isinstance(entry, dict) else None
        if isinstance(headers, dict):
            logins[name] = DemoLogin(name, str(entry.get("org", "")),
                                     {str(k): str(v) for k, v in headers.items()})
    return logins


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def page_config(logins: Mapping[str, DemoLogin], params: Mapping[str, str]) -> dict[str, str]:
    """The editors' first contents for ``?as=USER&purpose=P&q=QUERY``.

    Returns:
        ``query`` (a comment saying who is signed in, then ``q`` or a first query) and
        ``headers`` (JSON text for the Headers pane; empty when no user is chosen).
    """
    wanted = params.get("as", "")
    links = ", ".join(f"?as={name}" for name in logins) or "(run `hub demo` to create some)"
    query = params.get("q") or WELCOME_QUERY
    login = logins.get(wanted)
    if login is None:
        intro = ([f"No demo user named {wanted!r}."] if wanted else []) + [
            "Requests need `Authorization: Bearer …` and `X-Purpose: …` (Headers pane below).",
            f"Open this page as a demo user to fill them in: {links}"]
        return {"query": _comment(intro) + query, "headers": ""}
    headers = dict(login.headers)
    note = ""
    if params.get("purpose"):
        try:
            headers["X-Purpose"] = parse_purpose(params["purpose"]).value
        except UnknownPurposeError:
            note = f" (unknown purpose {params['purpose']!r} ignored)"
    intro = [f"Signed in as the demo's {login.name} ({login.org}), "
             f"X-Purpose: {headers.get('X-Purpose', '')}{note}.",
             f"Other users: {links}; add &purpose=… to declare another purpose."]
    return {"query": _comment(intro) + query, "headers": json.dumps(headers, indent=2)}


def render_page(config: Mapping[str, str]) -> str:
    """The GraphiQL page with ``config`` embedded (escaped so no text can close the tag)."""
    payload = json.dumps(dict(config), ensure_ascii=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    template = _TEMPLATE.read_text(encoding="utf-8")
    return template.replace("__ASSETS__", ASSETS_URL).replace("__CONFIG__", payload)
