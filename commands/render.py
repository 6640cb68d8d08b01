"""Printing rows as a table (tabulate), CSV or JSON. JSON and CSV keep codes, integers and ISO
dates; a table or a workbook is for people, so its headings are in the reader's language."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from ledger.phrases import Phrase

from .language import N_, _, current, day, message, number, say
from .language import money as lg_money


def emit(rows: list[dict[str, Any]] | dict[str, Any], fmt: str,
         columns: list[tuple[str, str]] | None = None, empty: str = N_("nothing to show"),
         output: Path | None = None, money: Sequence[str] = ()) -> None:
    """Print `rows` in `fmt`; `columns` picks the columns and (marked with N_) titles them;
    a table writes the `money` columns as the language writes money ("350,000 VND").

    With `output` (an .xlsx path, see options.Output) the table is written there instead.
    """
    if output is not None:
        save(output, [(output.stem, [rows] if isinstance(rows, dict) else rows, columns)])
        return
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [rows] if isinstance(rows, dict) else rows
    keys = [key for key, _title in columns] if columns else list(table[0]) if table else []
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([[row.get(k, "") for k in keys] for row in table])
        typer.echo(out.getvalue(), nl=False)
        return
    if not table:
        typer.echo(_(empty))
        return
    from tabulate import tabulate

    titles = [_(title) for _key, title in columns] if columns else [_(key) for key in keys]
    body = [[_cell(row.get(k, ""), k in money) for k in keys] for row in table]
    typer.echo(tabulate(body, headers=titles, tablefmt="simple", disable_numparse=True,
                        colalign=[_align(table, k) for k in keys]))


def save(output: Path, tables: Sequence[tuple[str, list[dict[str, Any]],
                                             list[tuple[str, str]] | None]]) -> None:
    """Write (sheet title, rows, columns) tables to one workbook and say so."""
    from .workbook import save as write

    count = write(output, tables)
    typer.echo(say("wrote {count:,} rows to {output}", count=count, output=output))


def _cell(value: Any, is_money: bool = False) -> str:
    if is_money and type(value) is int:
        return lg_money(value, current())
    if isinstance(value, Phrase):
        return message(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else (_("yes") if value else _("no"))
    if isinstance(value, int):
        return number(value, current())
    if current() == "vi" and isinstance(value, str) and ISO_DATE.fullmatch(value):
        return day(value, "vi")  # 17/11/2021
    return str(value)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _align(table: list[dict[str, Any]], key: str) -> str:
    numeric = all(isinstance(row.get(key), int) and not isinstance(row.get(key), bool)
                  for row in table)
    return "right" if numeric else "left"
