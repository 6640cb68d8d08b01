"""Reading the tables treasurers are sent: .xlsx workbooks and CSV in whatever encoding Excel chose.

Every reader returns the same shape, `(row number, {column: text})` for each non-empty data row,
with the row number the user sees in Excel (the header is usually row 1), so an import's error
"line 7" points at row 7 of the sheet. Column names may be English or Vietnamese, with or
without diacritics ("Số phiếu", "so phieu", "Receipt"): they are folded and mapped onto the
English names `ledger.bulk` (and any other importer) reads. Cell values come back as clean NFC
text: whole numbers without ".0", dates as ISO text, so the ledger's own parsers apply.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ledger.errors import BadInput
from ledger.phrases import N_, Phrase
from ledger.values.text import clean, fold
from ledger.values.workbooks import decode, numbered, worksheet, xml_matches

Rows = list[tuple[int, dict[str, str]]]


class Sheet(list):  # type: ignore[type-arg]
    """The data rows (a list, as before), and where the header was: `header_line` (the row
    number the user sees) and `headers` ({column name: the header text as written})."""

    header_line: int = 1
    headers: dict[str, str]

    def __init__(self, rows: Rows = (), header_line: int = 1,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(rows)
        self.header_line, self.headers = header_line, dict(headers or {})

# Folded header text -> the column name importers read. English names map to themselves.
COLUMNS: dict[str, tuple[str, ...]] = {
    "receipt": ("receipt", "receipt no", "so phieu", "so phieu thu", "phieu thu", "so bien lai",
                "bien lai"),
    "date": ("date", "on", "ngay", "ngay thang", "ngay nhan", "ngay trao"),
    "donor": ("donor", "nha hao tam", "manh thuong quan", "nguoi ung ho", "don vi ung ho"),
    "location": ("location", "kho", "ma kho", "dia diem", "noi"),
    "cash": ("cash", "tien", "so tien", "tien mat"),
    "items": ("items", "goods", "hang", "hang hoa", "hien vat"),
    "note": ("note", "ghi chu"),
    "expires": ("expires", "expiry", "han dung", "han su dung", "hsd"),
    "recipient": ("recipient", "nguoi nhan", "ho nhan", "ho"),
    "bundles": ("bundles", "phan qua", "so phan qua", "tui an sinh"),
    "slip": ("slip", "so phieu nhan", "phieu nhan"),
    # the recipients register (household lists), as wards head them
    "code": ("code", "ma", "ma ho", "ma so ho", "ma ho gia dinh", "ma so"),
    "name": ("name", "ho ten", "ho va ten", "ten", "chu ho", "ho ten chu ho", "ho va ten chu ho",
             "ten chu ho", "chu ho gia dinh", "nguoi dai dien", "ho ten nguoi nhan"),
    "group": ("group", "to", "to dan pho", "to so", "so to", "to tdp", "to tu quan", "nhom",
              "khu pho"),
    "size": ("size", "so nhan khau", "nhan khau", "so nguoi", "so khau", "so thanh vien",
             "so nguoi trong ho"),
    "tier": ("tier", "dien", "uu tien", "muc uu tien", "thu tu uu tien", "dien uu tien"),
    "excluded": ("excluded", "loai tru", "khong nhan", "bi loai", "bi loai khoi danh sach",
                 "loai khoi danh sach"),
    "phone": ("phone", "dien thoai", "so dien thoai", "sdt", "dt", "so dt", "dtdd",
              "dien thoai lien he"),
    "id_number": ("id number", "id_number", "cccd", "so cccd", "cmnd", "so cmnd",
                  "so dinh danh", "so cccd cmnd", "so cmnd cccd", "cccd cmnd", "cmnd cccd",
                  "so dinh danh ca nhan", "so can cuoc", "can cuoc cong dan"),
    "number": ("stt", "tt", "so tt", "so thu tu", "no"),  # a row number: read, never used
}
# How a Vietnamese sheet usually heads each column (for messages and the README).
VIETNAMESE = {"receipt": "số phiếu thu", "date": "ngày", "donor": "nhà hảo tâm", "location": "kho",
              "cash": "tiền", "items": "hàng", "note": "ghi chú", "recipient": "người nhận",
              "bundles": "phần quà", "slip": "số phiếu nhận", "code": "mã hộ", "name": "họ tên",
              "group": "tổ", "size": "số nhân khẩu", "tier": "diện", "excluded": "loại trừ",
              "phone": "số điện thoại", "id_number": "số CCCD", "expires": "hạn sử dụng",
              "number": "STT"}
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


def read_rows(path: Path, sheet: str | None = None,
              example: Sequence[Any] | None = None) -> Sheet:
    """The data rows of a .xlsx, .ods (first sheet, or `sheet`) or .csv file, keyed by column
    name. `example`: the columns a file without a header row is told to name (those the
    importer needs; a household list's by default)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".ods", ".csv", ".txt"):
        raise BadInput("{name}: import reads .xlsx, .ods or .csv files, not '{suffix}'",
                       name=path.name, suffix=suffix or path.name)
    if not path.is_file():
        raise BadInput("cannot read {path}: there is no such file", path=path)
    if suffix in (".csv", ".txt"):
        if sheet is not None:
            raise BadInput("--sheet only applies to .xlsx files, and {name} is CSV",
                           name=path.name)
        grid = _csv_grid(path)
    elif suffix == ".ods":
        grid = _ods_grid(path, sheet)
    else:
        grid = _xlsx_grid(path, sheet)
    return _table(path, grid, example)


def require(table: Sheet, needed: Sequence[str], name: str) -> None:
    """Refuse a table whose header row lacks a needed column, naming that row and the columns
    as a Vietnamese sheet heads them: "line 3: missing column(s) code (in Vietnamese: mã hộ)"."""
    missing = [key for key in needed if key not in table.headers]
    if missing:
        found = ", ".join(table.headers.values()) or "-"
        raise BadInput("{name} line {line}: missing column(s) {missing} (in Vietnamese: "
                       "{vietnamese}); the header row has {found}", name=name,
                       line=table.header_line, missing=", ".join(missing),
                       vietnamese=", ".join(VIETNAMESE.get(key, key) for key in missing),
                       found=found)


def column(header: str) -> str:
    """The column name a header cell means: "Số phiếu" -> "receipt"; unknown names folded."""
    plain = re.sub(r"\(.*?\)", " ", fold(clean(header)))  # "Tiền (đồng)": units aside
    folded = " ".join(re.sub(r"[^\w]+", " ", plain).split())
    return _ALIASES.get(folded, folded)




def _csv_grid(path: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = decode(path.read_bytes())
    except UnicodeDecodeError:
        raise BadInput("{name} is not readable text: save it as CSV UTF-8",
                       name=path.name) from None
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    # strict: a quote opened and never closed is refused, not read as the rest of the file
    reader = csv.reader(lines, delimiter=_delimiter(header), strict=True)
    number = 0
    while True:  # one record per Excel row
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_problem(path, line, str(error)) from None
        number += 1
        yield number, cells


def _csv_problem(path: Path, line: int, problem: str) -> BadInput:
    """A CSV the csv module cannot read, said in one line naming where."""
    if "field larger than field limit" in problem:
        return BadInput("{name} line {line}: a cell is longer than {limit:,} characters; a "
                        "list of donations or hand-outs has no such cell: check the file",
                        name=path.name, line=line, limit=csv.field_size_limit())
    if "unexpected end of data" in problem:
        return BadInput("{name} line {line}: a quote (\") opened there is never closed; close "
                        "it, or save the file again from Excel as CSV", name=path.name,
                        line=line)
    return BadInput("{name} line {line}: not a valid CSV line ({problem}); save the file "
                    "again from Excel as CSV", name=path.name, line=line, problem=problem)


def _delimiter(header: str) -> str:
    """Comma, or what Excel used instead: tabs (Unicode text), semicolons (some locales)."""
    if "\t" in header:
        return "\t"
    return ";" if header.count(";") > header.count(",") else ","


def _xlsx_grid(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    with worksheet(path, sheet, merged=True) as found:
        formulas = _formulas(path, found.title)
        try:
            for cells in found.iter_rows():
                row = numbered(cells)
                written = next(formulas) if formulas is not None else None
                if row is None:
                    continue
                if written is not None:
                    _refuse_unsaved_formula(path, cells, written)
                yield row, [cell.value for cell in cells]
        finally:
            if formulas is not None:
                formulas.close()


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _formulas(path: Path, sheet: str) -> Iterator[tuple[Any, ...]] | None:
    """The sheet's cells as written (formulas as text), row by row alongside the values, when
    the workbook holds any formula at all; else None (no second reading)."""
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/")
                 and n.endswith(".xml")]
        if not any(_holds_formula(archive, part) for part in parts):
            return None
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)

    def rows() -> Iterator[tuple[Any, ...]]:
        try:
            found = book[sheet]
            found.reset_dimensions()
            yield from found.iter_rows()
            while True:
                yield ()
        finally:
            book.close()

    return rows()


def _holds_formula(archive: zipfile.ZipFile, part: str) -> bool:
    return next(xml_matches(archive, part, _FORMULA), None) is not None


def _refuse_unsaved_formula(path: Path, values: tuple[Any, ...],
                            written: tuple[Any, ...]) -> None:
    """A formula whose result was never saved (a workbook made by a program, not by Excel or
    LibreOffice) reads as an empty cell: a donation would be recorded with no cash. Refuse it,
    naming the cell."""
    for value, cell in zip(values, written):
        formula = getattr(cell, "value", None)
        if (getattr(value, "value", None) is None and getattr(cell, "data_type", None) == "f"
                and isinstance(formula, str) and formula.startswith("=")):
            from openpyxl.utils import get_column_letter

            where = get_column_letter(cell.column) + str(cell.row)
            raise BadInput("{name}: cell {cell} holds a formula ({formula}) whose result was "
                           "never saved; open the file in Excel or LibreOffice Calc, save it, "
                           "and import it again", name=path.name,
                           cell=where,
                           formula=formula[:40])


def _ods_grid(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    """LibreOffice's own format, read with odfpy: cells typed as Calc typed them (numbers as
    numbers, dates as dates), repeated rows and columns expanded, row numbers as Calc shows."""
    from odf.namespaces import OFFICENS, TABLENS, TEXTNS
    from odf.opendocument import load

    try:
        document = load(str(path))
    except Exception as error:  # odfpy raises zip, XML and key errors alike
        raise BadInput("{name} is not a readable .ods spreadsheet ({error})",
                       name=path.name, error=error) from None
    tables = [node for node in document.spreadsheet.childNodes
              if node.qname == (TABLENS, "table")]
    names = [node.getAttrNS(TABLENS, "name") for node in tables]
    if not tables:
        raise BadInput("{name} has no sheet", name=path.name)
    if sheet is None:
        found = tables[0]
    elif sheet in names:
        found = tables[names.index(sheet)]
    else:
        listed = ", ".join(f"'{name}'" for name in names)
        raise BadInput("{name} has no sheet '{sheet}': its sheets are {names}",
                       name=path.name, sheet=sheet, names=listed)
    number = 0
    for row in _ods_rows(found, TABLENS):
        repeat = int(row.getAttrNS(TABLENS, "number-rows-repeated") or 1)
        cells: list[Any] = []
        for cell in row.childNodes:
            if cell.qname not in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell")):
                continue
            value = _ods_value(cell, OFFICENS, TEXTNS)
            cells += [value] * min(int(cell.getAttrNS(TABLENS, "number-columns-repeated")
                                       or 1), 1024)
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:  # blank rows (Calc repeats the empty tail a million times): skip them
            number += repeat
            continue
        for _ in range(min(repeat, 10_000)):
            number += 1
            yield number, cells


def _ods_rows(node: Any, tablens: str) -> Iterator[Any]:
    """The table's rows, also those inside header-row and row groups."""
    for child in node.childNodes:
        if child.qname == (tablens, "table-row"):
            yield child
        elif child.qname in ((tablens, "table-header-rows"), (tablens, "table-rows"),
                             (tablens, "table-row-group")):
            yield from _ods_rows(child, tablens)


def _ods_value(cell: Any, officens: str, textns: str) -> Any:
    kind = cell.getAttrNS(officens, "value-type")
    if kind in ("float", "percentage", "currency"):
        number = float(cell.getAttrNS(officens, "value"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        given = cell.getAttrNS(officens, "date-value")
        return datetime.fromisoformat(given) if "T" in given else date.fromisoformat(given)
    if kind == "boolean":
        return cell.getAttrNS(officens, "boolean-value") == "true"
    lines = ["".join(_ods_text(part) for part in paragraph.childNodes)
             for paragraph in cell.childNodes if paragraph.qname == (textns, "p")]
    return "\n".join(lines) if lines else None


def _ods_text(node: Any) -> str:
    """A paragraph's text, with Calc's <text:s text:c="3"/> runs of spaces and tabs."""
    if node.nodeType == node.TEXT_NODE:
        return str(node.data)
    local = node.qname[1]
    if local == "s":
        return " " * int(node.attributes.get((node.qname[0], "c"), 1))
    if local == "tab":
        return "\t"
    if local == "line-break":
        return "\n"
    return "".join(_ods_text(child) for child in node.childNodes)


def _table(path: Path, grid: Iterable[tuple[int, list[Any]]],
           example: Sequence[Any] | None = None) -> Rows:
    """Header (the first row naming a known column, else the first non-empty row), then data."""
    header: list[str] | None = None
    rows = Sheet()
    first: list[str] | None = None
    for number, cells in grid:
        texts = [_text(value) for value in cells]
        if not any(texts):
            continue
        if header is None:
            names = [column(text) if text else "" for text in texts]
            first = first or texts
            if sum(name in COLUMNS for name in names) >= 2:
                header = _unique(path, names, texts)
                rows.header_line = number
                rows.headers = {name: text for name, text in zip(names, texts) if name}
            continue
        row = {name: texts[i] if i < len(texts) else "" for i, name in enumerate(header) if name}
        for name, repair in (("phone", phone), ("id_number", id_number)):
            if row.get(name):
                where = header.index(name)
                row[name] = repair(cells[where] if where < len(cells) else row[name],
                                   row[name], path.name, number, rows.headers[name])
        rows.append((number, row))
    if header is None:
        if first is None:
            raise BadInput("{name} is empty: it needs a header row", name=path.name)
        found = ", ".join(filter(None, first))
        if example is None:
            example = [Phrase(N_("'{name}' ({vietnamese})"), vietnamese=VIETNAMESE[column],
                              name=column) for column in ("code", "name", "group", "size")]
        raise BadInput("{name} has no header row naming its columns (such as {columns}): "
                       "found {found}", name=path.name, columns=Phrase.join(", ", example),
                       found=found)
    return rows


PHONE_NOTE = Phrase(N_("format the column as Text (Định dạng ô → Văn bản) and type the number "
                      "again with its 0"))


def phone(value: Any, text: str, name: str, line: int, header: str) -> str:
    """A phone number as text, its leading zero restored where a spreadsheet dropped it.

    Vietnamese numbers are written with a leading 0: mobiles have 10 digits (0 + 3/5/7/8/9),
    landlines 11 (0 + 2 + area and number). A cell that holds only digits and is one 0 short of
    exactly that shape (903123456, 2838123456) had it dropped when it was stored as a number:
    the 0 is put back. Any other all-digit number cell is refused with its row, as is Excel's
    scientific form (9.03E+08), whose digits are gone; text with spaces, dots or a +84 stays as
    typed."""
    digits = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", digits):
        raise BadInput("{name} row {line}, column '{header}': '{text}' lost its digits when the "
                       "spreadsheet stored it as a number; {fix}", name=name, line=line,
                       header=header, text=digits, fix=PHONE_NOTE)
    if not digits.isdigit():
        return text
    if re.fullmatch(r"[35789]\d{8}|2\d{9}", digits):
        return "0" + digits
    number_cell = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number_cell and not digits.startswith("0"):
        raise BadInput("{name} row {line}, column '{header}': {text} is not a phone number "
                       "(10 digits starting with 0 for a mobile); the spreadsheet stored it as a "
                       "number; {fix}", name=name, line=line, header=header, text=digits,
                       fix=PHONE_NOTE)
    return text


def id_number(value: Any, text: str, name: str, line: int, header: str) -> str:
    """An ID number as text: a CCCD has 12 digits and starts with 0 (its province code), an old
    CMND 9 or 12. An all-digit cell of 11 digits is a CCCD whose 0 was dropped: restored. Other
    lengths in a number-typed cell, or the scientific form, are refused with the row."""
    digits = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", digits):
        raise BadInput("{name} row {line}, column '{header}': '{text}' lost its digits when the "
                       "spreadsheet stored it as a number; {fix}", name=name, line=line,
                       header=header, text=digits, fix=PHONE_NOTE)
    if not digits.isdigit():
        return text
    if len(digits) == 11:
        return "0" + digits
    number_cell = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number_cell and len(digits) not in (9, 12):
        raise BadInput("{name} row {line}, column '{header}': {text} is not an ID number (a CCCD "
                       "has 12 digits, a CMND 9); the spreadsheet stored it as a number; {fix}",
                       name=name, line=line, header=header, text=digits, fix=PHONE_NOTE)
    return text


def _unique(path: Path, names: list[str], texts: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name, text in zip(names, texts):
        if name and name in seen:
            raise BadInput("{name}: columns '{other}' and '{text}' both mean '{meaning}': keep "
                           "one", name=path.name, other=seen[name], text=text, meaning=name)
        seen[name] = text
    return names


def _text(value: Any) -> str:
    """A cell as the text the ledger parses: 10.0 -> "10", a date cell -> "2021-11-12"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))
