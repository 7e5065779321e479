"""``hub token issue``: sign a development bearer token (HS256).

Uses HUB_JWT_SECRET when set, otherwise the development secret under the data dir (the
one ``hub demo`` / ``hub serve --dev`` verify with). Production deployments use their
identity provider's RS256 tokens instead. Every token issued is recorded in the audit log
first (its id, subject, roles, regions and lifetime; never the token), so issuing needs
the hub's Neo4j; a token that could not be recorded is not printed. Operating roles
(sysadmin, security_admin, auditor) are refused in combination with any other role.
"""

from __future__ import annotations

from datetime import timedelta

import jwt
import typer

from hub.auth import AuthenticationError, dev_secret, issue_dev_token
from hub.cli._common import console, err_console, hub_errors, settings
from hub.privacy_graph.security_events import record_operation

app = typer.Typer(help="Bearer tokens for development and tests.", no_args_is_help=True)


@app.command()
def issue(
    org: str = typer.Option(..., help="Organisation: 民政, 医保, 教育, … or a charity id."),
    role: list[str] = typer.Option(..., help="Role (repeatable): verifier, caseworker, "
                                   "department, charity, sysadmin, security_admin, auditor."),
    region: list[str] = typer.Option([], help="6-digit region code (repeatable)."),
    subject: str = typer.Option("dev-user", help="Token subject (staff id)."),
    hours: float = typer.Option(8.0, help="Validity in hours."),
) -> None:
    """Print a signed token; send it as the header 'Authorization: Bearer TOKEN'."""
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
    claims = jwt.decode(token, options={"verify_signature": False})
    reason = (f"token {claims['jti']} for {subject}: roles {','.join(sorted(role))}, "
              f"regions {','.join(sorted(region)) or 'none'}, {hours:g} h")
    with hub_errors():  # not audited, not issued
        record_operation(s, "security.token_issue", reason, org=org)
    console.print(token, soft_wrap=True, highlight=False)
