"""Reading .xlsx workbooks as treasurers and banks send them: one sheet, its cells' values.

Shared by the spreadsheet imports (commands/recording/spreadsheets.py) and bank statements
(ledger/bank/statements.py), so both refuse an unreadable file or a missing sheet alike.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger.errors import BadInput


@contextmanager
def worksheet(path: Path, sheet: str | None = None) -> Iterator[Any]:
    """The first sheet (or `sheet`) of the workbook at `path`, read-only, values not formulas;
    the workbook is closed afterwards."""
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
        yield found
    finally:
        book.close()


def numbered(cells: Any) -> int | None:
    """The row number of a row of cells, None for a row with no real cell."""
    rows = [cell.row for cell in cells if getattr(cell, "row", None)]
    return rows[0] if rows else None
