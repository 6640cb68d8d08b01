"""Printing rows as a table (tabulate), CSV or JSON. JSON and CSV keep codes, integers and ISO
dates; a table or a workbook is for people, so its headings are in the reader's language."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import typer

from commands.language.words import (
    DECIMAL,
    N_,
    _,
    current,
    day,
    decimal,
    is_day,
    message,
    number,
    say,
)
from commands.language.words import money as lg_money
from commands.output.cells import inert_row
from ledger.phrases import Money, Phrase
from ledger.store.decoding import dumps, loads


def emit(rows: list[dict[str, Any]] | dict[str, Any], fmt: str,
         columns: list[tuple[str, str]] | None = None, empty: str = N_("nothing to show"),
         output: Path | None = None, money: Sequence[str] = (),
         sheet: str | None = None) -> None:
    """Print `rows` in `fmt`; `columns` picks the columns and (marked with N_) titles them;
    a table writes the `money` columns as the language writes money ("350,000 VND").

    With `output` (an .xlsx path, see options.Output) the table is written there instead, on
    a sheet titled `sheet` (marked with N_): named for what it holds, in the reader's language,
    as the sheets of the workbooks of several tables are, never after the file.
    """
    if output is not None:
        if sheet is None:
            raise TypeError("a workbook's sheet needs its title: emit(..., sheet=N_(...))")
        save(output, [(sheet, [rows] if isinstance(rows, dict) else rows, columns, money)])
        return
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [rows] if isinstance(rows, dict) else rows
    keys = [key for key, _title in columns] if columns else list(table[0]) if table else []
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(inert_row(keys))
        writer.writerows([inert_row(row.get(k, "") for k in keys) for row in table])
        typer.echo(out.getvalue(), nl=False)
        return
    if not table:
        typer.echo(message(empty) if isinstance(empty, Phrase) else _(empty))
        return
    typer.echo(tabulated(table, keys, columns, money))


def tabulated(table: list[dict[str, Any]], keys: list[str],
              columns: list[tuple[str, str]] | None, money: Sequence[str] = ()) -> str:
    """The table `emit` prints: the titles, a rule, then a line per row, in that order."""
    from tabulate import tabulate

    titles = [_(title) for _key, title in columns] if columns else [_(key) for key in keys]
    body = [[_cell(row.get(k, ""), k in money) for k in keys] for row in table]
    return tabulate(body, headers=titles, tablefmt="simple", disable_numparse=True,
                    colalign=[_align(table, k) for k in keys])


def emit_stream(rows: Iterable[dict[str, Any]], fmt: str,
                columns: list[tuple[str, str]] | None = None,
                empty: str = N_("nothing to show"), output: Path | None = None,
                money: Sequence[str] = (), sheet: str | None = None) -> None:
    """`emit` for rows that come one at a time (a million history lines, say): the same text,
    printed as it is made, so memory does not grow with the rows. A table needs its column
    widths before its first line, so its cells are spooled to a temporary file first."""
    if output is not None:  # a workbook is written whole
        emit(list(rows), fmt, columns, empty, output, money, sheet)
        return
    if fmt == "json":
        echo_json(Streamed(rows))
        return
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        emit([], fmt, columns, empty, output, money)
        return
    rows = itertools.chain([first], rows)
    keys = [key for key, _title in columns] if columns else list(first)
    if fmt == "csv":
        _stream_csv(rows, keys)
        return
    titles = [_(title) for _key, title in columns] if columns else [_(key) for key in keys]
    _stream_table(rows, keys, titles, money)


class Streamed(list):
    """An iterable that `json` writes as a list, one item at a time: the encoder only writes
    lists, so this list hands out the items of an iterator instead of holding them."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self._items = iter(items)
        self._first: list[Any] | None = None

    def __len__(self) -> int:  # `json` asks whether the list is empty ("[]") first
        if self._first is None:
            self._first = [item for item in itertools.islice(self._items, 1)]
        return len(self._first)

    def __iter__(self) -> Iterator[Any]:
        len(self)
        yield from self._first or ()
        yield from self._items


def echo_json(value: Any) -> None:
    """Print what `json.dumps(value, ensure_ascii=False, indent=2)` returns, piece by piece
    (the same encoder: dumps joins these very pieces)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
    with _Printer() as out:
        for piece in encoder.iterencode(value):
            out.write(piece)


class _Printer:
    """Text printed in chunks of about 64 kB, ending with one newline like `typer.echo(text)`
    (echo flushes each call, so one call per line would be slow)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 65536:
            typer.echo("".join(self.parts), nl=False)
            self.parts, self.size = [], 0

    def __enter__(self) -> _Printer:
        return self

    def __exit__(self, *failure: Any) -> None:
        if failure[0] is None:
            typer.echo("".join(self.parts))


