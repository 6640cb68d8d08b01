"""Bank statement exports read into plain lines: all of a statement, or nothing.

`read_statement(path)` reads a CSV or XLSX export and returns a `Statement` whose `lines` are
frozen `StatementLine`s in date order. The layout (which column is the date, the credit, the
message...) is recognised from the header row for the banks in `LAYOUTS` (Vietcombank,
VietinBank, BIDV, Agribank); any other export is read through a column map naming the file's own
headers (`columns={"date": "Ngày", "credit": "Có", ...}` or `parse_columns("date=Ngày,...")`).

What the statement says is checked before anything is returned:
- every row: dates, amounts written with the layout's thousands separator (Vietcombank and BIDV
  write `1.000.000`, VietinBank and Agribank `1,000,000`; `thousands=` overrides it; a decimal
  part is allowed only if it is zero, `400.000,00`), exactly one of credit and debit;
- the stated balances: each equals the previous stated balance (or the opening balance) plus the
  credits minus the debits in between;
and every problem of every row is collected into one `StatementRefused` (a `BadInput`) carrying
the full list, so an import records the whole statement or nothing.

Rows a statement wraps: a row with no date, no amounts and no balance continues the text (and
counter-party) of the line above it, joined with a space. Title rows above the header (bank,
account, period, opening balance) and total rows below are recognised and not taken as lines.

Keys (`line_key`, `keyed`): the bank's reference where the statement gives one, otherwise a
SHA-256 of the line's content plus how many identical lines precede it in the statement, so that
re-importing a statement, or an overlapping one, yields the same keys. See `line_key` for the one
case this cannot cover.

CSV text is decoded as every import decodes Excel's CSV (`ledger.values.workbooks.decode`): BOM,
else UTF-8, else Windows-1258, then NFC. The file is read as it goes and the lines are kept on
disk (`lines.LineSpool`): a statement of a million lines is never whole in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from ledger.bank.lines import LineSpool
from ledger.errors import BadInput
from ledger.phrases import C_, N_, Phrase, said
from ledger.values.dates import FIRST, LAST, latest_day
from ledger.values.inputs import MAX_AMOUNT, MAX_NAME, MAX_NOTE
from ledger.values.text import clean, fold, nearest, words_of
from ledger.values.workbooks import numbered, text_encoding, worksheet

FIELDS = ("date", "time", "credit", "debit", "amount", "text", "ref", "balance", "party",
          "party_account")
# The fields a column map may name; "amount" is a signed amount (negative = debit), for exports
# with one amount column instead of a credit and a debit column.
# the fields as a Vietnamese treasurer names them in --columns (folded: marks optional)
FIELD_NAMES = {"ngay": "date", "ngay giao dich": "date", "gio": "time", "thoi gian": "time",
               "co": "credit", "ghi co": "credit", "tien vao": "credit", "no": "debit",
               "ghi no": "debit", "tien ra": "debit", "so tien": "amount", "noi dung": "text",
               "dien giai": "text", "so tham chieu": "ref", "ma giao dich": "ref",
               "so du": "balance", "nguoi chuyen": "party", "doi tac": "party",
               "tai khoan doi ung": "party_account", "so tai khoan doi ung": "party_account"}
# each field as the reader names it in --columns, and as refusals about --columns name it
FIELD_WORDS = {"date": C_("bank field", "date"), "time": C_("bank field", "time"),
               "credit": C_("bank field", "credit"), "debit": C_("bank field", "debit"),
               "amount": C_("bank field", "amount"), "text": C_("bank field", "text"),
               "ref": C_("bank field", "ref"), "balance": C_("bank field", "balance"),
               "party": C_("bank field", "party"),
               "party_account": C_("bank field", "party_account")}
MAX_LISTED = 20  # problems spelled out in the message; the exception carries all of them


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One transaction of a statement, as the bank states it."""

    date: str  # ISO, 2024-09-10
    time: str | None  # "23:55:31" where the statement gives a time
    credit: int  # đồng in, >= 0
    debit: int  # đồng out, >= 0 (fees included)
    text: str  # the transfer's message, NFC, wrapped rows joined with a space
    ref: str | None  # the bank's own reference (Số tham chiếu, Số bút toán), if any
    party: str | None  # counter-party's name where the statement has a column for it
    party_account: str | None
    balance: int | None  # stated on some lines only (often a day's last)
    line: int  # 1-based row of the file, for messages


@dataclass(frozen=True, slots=True)
class Statement:
    """A whole statement: its lines in date order and what its title and total rows state."""

    layout: str  # "vietcombank", "vietinbank", "bidv", "agribank" or "columns"
    lines: Sequence[StatementLine]  # kept on disk (lines.LineSpool), read in date order
    opening: int | None = None  # "Số dư đầu kỳ" where stated
    closing: int | None = None  # "Số dư cuối kỳ" where stated
    thousands: str | None = None  # the separator the amounts were read with
    header_line: int = 0
    newest_first: bool = False  # the file listed the newest line first; `lines` are reordered
    number: str | None = None  # the account number its title rows state, where they do


