"""Printing rows as a table (tabulate), CSV or JSON. JSON keeps codes, integers and ISO dates."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer


def emit(rows: list[dict[str, Any]] | dict[str, Any], fmt: str,
         columns: list[tuple[str, str]] | None = None, empty: str = "nothing to show",
         output: Path | None = None) -> None:
    """Print `rows` in `fmt`; `columns` picks and titles the table and CSV columns.

    With `output` (an .xlsx path, see options.Output) the table is written there instead.
    """
    if output is not None:
        save(output, [(output.stem, [rows] if isinstance(rows, dict) else rows, columns)])
        return
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [rows] if isinstance(rows, dict) else rows
    keys = [key for key, _ in columns] if columns else list(table[0]) if table else []
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([[row.get(k, "") for k in keys] for row in table])
        typer.echo(out.getvalue(), nl=False)
        return
    if not table:
        typer.echo(empty)
        return
    from tabulate import tabulate

    titles = [title for _, title in columns] if columns else keys
    body = [[_cell(row.get(k, "")) for k in keys] for row in table]
    typer.echo(tabulate(body, headers=titles, tablefmt="simple", disable_numparse=True,
                        colalign=[_align(table, k) for k in keys]))


def save(output: Path, tables: Sequence[tuple[str, list[dict[str, Any]],
                                             list[tuple[str, str]] | None]]) -> None:
    """Write (sheet title, rows, columns) tables to one workbook and say so."""
    from .workbook import save as write

    count = write(output, tables)
    typer.echo(f"wrote {count:,} rows to {output}")


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _align(table: list[dict[str, Any]], key: str) -> str:
    numeric = all(isinstance(row.get(key), int) and not isinstance(row.get(key), bool)
                  for row in table)
    return "right" if numeric else "left"
