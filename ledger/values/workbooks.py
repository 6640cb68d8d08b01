"""Reading the files treasurers and banks send: CSV text in whatever encoding Excel chose, and
one sheet of an .xlsx workbook.

Shared by the spreadsheet imports (commands/recording/spreadsheets.py) and bank statements
(ledger/bank/statements.py), so both decode alike and refuse an unreadable file alike.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from ledger.errors import BadInput

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _bom_encoding(start: bytes) -> str | None:
    """The encoding a byte-order mark at the start of a text names, if it has one."""
    return next((encoding for bom, encoding in _BOMS if start.startswith(bom)), None)


def decode(data: bytes) -> str:
    """Text from Excel's CSV flavours: BOM says UTF-8 or UTF-16; else UTF-8; else Windows-1258.

    Windows-1258 writes Vietnamese tone marks as combining characters, so the text is NFC-composed
    afterwards (by `clean`, cell by cell) to compare equal to what was typed elsewhere.
    """
    marked = _bom_encoding(data)
    if marked is not None:
        return data.decode(marked)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def text_encoding(path: Path) -> str:
    """`decode`'s choice for a file, made reading it a megabyte at a time: the BOM's encoding,
    else UTF-8 if all of it is, else Windows-1258."""
    with path.open("rb") as handle:
        marked = _bom_encoding(handle.read(4))
        if marked is not None:
            return marked
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258"
    return "utf-8"


@contextmanager
def worksheet(path: Path, sheet: str | None = None, merged: bool = False) -> Iterator[Any]:
    """The first sheet (or `sheet`) of the workbook at `path`, read-only, values not formulas;
    the workbook is closed afterwards. `merged`: a merged cell reads as its range's first (a
    list's tổ merged over its rows); not for a bank statement, whose wrapped description rows
    are continuations that must stay empty in the other columns."""
    import openpyxl  # only the commands that read workbooks pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise BadInput("{name} is not a readable .xlsx workbook ({error})",
                       name=path.name, error=error) from None
    try:
        if sheet is None:
            found = book.worksheets[0]
        elif sheet in book.sheetnames:
            found = book[sheet]
        else:
            names = ", ".join(f"'{name}'" for name in book.sheetnames)
            raise BadInput("{name} has no sheet '{sheet}': its sheets are {names}",
                           name=path.name, sheet=sheet, names=names)
        found.reset_dimensions()  # trust the cells, not a stale size some writers leave
        ranges = _merged(path, found._worksheet_path) if merged else []
        yield _Filled(found, ranges) if ranges else found
    finally:
        book.close()


_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (min_col, min_row, max_col, max_row), found by scanning its
    XML a megabyte at a time: a read-only sheet does not say, and reads every merged cell but
    the first as empty (a tổ merged over its households' rows would read as no group)."""
    from openpyxl.utils.cell import range_boundaries

    with zipfile.ZipFile(path) as archive:
        found = {match.group(1) for match in xml_matches(archive, part.lstrip("/"), _MERGE)}
    return sorted(range_boundaries(ref.decode()) for ref in found)


def xml_matches(archive: zipfile.ZipFile, part: str,
                pattern: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
    """Matches of `pattern` in one XML part of a workbook, read a megabyte at a time; the last
    100 bytes of each read are read again with the next, so a match that straddles two reads
    is found (and a short one may be found twice)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            yield from pattern.finditer(data)
            tail = data[-100:]


class _Cell(NamedTuple):
    value: Any
    row: int


class _Filled:
    """A read-only sheet whose merged cells each read as their range's first cell: what the
    person who merged them meant (one tổ for five households' rows)."""

    def __init__(self, sheet: Any, ranges: list[tuple[int, int, int, int]]) -> None:
        self.sheet, self.title = sheet, sheet.title
        self.rows: dict[int, list[tuple[int, int, int, int]]] = {}  # row -> ranges over it
        for each in ranges:
            for row in range(each[1], each[3] + 1):
                self.rows.setdefault(row, []).append(each)

    def iter_rows(self) -> Iterator[tuple[Any, ...]]:
        first: dict[tuple[int, int], Any] = {}  # a range's first cell -> its value
        for cells in self.sheet.iter_rows():
            row = numbered(cells)
            covering = self.rows.get(row, []) if row is not None else []
            if not covering:
                yield cells
                continue
            values = [cell.value for cell in cells]
            for min_col, min_row, max_col, _ in covering:
                if row == min_row and min_col <= len(values):
                    first[(min_row, min_col)] = values[min_col - 1]
                value = first.get((min_row, min_col))
                values += [None] * (max_col - len(values))
                for column in range(min_col, max_col + 1):
                    if (row, column) != (min_row, min_col):
                        values[column - 1] = value
            yield tuple(_Cell(value, row) for value in values)


def numbered(cells: Any) -> int | None:
    """The row number of a row of cells, None for a row with no real cell."""
    rows = [cell.row for cell in cells if getattr(cell, "row", None)]
    return rows[0] if rows else None
