"""``hub verify household|reviews``: household economic-status verification (家庭经济状况核对).

Prints the determination as JSON (and writes a printable HTML report with ``--html``), or
the households of a region due for re-verification. The output holds person ids and
figures, never names or ID numbers, and only what the field policy gives ``--role`` for
``--purpose`` (default: a verifier verifying — no health flags, no ages), key by key as the
API decides the same facts; consent and the audit log are the API's business, not this
operator command's.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from hub.auth import Principal
from hub.cli._common import console, err_console, hub_errors, settings
from hub.privacy_graph.kit import open_privacy
from hub.rules.redact import FieldDecider, policy_decider
from hub.rules.report import review_dict, to_html, to_json
from hub.rules.reviews import reviews_due
from hub.rules.verify import Verifier
from hub.store import Store
from privacy import Purpose, Role, UnknownPurposeError, parse_purpose, purpose_allowed

app = typer.Typer(help="Verify a household's economic status; list reviews due.",
                  no_args_is_help=True)


def _as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from exc


def _decider(role: str, purpose: str) -> FieldDecider:
    """The field policy of ``role`` for ``purpose`` (refused when the pair has no entry)."""
    try:
        wanted: Purpose = parse_purpose(purpose)
    except UnknownPurposeError as exc:
        raise typer.BadParameter(str(exc), param_hint="--purpose") from exc
    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"use one of {', '.join(r.value for r in Role)}",
                                 param_hint="--role")
    who = Principal(subject="cli", org="", roles=(role,), regions=())
    if not purpose_allowed(who, wanted):
        raise typer.BadParameter(f"role {role} has no policy for purpose {wanted.value}",
                                 param_hint="--purpose")
    return policy_decider(who, wanted)


@app.command("household")
def household(
    id_number: str | None = typer.Option(None, "--id-number",
                                         help="Applicant's resident ID number."),
    person: str | None = typer.Option(None, "--person", help="Applicant's hub person id."),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
    html: Path | None = typer.Option(None, "--html", dir_okay=False,
                                     help="Also write a printable HTML report here."),
    role: str = typer.Option("verifier", "--role",
                             help="Whose view to print: the field policy of this role …"),
    purpose: str = typer.Option("verification", "--purpose", help="… for this purpose."),
) -> None:
    """Verify the applicant's household: category, amount, and every rule applied."""
    if (id_number is None) == (person is None):
        raise typer.BadParameter("give exactly one of --id-number or --person")
    day = _as_of(as_of)
    decide_field = _decider(role, purpose)
    s = settings()
    with hub_errors(), Store.connect(s) as store:
        verifier = Verifier(store, open_privacy(s))
        determination = verifier.verify_household(id_number or person or "", day)
    console.print_json(to_json(determination, decide_field))
    if html is not None:
        html.write_text(to_html(determination, decide_field), encoding="utf-8")
        err_console.print(f"report written to {html}")


@app.command("reviews")
def reviews(
    region: str = typer.Option(..., "--region", help="6-digit 行政区划 code."),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
    horizon_days: int | None = typer.Option(None, help="Look-ahead after as-of (days)."),
) -> None:
    """List the region's households due for re-verification, with the reason for each."""
    day = _as_of(as_of)
    s = settings()
    with hub_errors(), Store.connect(s) as store:
        due = reviews_due(Verifier(store, open_privacy(s)), region, day,
                          horizon_days=horizon_days)
    console.print_json(json.dumps([review_dict(r) for r in due], ensure_ascii=False))
