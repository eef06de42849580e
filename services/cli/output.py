"""How `regtl` prints: listings and one-line errors (docs/cli.md).

A listing is a table on a terminal, tab-separated rows with a header line when piped (rich
cuts cells to fit 80 columns when it cannot see a terminal, and a cut key id cannot be fed
to `keys revoke`), and a JSON array with --json. rich is imported only for the terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import typer


def fail(message: str) -> typer.Exit:
    """Print `error: MESSAGE` as one line on stderr; raise what it returns (exit code 1)."""
    label = typer.style("error:", fg="red", bold=True)
    typer.echo(f"{label} {' '.join(message.splitlines())}", err=True)  # one line, never wrapped
    return typer.Exit(code=1)


def print_listing(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    records: Sequence[dict[str, Any]],
    *,
    as_json: bool,
) -> None:
    """`records` for --json (typed values, null for none); `rows` for people and pipes."""
    if as_json:
        sys.stdout.write(json.dumps(list(records), indent=2) + "\n")
    elif sys.stdout.isatty():
        _table(columns, rows)
    else:
        for row in (columns, *rows):
            sys.stdout.write("\t".join(_cell(v) for v in row) + "\n")


def _cell(value: str) -> str:
    # A tab or newline inside a value (a key's name) would shift every column after it.
    return value.replace("\t", " ").replace("\n", " ")


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for column in table.columns:
        column.overflow = "fold"  # a narrow terminal wraps a value; it never drops characters
    for row in rows:
        table.add_row(*row)
    Console().print(table)