class StatementRefused(BadInput):
    """A statement with problems; `problems` lists each (a Phrase naming its line), in order."""

    def __init__(self, name: str, problems: Sequence[Phrase]) -> None:
        self.problems = list(problems)
        shown = self.problems[:MAX_LISTED]
        more = len(self.problems) - len(shown)
        listed = Phrase.join("; ", shown)
        if more:
            super().__init__(N_("{name} was not imported, {count} problems: {listed}; and "
                                "{more} more"), name=name, count=len(self.problems),
                             listed=listed, more=more)
        else:
            super().__init__(N_("{name} was not imported, {count} problem(s): {listed}"),
                             name=name, count=len(self.problems), listed=listed)


# --- layouts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """How one bank's export heads its columns: folded header text -> field."""

    name: str
    bank: str  # the bank's code in banks.py
    thousands: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]  # fields the header must name for the layout to be recognised

    def fields_of(self, header: Sequence[str]) -> dict[str, int]:
        """field -> column index for a header row (folded cells), or {} if not this layout."""
        found: dict[str, int] = {}
        for index, cell in enumerate(header):
            for name in _header_parts(cell):
                hit = self._lookup.get(name)
                if hit and hit not in found:
                    found[hit] = index
                    break
        return found if all(f in found for f in self.required) else {}

    @property
    def _lookup(self) -> dict[str, str]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = {alias: name for name, aliases in self.aliases.items() for alias in aliases}
            object.__setattr__(self, "_cache", cached)
        return cached


# What each bank's internet-banking export heads its columns with, folded (lower case, no
# marks). Cells that say it twice ("Số tiền ghi có/ Credit") match on either half.
VIETCOMBANK = Layout(
    "vietcombank", "VCB", ".",
    {"date": ("ngay giao dich", "ngay gd", "transaction date", "tnx date", "txn date"),
     "time": ("gio giao dich", "thoi gian", "time"),
     "ref": ("so tham chieu", "so ct", "reference no", "reference number", "doc no"),
     "debit": ("so tien ghi no", "debit"),
     "credit": ("so tien ghi co", "credit"),
     "balance": ("so du", "balance"),
     "text": ("noi dung chi tiet", "transactions in detail", "transaction in detail")},
    required=("date", "debit", "credit", "text"))
VIETINBANK = Layout(
    "vietinbank", "ICB", ",",
    {"date": ("ngay giao dich", "ngay hach toan", "transaction date", "accounting date"),
     "time": ("gio giao dich", "thoi gian giao dich"),
     "text": ("chi tiet giao dich", "mo ta giao dich", "transaction description",
              "transaction details"),
     "amount": ("so tien", "amount"),
     "debit": ("no", "debit", "no tktt"),
     "credit": ("co", "credit", "co tktt"),
     "balance": ("so du", "so du tk", "account balance", "balance"),
     "party": ("ten doi ung", "ten tai khoan doi ung", "corresponsive name",
               "nguoi chuyen"),
     "party_account": ("tai khoan doi ung", "so tai khoan doi ung", "corresponsive account"),
     "ref": ("so giao dich", "ma giao dich", "transaction number", "transaction no")},
    required=("date", "text"))
BIDV = Layout(
    "bidv", "BIDV", ".",
    {"date": ("ngay hieu luc", "effective date", "value date"),
     "time": ("ngay giao dich", "thoi gian giao dich", "transaction date"),
     "ref": ("so tham chieu", "so but toan", "so gd", "reference no", "seq no"),
     "debit": ("ghi no", "debit"),
     "credit": ("ghi co", "credit"),
     "balance": ("so du", "balance"),
     "party": ("ten tai khoan doi ung", "ten tk doi ung", "counterparty name"),
     "party_account": ("so tai khoan doi ung", "so tk doi ung", "tai khoan doi ung",
                       "counterparty account"),
     "text": ("mo ta", "description", "noi dung giao dich")},
    required=("date", "debit", "credit", "text"))
AGRIBANK = Layout(
    "agribank", "VBA", ",",
    {"date": ("ngay giao dich", "ngay gd", "transaction date"),
     "time": ("gio giao dich", "thoi gian"),
     "ref": ("so but toan", "ma giao dich", "so chung tu", "transaction no"),
     "debit": ("phat sinh no", "debit amount"),
     "credit": ("phat sinh co", "credit amount"),
     "balance": ("so du", "balance"),
     "party": ("ten doi tac", "ten nguoi chuyen", "ten don vi thu huong"),
     "party_account": ("tai khoan doi tac", "so tai khoan doi tac"),
     "text": ("dien giai", "noi dung giao dich", "noi dung")},
    required=("date", "debit", "credit", "text"))
LAYOUTS: tuple[Layout, ...] = (VIETCOMBANK, VIETINBANK, BIDV, AGRIBANK)
_HEAD_SCAN = 60  # rows searched for the header
_TITLE_OPENING = ("so du dau ky", "so du dau", "opening balance", "du dau ky")
_TITLE_CLOSING = ("so du cuoi ky", "so du cuoi", "closing balance", "du cuoi ky")
# a total row's whole label, made of these words only ("Tổng cộng", "Tổng số/ Total", "Cộng phát
# sinh trong kỳ:"), never a line's text that begins with one ("Công đoàn phường ủng hộ", Tống)
_TOTAL = re.compile(r"(tong|cong|total)( (tong|cong|so|phat|sinh|trong|ky|thang|total))*")