def _stream_csv(rows: Iterable[dict[str, Any]], keys: list[str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(inert_row(keys))
    for count, row in enumerate(rows, 1):
        writer.writerow(inert_row(row.get(k, "") for k in keys))
        if count % 2000 == 0:
            typer.echo(out.getvalue(), nl=False)
            out.seek(0)
            out.truncate()
    typer.echo(out.getvalue(), nl=False)


def _stream_table(rows: Iterable[dict[str, Any]], keys: list[str], titles: list[str],
                  money: Sequence[str]) -> None:
    """The table tabulate prints ("simple", numbers not parsed, `_align`ed), in two passes over
    a spool of cells: the first finds widths and alignment, the second prints. Cells tabulate
    treats specially (line breaks, terminal colour codes, its separating-line mark) are left
    to tabulate itself, over the spooled rows."""
    width = _width_function()
    widths = [width(title) + 2 for title in titles]
    numeric = [True] * len(keys)
    plain = not any(_SPECIAL.search(title) for title in titles)
    with tempfile.TemporaryFile() as spool:
        for row in rows:
            values = [row.get(k, "") for k in keys]
            numeric = [was and (k not in row or isinstance(v, int) and not isinstance(v, bool))
                       for was, k, v in zip(numeric, keys, values)]  # a total row's gaps: any
            cells = [_cell(v, k in money) for k, v in zip(keys, values)]
            if plain and any(_SPECIAL.search(cell) for cell in cells):
                plain = False
            widths = [max(w, width(cell.strip())) for w, cell in zip(widths, cells)]
            spool.write(dumps(cells) + b"\n")
        spool.seek(0)
        aligns = ["right" if number else "left" for number in numeric]
        body = (loads(line) for line in spool)
        if plain and min(widths, default=-1) >= 0:  # no columns: tabulate says what it says
            _print_table(body, titles, widths, aligns, width)
        else:
            from tabulate import tabulate

            typer.echo(tabulate(list(body), headers=titles, tablefmt="simple",
                                disable_numparse=True, colalign=aligns))


_SPECIAL = re.compile("[\r\n\x1b\x01]")  # line breaks, colour codes, tabulate's SEPARATING_LINE


def _width_function() -> Callable[[str], int]:
    """The width tabulate gives a plain cell: wcwidth's terminal columns when it is installed
    (and its wide-character mode on), else the number of characters."""
    import tabulate

    if tabulate.wcwidth is not None and tabulate.WIDE_CHARS_MODE:
        return tabulate.wcwidth.wcswidth
    return len


def _print_table(body: Iterable[list[str]], titles: list[str], widths: list[int],
                 aligns: list[str], width: Callable[[str], int]) -> None:
    """tabulate's "simple" layout: titles padded like the column, a dashed rule, then the
    rows; cells stripped, two spaces between columns, trailing spaces cut."""
    def line(cells: Iterable[str]) -> str:
        padded = [cell.rjust(w - (width(cell) - len(cell))) if align == "right"
                  else cell.ljust(w - (width(cell) - len(cell)))
                  for cell, w, align in zip(cells, widths, aligns)]
        return "  ".join(padded).rstrip()

    lines = [line(titles), "  ".join("-" * w for w in widths).rstrip()]
    for cells in body:
        lines.append(line(cell.strip() for cell in cells))
        if len(lines) >= 2000:
            typer.echo("\n".join(lines))
            lines = []
    if lines:
        typer.echo("\n".join(lines))


def save(output: Path, tables: Sequence[tuple[Any, ...]]) -> None:
    """Write (sheet title, rows, columns[, money columns]) tables to one workbook and say
    so."""
    from commands.output.workbook import save as write

    count = write(output, tables)
    typer.echo(say("wrote {count:,} rows to {output}", count=count, output=output))


def _cell(value: Any, is_money: bool = False) -> str:
    if (is_money and type(value) is int) or isinstance(value, Money):
        return lg_money(int(value), current())
    if isinstance(value, Phrase):
        return message(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else (_("yes") if value else _("no"))
    if isinstance(value, int):
        return number(value, current())
    if current() == "vi" and type(value) is str and is_day(value):  # not a Verbatim code
        return day(value, "vi")  # 17/11/2021
    if current() == "vi" and type(value) is str and DECIMAL.fullmatch(value):
        return decimal(value, "vi")  # a ratio: 0,5146
    return str(value)




def _align(table: list[dict[str, Any]], key: str) -> str:
    """Numbers to the right; a row without the column at all (a total row) does not count."""
    numeric = all(isinstance(row[key], int) and not isinstance(row[key], bool)
                  for row in table if key in row)
    return "right" if numeric else "left"
