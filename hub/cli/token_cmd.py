"""``hub token issue``: sign a development bearer token (HS256).

Uses HUB_JWT_SECRET when set, otherwise the development secret under the data dir (the
one ``hub demo`` / ``hub serve --dev`` verify with). Production deployments use their
identity provider's RS256 tokens instead.
"""

from __future__ import annotations

from datetime import timedelta

import typer

from hub.auth import AuthenticationError, dev_secret, issue_dev_token
from hub.cli._common import console, err_console, hub_errors, settings

app = typer.Typer(help="Bearer tokens for development and tests.", no_args_is_help=True)


@app.command()
def issue(
    org: str = typer.Option(..., help="Organisation: 民政, 医保, 教育, … or a charity id."),
    role: list[str] = typer.Option(..., help="Role (repeatable): verifier, caseworker, "
                                   "department, charity, auditor, admin."),
    region: list[str] = typer.Option([], help="6-digit region code (repeatable)."),
    subject: str = typer.Option("dev-user", help="Token subject (staff id)."),
    hours: float = typer.Option(8.0, help="Validity in hours."),
) -> None:
    """Print a signed token; send it as ``Authorization: Bearer <token>``."""
    s = settings()
    with hub_errors():
        secret = s.jwt_secret or dev_secret(s.dev_jwt_secret_path)
    try:
        token = issue_dev_token(secret, subject=subject, org=org, roles=role, regions=region,
                                ttl=timedelta(hours=hours), audience=s.jwt_audience,
                                issuer=s.jwt_issuer)
    except AuthenticationError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(token, soft_wrap=True, highlight=False)