def _header_parts(cell: str) -> list[str]:
    """A header cell folded, whole and split at "/" or line breaks (bilingual headers)."""
    text = fold(cell.replace("\n", "/"))
    text = re.sub(r"\(.*?\)", " ", text)  # "Số tiền (VND)": units aside
    parts = [text] + text.split("/")
    return [" ".join(re.sub(r"[^\w]+", " ", part).split()) for part in parts]


def recognise(header: Sequence[str]) -> tuple[Layout, dict[str, int]] | None:
    """The layout whose headers this row has (most columns named wins), with its columns."""
    best: tuple[Layout, dict[str, int]] | None = None
    for layout in LAYOUTS:
        found = layout.fields_of(header)
        if found and _amount_columns(found) and (best is None or len(found) > len(best[1])):
            best = (layout, found)
    return best


def _amount_columns(found: dict[str, int]) -> bool:
    return "amount" in found or "credit" in found or "debit" in found


def parse_columns(spec: str | dict[str, str]) -> dict[str, str]:
    """A column map from the command line's `date=Ngày,credit=Có,debit=Nợ,text=Nội dung`."""
    if isinstance(spec, dict):
        pairs = list(spec.items())
    else:
        pairs = []
        for part in filter(None, (p.strip() for p in clean(spec).split(","))):
            if "=" not in part:
                raise BadInput("--columns takes field=header pairs separated by commas "
                               "(date=Ngày,credit=Có,debit=Nợ,text=Nội dung), not '{part}'",
                               part=part)
            name, header = part.split("=", 1)
            if "=" in header:
                raise BadInput("--columns takes field=header pairs separated by commas "
                               "(date=Ngày,credit=Có,debit=Nợ,text=Nội dung), not '{part}'",
                               part=part)
            pairs.append((name.strip(), header.strip()))
    columns: dict[str, str] = {}
    for typed, header in pairs:  # a refusal quotes the field as typed ("ngày", "date")
        name = FIELD_NAMES.get(words_of(typed), words_of(typed))
        if name not in FIELDS:
            spellings = {**{field: field for field in FIELDS}, **FIELD_NAMES}
            close = list(dict.fromkeys(spellings[word] for word in nearest(
                words_of(typed), spellings))) or list(FIELDS)
            raise BadInput("--columns has no field '{name}': did you mean {close}? (fields: "
                           "{fields}, or in Vietnamese ngày, giờ, có, nợ, số tiền, nội dung, "
                           "số tham chiếu, số dư, người chuyển, tài khoản đối ứng)",
                           name=typed, close=_field_words(close), fields=", ".join(FIELDS))
        if name in columns:
            raise BadInput("--columns names the field '{name}' twice: keep one", name=typed)
        if not clean(header):
            raise BadInput("--columns gives no header for '{name}': write {name}=<the file's "
                           "header>", name=typed)
        columns[name] = clean(header)
    missing = [name for name in ("date", "text") if name not in columns]
    if not _amount_columns(dict.fromkeys(columns, 0)):
        missing += ["credit", "debit"]
    if missing:
        raise BadInput("--columns must name the file's {missing} column(s): "
                       "date=…,credit=…,debit=…,text=… at least",
                       missing=_field_words(missing))
    return columns


def _field_words(fields: Iterable[str]) -> Phrase:
    """Fields as the reader names them ("ngày, có" in Vietnamese, "date, credit" in English)."""
    return Phrase.join(", ", [Phrase(FIELD_WORDS[field]) for field in fields])


def _custom(columns: dict[str, str], header: Sequence[str]) -> dict[str, int]:
    wanted = {" ".join(re.sub(r"[^\w]+", " ", fold(h)).split()): f for f, h in columns.items()}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        for part in _header_parts(cell):
            if part in wanted and wanted[part] not in found:
                found[wanted[part]] = index
                break
    return found


# --- reading files ----------------------------------------------------------------------------


