"""Listings for people and for scripts: a table, ``--json``, or ``--plain`` (TSV).

Why: a rich table fits the terminal by cutting cells (``AL0782e2fc6102bbf74…``), so a key
read from it cannot be pasted into the next command. Key columns here are never
shrunk, other long values wrap instead of being cut; ``--json`` prints the rows as a
JSON array (values as stored) and ``--plain`` prints a header line and one
tab-separated line per row, nothing cut or styled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from hub.cli._common import console

JSON_OPTION: Any = typer.Option(False, "--json", help="Print the rows as JSON (for scripts).")
PLAIN_OPTION: Any = typer.Option(False, "--plain",
                                 help="Tab-separated, a header line then one row a line, "
                                      "nothing cut (for grep, cut, awk).")


@dataclass(frozen=True)
class Column:
    """One column: the row key, its heading, and whether it is a key to copy (never cut)."""

    key: str
    heading: str
    copyable: bool = False
    justify: str = "left"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *, title: str,
         as_json: bool = False, plain: bool = False,
         cell: Callable[[str, Any], str] | None = None) -> None:
    """Print ``rows`` as a table, as JSON or as TSV.

    Args:
        rows: the records (JSON gets every key of each, not only the columns).
        columns: what the table and TSV show, in order.
        title: the table's title (not printed in JSON or TSV).
        as_json: print a JSON array.
        plain: print tab-separated lines.
        cell: how the table shows a value (default: lists joined by newlines).
    """
    if as_json and plain:
        raise typer.BadParameter("give --json or --plain, not both")
    if as_json:
        typer.echo(json.dumps([dict(r) for r in rows], ensure_ascii=False, default=str))
        return
    if plain:
        typer.echo("\t".join(c.key for c in columns))
        for row in rows:
            typer.echo("\t".join(_text(row.get(c.key)).replace("\t", " ").replace("\n", " ")
                                 for c in columns))
        return
    table = Table(title=title)
    for c in columns:
        widest = max((len(_text(r.get(c.key))) for r in rows), default=0)
        table.add_column(c.heading, justify=c.justify,  # type: ignore[arg-type]
                         no_wrap=c.copyable, min_width=widest if c.copyable else None,
                         overflow="fold")  # long values wrap; nothing is cut with "…"
    for row in rows:  # Text: a value is never read as rich markup
        table.add_row(*(Text(cell(c.key, row.get(c.key)) if cell else _cell(row.get(c.key)))
                        for c in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(_text(v) for v in value)
    return _text(value)
