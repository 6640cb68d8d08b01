"""Cells a spreadsheet shows and never runs (issue #22, finding 8; OWASP "CSV injection").

A spreadsheet reads a cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a household named `=HYPERLINK("http://…","bấm")` became a link
in the receipt sheet, a receipt `=2+2` printed as 4 in the statement. Every CSV and workbook
the ledger writes passes its cells through here:

- CSV: such a text gets a leading `'`, which Excel and LibreOffice show as a plain text mark;
- XLSX: such a text is written as a text cell with the "quote prefix" style, so it displays
  literally and stays text when someone edits it.

Numbers stay numbers (a negative quantity in a numeric cell is a number, not a formula), and
every other text is written exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def risky(value: Any) -> bool:
    """True for a text (not a number) a spreadsheet would take for a formula."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return False
    return str(value).startswith(FORMULA_START)


def inert(value: Any) -> Any:
    """A CSV cell: `value` as the csv module would write it, a risky text quoted with `'`."""
    return "'" + str(value) if risky(value) else value


def inert_row(values: Iterable[Any]) -> list[Any]:
    return [inert(value) for value in values]


def as_text(cell: Any) -> None:
    """An openpyxl cell holding a risky text: a literal text cell, never a formula."""
    if cell.data_type == "f" or risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
