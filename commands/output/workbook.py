"""Reports as .xlsx workbooks: one sheet per table, typed cells a treasurer can sum and sort.

Integers stay numbers (with thousands separators), ratios numbers with their places, ISO dates
real date cells shown as dd/mm/yyyy, yes/no the reader's words ("có"/"không"); the header row is
bold and frozen, columns are sized to their contents. openpyxl is imported only here, when a
workbook is asked for.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from commands.language.words import (
    DECIMAL,
    FIGURES,
    UTC_STAMP,
    _,
    current,
    is_day,
    message,
    utc_moment,
)
from commands.output.cells import as_text
from ledger.errors import BadInput
from ledger.phrases import Money, Phrase

Columns = Sequence[tuple[str, str]] | None
# (title, rows, columns), or with the keys of its columns of đồng (written "350.000 ₫")
Table = tuple[str, list[dict[str, Any]], Columns] | \
    tuple[str, list[dict[str, Any]], Columns, Sequence[str]]

_IDS = {"id", "entry", "position", "version"}  # entry numbers read better without separators
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def save(path: Path, tables: Sequence[Table]) -> int:
    """Write each (title, rows, columns) table as a sheet of one workbook; returns rows written."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    written = 0
    for title, rows, columns, *money in tables:
        written += _sheet(book, title, rows, columns, money=money[0] if money else ())
    _atomically(book, path)
    return written


def save_form(path: Path, title: str, rows: list[dict[str, Any]], columns: Columns,
              above: Sequence[Sequence[Any]] = (), below: Sequence[Sequence[Any]] = ()) -> int:
    """One sheet laid out as a paper form: the `above` lines (a heading, the facts), the table,
    then the `below` lines (the signature block); returns the table's rows written."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    written = _sheet(book, title, rows, columns, above, below)
    _atomically(book, path)
    return written


def _sheet(book: Any, title: str, rows: list[dict[str, Any]], columns: Columns,
           above: Sequence[Sequence[Any]] = (), below: Sequence[Sequence[Any]] = (),
           money: Sequence[str] = ()) -> int:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # marked N_ where it is named: what the sheet holds, in the reader's language
    sheet = book.create_sheet(_title(book, _(title)))
    for line in above:
        sheet.append(list(line))
        for cell in sheet[sheet.max_row]:
            as_text(cell)
    keys = [key for key, _name in columns] if columns else list(rows[0]) if rows else []
    titles = [_(name) for _key, name in columns] if columns else [_(key) for key in keys]
    sheet.append(titles)
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        as_text(cell)  # a heading such as "= in" is a text, not a formula
    widths = [len(str(name)) for name in titles]
    for row in rows:
        values = [_value(row.get(key)) for key in keys]
        sheet.append(values)
        for index, (key, value) in enumerate(zip(keys, values)):
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            as_text(cell)  # a name such as "=HYPERLINK(…)" is shown, never run
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, float):  # a ratio, "0.5146": a number, its places kept
                cell.number_format = "0." + "0" * len(str(row.get(key)).partition(".")[2])
            elif isinstance(value, Money) or (isinstance(value, int) and
                                              not isinstance(value, bool) and key in money):
                cell.number_format = _money_format()  # still a number: it sums
            elif isinstance(value, int) and not isinstance(value, bool) and key not in _IDS:
                cell.number_format = "#,##0"
            widths[index] = max(widths[index], _shown_width(value))
    for line in below:
        sheet.append(list(line))
        for cell in sheet[sheet.max_row]:
            as_text(cell)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = f"A{header + 1}"
    _printable(sheet, sum(min(width + 2, 60) for width in widths), header)
    return len(rows)


WIDE = 80  # column widths (characters) beyond which a sheet prints landscape: A4 portrait
# holds about 85 at the default font


def _money_format() -> str:
    """Whole đồng with the reader's currency sign after them, as a literal of the cell's
    format ("#,##0\u00a0₫" shows 350000 as 350.000 ₫ in a Vietnamese spreadsheet)."""
    sign = FIGURES[current()].money.format("").strip()  # "₫", "VND"
    space = "\u00a0" if current() == "vi" else " "
    return f'#,##0"{space}{sign}"'


def _printable(sheet: Any, width: int, header: int = 1) -> None:
    """Made to be printed: A4, fit to one page wide (as many tall as it takes), landscape when
    the columns are wide, the header row repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > WIDE else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{header}:{header}"


def _title(book: Any, title: str) -> str:
    """A legal, unique sheet name: at most 31 characters, so long titles lose their gloss, and
    a name still too long is cut after a whole word, never inside one."""
    name = " ".join(_SHEET_NAME.sub(" ", title).split())
    if len(name) > 31:
        name = re.sub(r"\s*\(.*?\)", "", name)
    name = _words_within(name, 31) or "report"
    taken = {existing.lower() for existing in book.sheetnames}
    unique, number = name, 2
    while unique.lower() in taken:
        unique = f"{_words_within(name, 31 - len(str(number)) - 1)} {number}"
        number += 1
    return unique


def _words_within(name: str, limit: int) -> str:
    """`name` if it fits in `limit` characters, else the whole words of it that do (without a
    trailing comma or dash); a single word longer than that is cut, having nothing else."""
    if len(name) <= limit:
        return name
    cut = name[:limit + 1].rsplit(" ", 1)[0] if " " in name[:limit + 1] else name[:limit]
    return cut.rstrip(" ,;:-–—·") or name[:limit].rstrip()


def _value(value: Any) -> Any:
    """A report value as a typed cell value."""
    if isinstance(value, bool):  # the word the screen shows: a spreadsheet's TRUE/FALSE is English
        return _("yes") if value else _("no")
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Phrase):  # a description: in the reader's language, a plain str
        return message(value)
    if isinstance(value, str):
        if type(value) is not str:  # a Verbatim code, "5243.90313": as written
            return str(value)
        if is_day(value):
            return date.fromisoformat(value)
        if DECIMAL.fullmatch(value):  # a ratio, "0.5146": a number the sheet shows as 0,5146
            return float(value)
        if UTC_STAMP.fullmatch(value):  # a stored moment: "07/12/2026 13:18 UTC"
            return utc_moment(value, current())
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _shown_width(value: Any) -> int:
    if isinstance(value, date):
        return 10
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return max((len(line) for line in str(value if value is not None else "").splitlines()),
               default=0)


def _atomically(book: Any, path: Path) -> None:
    """Save next to the target, then rename: a failed save never leaves half a workbook. A
    missing folder, or one that takes no files (/proc), a full disk: as every -o says them
    (commands/output/printing.py)."""
    from commands.output.printing import writing

    temporary = None
    with writing(path):
        try:
            handle, temporary = tempfile.mkstemp(prefix=".aid-", suffix=".xlsx", dir=path.parent)
            os.close(handle)
            book.save(temporary)
            os.replace(temporary, path)
        except PermissionError:  # open in Excel, on Windows: the usual reason, said as such
            raise BadInput("cannot write {path}: it is read-only or open in another program "
                           "(close it in Excel and try again)", path=path) from None
        finally:
            if temporary and os.path.exists(temporary):
                os.remove(temporary)