class _Unclosed(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def csv_rows(text: str | TextIO) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record of a text or an open file (read as it
    goes, from its start); a quote never closed raises _Unclosed."""
    if isinstance(text, str):
        text = io.StringIO(text)
    head = "\n".join(text.read(16384).split("\n")[:40])  # title rows may have no separator
    text.seek(0)
    delimiter = "\t" if "\t" in head else ";" if head.count(";") > head.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error:
        raise _Unclosed(start) from None


def xlsx_rows(path: Path, sheet: str | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first sheet (or `sheet`) of a workbook."""
    with worksheet(path, sheet) as found:
        for cells in found.iter_rows():
            row = numbered(cells)
            if row is not None:
                yield row, [cell.value for cell in cells]


def read_statement(path: str | Path, *, columns: str | dict[str, str] | None = None,
                   thousands: str | None = None, sheet: str | None = None) -> Statement:
    """The statement in a bank's CSV or XLSX export (see the module's docstring)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise BadInput("{name}: a statement is read from .xlsx or .csv, not '{suffix}' (save "
                       "the bank's export as one of those)", name=path.name,
                       suffix=suffix or path.name)
    if not path.is_file():
        raise BadInput("cannot read {path}: there is no such file", path=path)
    if suffix in (".csv", ".txt") and sheet is not None:  # as `aid import` says it
        raise BadInput("--sheet only applies to .xlsx files, and {name} is CSV", name=path.name)
    if suffix in (".csv", ".txt"):
        try:  # read as it goes: a statement of a million lines is never whole in memory
            with path.open(encoding=text_encoding(path), newline="") as text:
                return parse_rows(csv_rows(text), name=path.name, columns=columns,
                                  thousands=thousands)
        except UnicodeDecodeError:
            raise BadInput("{name} is not readable text: save it as CSV UTF-8",
                           name=path.name) from None
    return parse_rows(xlsx_rows(path, sheet), name=path.name, columns=columns,
                      thousands=thousands)


# --- cells ------------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def _when(value: Any) -> tuple[str, str | None]:
    """(ISO date, "HH:MM:SS" or None) of a date cell; ValueError if it is not a date."""
    if isinstance(value, datetime):
        moment = value.time()
        return value.date().isoformat(), (None if moment == time() else
                                           moment.strftime("%H:%M:%S"))
    if isinstance(value, date):
        return value.isoformat(), None
    text = _text(value)
    match = _DATE.fullmatch(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
    else:
        match = _ISO.fullmatch(text)
        if not match:
            raise ValueError(text)
        year, month, day, hour, minute, second = match.groups()
    on = date(int(year), int(month), int(day)).isoformat()
    if hour is None:
        return on, None
    return on, time(int(hour), int(minute), int(second or 0)).strftime("%H:%M:%S")


def _clock(value: Any) -> str | None:
    """"HH:MM:SS" from a time cell (a time, a datetime, "9:05", "10/09/2024 23:55:31")."""
    if isinstance(value, datetime):
        return value.time().strftime("%H:%M:%S")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    text = _text(value)
    if not text:
        return None
    match = _TIME.search(text)
    if not match or (match.end() != len(text)):
        raise ValueError(text)
    hour, minute, second = match.groups()
    return time(int(hour), int(minute), int(second or 0)).strftime("%H:%M:%S")


class _Amounts:
    """Reads amounts written with one thousands separator; the other one marks decimals."""

    def __init__(self, thousands: str | None) -> None:
        self.thousands = thousands
        self.other_used = 0  # amounts written with the other separator
        self.own_used = 0  # and with this one: with none of these, the convention is wrong
        if thousands is None:
            self.pattern = re.compile(r"(\d+)()")  # the groups `__call__` reads, as below
        else:
            t, d = re.escape(thousands), re.escape("," if thousands == "." else ".")
            self.pattern = re.compile(rf"(\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}(\d{{1,2}}))?")

    def __call__(self, value: Any, signed: bool = False) -> int | None:
        """Whole đồng, or None for an empty cell; ValueError(reason) if it cannot be read."""
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError(Phrase(N_("is not an amount")))
        if isinstance(value, int):
            return self._sign(value, signed)
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(Phrase(N_("has a part of a đồng")))
            return self._sign(int(value), signed)
        text = _text(value).replace(" ", "").upper()
        for unit in ("VND", "VNĐ", "Đ", "D"):
            text = text.removesuffix(unit)
        if text in ("", "-", "0", "0,00", "0.00"):
            return None if text in ("", "-") else 0
        negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
        text = text.strip("()").lstrip("+-")
        match = self.pattern.fullmatch(text)
        if not match:
            if self.thousands is None and re.fullmatch(r"[\d.,]+", text):
                raise ValueError(Phrase(N_("has a separator and the statement's thousands "
                                           "separator is not known: state it (thousands . or ,)")))
            other = "," if self.thousands == "." else "."
            if self.thousands and other in text and re.fullmatch(r"[\d.,]+", text):
                self.other_used += 1
                raise ValueError(Phrase(N_("uses '{other}' but this statement writes thousands "
                                           "with '{thousands}'"), other=other,
                                        thousands=self.thousands))
            raise ValueError(Phrase(N_("is not an amount")))
        if self.thousands is not None and match.group(2) and int(match.group(2)):
            raise ValueError(Phrase(N_("has a part of a đồng")))
        if self.thousands and self.thousands in match.group(1):
            self.own_used += 1
        amount = int(match.group(1).replace(self.thousands or "", ""))
        return self._sign(-amount if negative else amount, signed)

    @staticmethod
    def _sign(amount: int, signed: bool) -> int:
        if amount < 0 and not signed:
            raise ValueError(Phrase(N_("is negative")))
        if abs(amount) > MAX_AMOUNT:  # beyond any bank's, and beyond what the ledger stores
            raise ValueError(Phrase(N_("is larger than any amount a ledger records (10¹⁵ đồng)")))
        return amount


# --- the statement ----------------------------------------------------------------------------

@dataclass
class _Draft:
    date: str
    time: str | None
    credit: int
    debit: int
    text: list[str]
    ref: str | None
    party: list[str]
    party_account: str | None
    balance: int | None
    line: int

    def done(self) -> StatementLine:
        return StatementLine(self.date, self.time, self.credit, self.debit,
                             " ".join(self.text), self.ref, " ".join(self.party) or None,
                             self.party_account, self.balance, self.line)


def _finish(draft: _Draft, lines: LineSpool, problems: list[Phrase]) -> None:
    """Keep a finished line, unless one of its words is longer than any bank writes (a file
    that is not a statement, or columns mapped wrongly): stored, it would stay for good."""
    line = draft.done()
    for what, value, limit in ((N_("text"), line.text, MAX_NOTE),
                               (N_("reference"), line.ref, MAX_NAME),
                               (N_("counter-party"), line.party, MAX_NAME),
                               (N_("counter-party account"), line.party_account, MAX_NAME)):
        if value and len(value) > limit:
            problems.append(_problem(line.line, "the {what} is {length:,} characters long: a "
                                     "statement's is at most {limit:,}; check --columns",
                                     what=Phrase(what), length=len(value), limit=limit))
            return
    lines.append(line)


def _problem(line: int, template: str, **fields: Any) -> Phrase:
    """A problem of the statement's `line`, in the reader's language (each `template` is in the
    catalog: commands/language/catalog.py reads this function's second argument)."""
    return Phrase(N_("line {line}: {problem}"), line=line, problem=Phrase(template, **fields))


def parse_rows(rows: Iterable[tuple[int, Sequence[Any]]], *, name: str = "the statement",
               columns: str | dict[str, str] | None = None,
               thousands: str | None = None) -> Statement:
    """The statement in a grid of (row number, cells): the core of `read_statement`."""
    if thousands not in (None, ".", ","):
        raise BadInput("the thousands separator is '.' or ',', not '{thousands}'",
                       thousands=thousands)
    wanted = parse_columns(columns) if columns is not None else None
    problems: list[Phrase] = []
    rows = iter(rows)
    title: list[tuple[int, list[str]]] = []
    layout: Layout | None = None
    found: dict[str, int] = {}
    header_line = 0
    header: list[str] = []
    try:
        for number, cells in rows:
            texts = [_text(cell) for cell in cells]
            if not any(texts):
                continue
            if wanted is not None:
                found = _custom(wanted, texts)
                if len(found) == len(wanted):
                    header_line, header = number, texts
                    break
            else:
                hit = recognise(texts)
                if hit:
                    (layout, found), header_line, header = hit, number, texts
                    break
            title.append((number, texts))
            if len(title) >= _HEAD_SCAN:
                break
    except _Unclosed as error:
        raise StatementRefused(name, [_problem(error.line, "a quote (\") opened here is never "
                                               "closed: close it, or save the file again from "
                                               "Excel")]) from None
    if not header:
        found_headers = ", ".join(_likely_header(title)) or Phrase(N_("(none)"))
        if wanted is not None:
            raise BadInput("{name} has no row heading the columns {wanted}: the headers found "
                           "are {found}", name=name, wanted=", ".join(wanted.values()),
                           found=found_headers)
        raise BadInput("{name} is not a statement layout aid-ledger knows (Vietcombank, "
                       "VietinBank, BIDV, Agribank): name its columns with --columns date=…,"
                       "credit=…,debit=…,text=…; the headers found are {found}",
                       name=name, found=found_headers)
    stated = thousands is not None
    if thousands is None and layout is not None:
        thousands = layout.thousands
    amounts = _Amounts(thousands)
    opening = _labelled(title, _TITLE_OPENING, amounts, problems)
    closing: int | None = None
    lines = LineSpool(StatementLine)
    current: _Draft | None = None  # the last line, while rows below may continue it
    seen_dated = False  # a dated row, read or refused: text rows below it are no preamble
    col = found.get

    def cell(cells: Sequence[Any], field_name: str) -> Any:
        index = col(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    width = len(_trimmed(header))
    try:
        for number, cells in rows:
            if not any(value is not None and value != "" for value in cells):
                continue
            filled = len(_trimmed([_text(c) for c in cells]))
            if filled > width:  # a cell too many: a comma in a text, or a column shifted
                problems.append(_problem(number, "{cells} cells, the header has {header}",
                                         cells=filled, header=width))
                continue
            raw_date = cell(cells, "date")
            date_text = _text(raw_date)
            credit_raw, debit_raw = cell(cells, "credit"), cell(cells, "debit")
            amount_raw, balance_raw = cell(cells, "amount"), cell(cells, "balance")
            dated = isinstance(raw_date, date) or date_text[:1].isdigit()
            if not dated:
                first = next((t for t in map(_text, cells) if t), "")
                label = " ".join(re.sub(r"[^\w]+", " ", fold(first)).split())
                if label.startswith(_TITLE_CLOSING):
                    closing = _labelled([(number, [_text(c) for c in cells])], _TITLE_CLOSING,
                                        amounts, problems)
                    continue
                if label.startswith(_TITLE_OPENING):
                    opening = _labelled([(number, [_text(c) for c in cells])], _TITLE_OPENING,
                                        amounts, problems)
                    continue
                if _trimmed([_text(c) for c in cells]) == _trimmed(header):
                    continue  # the header again, at the top of a printed page
                has_amount = any(_text(v) for v in (credit_raw, debit_raw, amount_raw,
                                                    balance_raw))
                if has_amount and _TOTAL.fullmatch(label):
                    continue  # "Tổng cộng" and the like: sums of the lines above
                if date_text:
                    problems.append(_problem(number, "'{value}' is not a date: write it "
                                             "dd/mm/yyyy", value=date_text))
                    continue
                if has_amount:
                    problems.append(_problem(number, "an amount without a date: write the "
                                             "date of the transaction"))
                    continue
                more = _text(cell(cells, "text"))
                party = _text(cell(cells, "party"))
                if not more and not party:
                    continue
                if current is None:
                    if not seen_dated:  # else it continues a dated line already named
                        problems.append(_problem(number, "text '{text}' before the first "
                                                 "transaction", text=more or party))
                    continue
                if more:
                    current.text.append(more)
                if party:
                    current.party.append(party)
                continue
            seen_dated = True
            try:
                on, clock = _when(raw_date)
            except ValueError:
                if re.match(r"\d{1,2}/\d{1,2}/\d{4}\b", date_text):  # written so, but no day
                    problems.append(_problem(number, "'{value}' is no day of the calendar: "
                                             "check the day and the month", value=date_text))
                else:
                    problems.append(_problem(number, "'{value}' is not a date: write it "
                                             "dd/mm/yyyy", value=date_text))
                continue
            if not FIRST.isoformat() <= on <= LAST.isoformat():  # as every business date
                problems.append(_problem(number, "'{value}' is outside 2000–2099: check the "
                                         "year", value=date_text))
                continue
            if on > latest_day():  # a bank states what happened, as an entry records it
                problems.append(_problem(number, "'{value}' is after today: a statement "
                                         "lists what the bank did; check the date",
                                         value=date_text))
                continue
            if "time" in found:
                try:
                    clock = _clock(cell(cells, "time")) or clock
                except ValueError:
                    problems.append(_problem(number, "'{value}' is not a time: write it "
                                             "hh:mm:ss", value=_text(cell(cells, "time"))))
                    continue
            bad = len(problems)
            credit = _read(amounts, credit_raw, number, N_("credit"), problems)
            debit = _read(amounts, debit_raw, number, N_("debit"), problems)
            signed = _read(amounts, amount_raw, number, N_("amount"), problems, signed=True)
            balance = _read(amounts, balance_raw, number, N_("balance"), problems, signed=True)
            if len(problems) > bad:
                continue
            if signed:
                if credit or debit:
                    problems.append(_problem(number, "both an amount and a credit or debit: "
                                             "map only one of them"))
                    continue
                credit, debit = (signed, 0) if signed > 0 else (0, -signed)
            credit, debit = credit or 0, debit or 0
            if credit and debit:
                problems.append(_problem(number, "both a credit ({credit:,}) and a debit "
                                         "({debit:,}): a line is one or the other",
                                         credit=credit, debit=debit))
                continue
            if not credit and not debit:
                problems.append(_problem(number, "neither a credit nor a debit: a line moves "
                                         "money in or out"))
                continue
            if current is not None:
                _finish(current, lines, problems)
            current = (_Draft(
                on, clock, credit, debit, [t] if (t := _text(cell(cells, "text"))) else [],
                _text(cell(cells, "ref")) or None,
                [p] if (p := _text(cell(cells, "party"))) else [],
                _text(cell(cells, "party_account")) or None, balance, number))
    except _Unclosed as error:
        problems.append(_problem(error.line, "a quote (\") opened here is never closed: close "
                                 "it, or save the file again from Excel"))
    if current is not None:
        _finish(current, lines, problems)
    for ref, rows in lines.repeated_refs():  # keyed by its reference, one would be lost
        problems += [_problem(row, "the bank reference {ref} is on line {first} too: a "
                              "reference names one transaction (to import a file that repeats "
                              "them, leave its reference column out of --columns: lines are "
                              "then told apart by their content)", ref=ref, first=rows[0])
                     for row in rows[1:]]
    newest_first = False
    if not problems:
        newest_first = len(lines) > 1 and _moment(lines[0]) > _moment(lines[-1])
        mismatch = check_balances(lines.finish(newest_first), opening, closing)
        if mismatch:
            problems.append(mismatch)
    if amounts.other_used > 1 and not amounts.own_used:  # the cause of every such line:
        other = "," if thousands == "." else "."  # said first, once (one cell is a slip)
        problems.insert(0, Phrase(
            N_("the amounts are written with '{other}' between thousands, not '{thousands}' as "
               "--thousands says: leave --thousands out, or give --thousands {other}") if stated
            else N_("the amounts are written with '{other}' between thousands, not '{thousands}' "
                    "as this bank's statements usually are: give --thousands {other}"),
            other=other, thousands=thousands))
    if problems:
        problems.sort(key=lambda problem: problem.fields.get("line", 0))  # stable: line order
        raise StatementRefused(name, problems)
    return Statement(layout.name if layout else "columns", lines, opening, closing,
                     thousands, header_line, newest_first, _stated_number(title))


def _moment(line: StatementLine) -> tuple[str, str]:
    """When a line happened, as far as the statement says (a day's lines by their times)."""
    return line.date, line.time or ""


def _read(amounts: _Amounts, raw: Any, number: int, what: str, problems: list[Phrase],
          signed: bool = False) -> int | None:
    try:
        return amounts(raw, signed)
    except ValueError as reason:
        problems.append(_problem(number, "the {what} '{value}' {reason}", what=Phrase(what),
                                 value=_text(raw), reason=said(reason)))
        return None


_TITLE_NUMBER = ("so tai khoan", "account number")


def _stated_number(rows: list[tuple[int, list[str]]]) -> str | None:
    """The account number a title row states ("Số tài khoản: 1029990042"), when it is written
    out whole (a masked one, 0091000639xxx, says nothing certain)."""
    for _number, texts in rows:
        for index, text in enumerate(texts):
            folded = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
            if not folded.startswith(_TITLE_NUMBER) or "doi ung" in folded:
                continue
            rest = text.split(":", 1)[1] if ":" in text else ""
            for candidate in [rest, *texts[index + 1:]]:
                digits = candidate.strip().replace(" ", "")
                if digits:
                    return digits if re.fullmatch(r"[0-9]{6,19}", digits) else None
    return None


def _labelled(rows: list[tuple[int, list[str]]], labels: tuple[str, ...], amounts: _Amounts,
              problems: list[Phrase]) -> int | None:
    """The amount a title or total row states after a label ("Số dư đầu kỳ: 1.000.000")."""
    for number, texts in rows:
        for index, text in enumerate(texts):
            folded = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
            label = next((lab for lab in labels if folded.startswith(lab)), None)
            if label is None:
                continue
            rest = text.split(":", 1)[1] if ":" in text else ""
            candidates = [rest] + [t for t in texts[index + 1:]]
            for candidate in candidates:
                candidate = candidate.strip()
                if not candidate or not re.search(r"\d", candidate):
                    continue
                try:
                    return amounts(candidate, signed=True)
                except ValueError as reason:
                    problems.append(_problem(number, "the balance '{value}' {reason}",
                                             value=candidate, reason=said(reason)))
                    return None
    return None


def _trimmed(texts: list[str]) -> list[str]:
    while texts and not texts[-1]:
        texts = texts[:-1]
    return texts


def _likely_header(title: list[tuple[int, list[str]]]) -> list[str]:
    """The row that looks most like a header: the most non-empty cells, the first of those."""
    if not title:
        return []
    best = max(title, key=lambda row: (sum(bool(t) for t in row[1]), -row[0]))
    return [t for t in best[1] if t]


def check_balances(lines: Sequence[StatementLine], opening: int | None = None,
                   closing: int | None = None) -> Phrase | None:
    """The first place the stated balances do not follow from the lines, or None.

    Each stated balance must equal the previous one (the opening balance, else the first stated
    balance, which anchors) plus the credits minus the debits of the lines after it, up to and
    including its own line; a stated closing balance must equal the last balance so computed."""
    anchor = opening
    anchor_line: int | None = None
    moved = 0
    for line in lines:
        moved += line.credit - line.debit
        if line.balance is None:
            continue
        if anchor is not None and anchor + moved != line.balance:
            since = (Phrase(N_("line {line}'s balance"), line=anchor_line)
                     if anchor_line is not None else Phrase(N_("the opening balance")))
            return _problem(line.line, "the balance {stated:,} does not follow from the lines "
                            "before it: {since} {anchor:,} plus credits minus debits since "
                            "gives {expected:,}", stated=line.balance, since=since,
                            anchor=anchor, expected=anchor + moved)
        anchor, anchor_line, moved = line.balance, line.line, 0
    if closing is not None and anchor is not None and anchor + moved != closing:
        return Phrase(N_("the closing balance {stated:,} does not follow from the lines: they "
                         "give {expected:,}"), stated=closing, expected=anchor + moved)
    return None


# --- keys -------------------------------------------------------------------------------------

def _content(line: StatementLine) -> tuple:
    return (line.date, line.time or "", line.credit, line.debit, line.text, line.party or "")


def line_key(account_code: str, line: StatementLine, occurrence: int) -> str:
    """The line's identity within the account `account_code`, the same in every export of it.

    `<account>:ref:<bank reference>` where the statement gives one; otherwise
    `<account>:sha256:<hex>` over (date, time, credit, debit, text, counter-party) and
    `occurrence`, the number of identical lines before it in the same statement. Re-importing a
    statement, or importing an overlapping one, gives the same keys. One limit: two identical
    lines without a reference can only be told apart by their order, so a statement that starts
    or ends in the middle of a day (a page, not an export by dates) may number them differently
    than another statement covering the whole day. Exports by date range cover whole days."""
    if line.ref:
        return f"{account_code}:ref:{line.ref}"
    digest = hashlib.sha256(repr((_content(line), occurrence)).encode("utf-8")).hexdigest()
    return f"{account_code}:sha256:{digest}"


def keyed(account_code: str, lines: Iterable[StatementLine]) -> list[tuple[str, StatementLine]]:
    """(key, line) for each line, in order; see `line_key`."""
    return list(each_keyed(account_code, lines))


def each_keyed(account_code: str,
               lines: Iterable[StatementLine]) -> Iterator[tuple[str, StatementLine]]:
    """`keyed`, one line at a time: a statement's spooled lines are numbered by the spool."""
    for line, occurrence in (lines.numbered() if isinstance(lines, LineSpool)
                             else _numbered(lines)):
        yield line_key(account_code, line, occurrence), line


def _numbered(lines: Iterable[StatementLine]) -> Iterator[tuple[StatementLine, int]]:
    seen: dict[tuple, int] = {}
    for line in lines:
        if line.ref:
            yield line, 0
            continue
        content = _content(line)
        occurrence = seen.get(content, 0)
        seen[content] = occurrence + 1
        yield line, occurrence


# --- transfer texts ---------------------------------------------------------------------------

_SUFFIXES = (re.compile(r"\s*;?\s*thoi gian GD\s*:.*$", re.I),
             re.compile(r"\s*-\s*CTLNHIDI\d+.*$", re.I),
             re.compile(r"\s+(?:Trace|FT)\s*\d{6,}\s*$", re.I))
_TKTHE = re.compile(r"^TKThe\s*:\s*(?P<acct>[\dxX*]+)\s*,\s*tai\s+\S+?\.\s*(?P<rest>.*)$", re.I)
_MBVCB = re.compile(r"^(?:MBVCB|IBVCB)\.\d+\.(?:\d+\.)?(?P<msg>.*?)\.?\s*CT\s+tu\s+"
                    r"(?P<acct>[\dxX*]+)\s+(?P<name>.+?)\s+toi\s*\S+(?:\s.*)?$", re.I)
_NHAN_TU = re.compile(r"^NHAN TU\s+(?P<acct>[\dxX*]+)\s+(?P<name>.+?)\s+"
                      r"(?:TRACE\s+\d+\s+)?ND\s*:?\s*(?P<msg>.*)$", re.I)
_NAPAS = re.compile(r"^\d{6}\.\d{6}\.\d{6}\.(?P<msg>.*)$")
_PREFIX = re.compile(r"^(?:IBFT|MBVCB|IBVCB|CT nhanh 247 den\s*:|FT\d{10,}|REM|SMS)\s*[.:]?\s*",
                     re.I)


def parse_detail(text: str) -> tuple[str, str | None, str | None]:
    """(message, sender's name, sender's account) from a transfer's detail text, best effort.

    Knows Vietcombank's `MBVCB.<id>.<seq>.<message>.CT tu <account> <NAME> toi <account>`, the
    `TKThe :<account>, tai <bank>. ...` wrapper, `NHAN TU <account> <NAME> ND <message>`, NAPAS
    `<trace>.<ddmmyy>.<hhmmss>.<message>`, the prefixes IBFT, MBVCB, FT<number>, and trailing
    `; thoi gian GD:...`, `-CTLNHIDI...`, `Trace 123456`. Anything else is its own message."""
    message = clean(text)
    account: str | None = None
    name: str | None = None
    for suffix in _SUFFIXES:
        message = suffix.sub("", message)
    wrapped = _TKTHE.match(message)
    if wrapped:
        account, message = wrapped.group("acct"), wrapped.group("rest")
    match = _MBVCB.match(message) or _NHAN_TU.match(message)
    if match:
        return (clean(match.group("msg")).strip(". "), clean(match.group("name")),
                match.group("acct"))
    napas = _NAPAS.match(message)
    if napas:
        message = napas.group("msg")
    message = _PREFIX.sub("", message)
    for suffix in _SUFFIXES:
        message = suffix.sub("", message)
    return clean(message).strip(". "), name, account


_SEP = r"[\s.\-]*"


@lru_cache(maxsize=64)
def reference_pattern(prefix: str) -> re.Pattern[str]:
    """The pattern `find_reference` uses for references starting `prefix` ("P3D")."""
    letters = [re.escape(ch) for ch in fold(clean(prefix)).upper() if not ch.isspace()]
    if not letters:
        raise BadInput("a reference pattern needs the reference's start, e.g. P3D")
    head = _SEP.join(letters)
    return re.compile(rf"(?<![A-Z0-9]){head}{_SEP}(?:(\d{{4,}})(?!\d)|"
                      rf"(\d{_SEP}\d{_SEP}\d{_SEP}\d)(?![\d]))")


def find_reference(text: str, pattern: str | re.Pattern[str]) -> str | None:
    """The first ward reference in a transfer's message, written as references are ("P3D0042").

    `pattern` is the start every reference shares (a ward code and kind, "P3D"), or a pattern
    from `reference_pattern`. Case and marks do not matter, and spaces, dots and dashes inside
    the reference are ignored ("p3d-0042", "P3D 00 42"); four digits at least follow the start.
    A run of digits right after the reference ("P3D0042 500000") is not taken into it."""
    compiled = reference_pattern(pattern) if isinstance(pattern, str) else pattern
    folded = fold(clean(text)).upper()
    match = compiled.search(folded)
    if match is None:
        return None
    return re.sub(r"[\s.\-]", "", match.group(0))


# --- publication ------------------------------------------------------------------------------

def mask_name(name: str) -> str:
    """A sender's name as a public page may show it (Decree 13/2023 on personal data).

    The first word (the family name) is kept; every other word keeps its first letter and each
    further letter becomes "*": "NGUYEN VAN AN" -> "NGUYEN V** A*", "NGUYEN VAN A" ->
    "NGUYEN V** A" (the issue's example). A name of one word keeps only its first letter."""
    words = clean(name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "*" * (len(words[0]) - 1)
    return " ".join([words[0]] + [word[0] + "*" * (len(word) - 1) for word in words[1:]])


def mask_account(account: str) -> str:
    """An account number as a public page may show it: its last four characters ("****2418")."""
    text = "".join(clean(account).split())
    return "****" + (text[-4:] if len(text) > 4 else "")
