"""Exports a spreadsheet shows and never runs (issue #22, finding 8).

A household named `=HYPERLINK("http://x","bấm")`, a donor `@SUM(A1)`, a receipt `=2+2`, a group
`+1` and a note `-1` go through the register, the receipt sheet, the statement, the stock and
history reports and the reconciliation, as CSV and as workbooks. Read back with openpyxl, no
cell is a formula and every text shows literally; in CSV every such text starts with `'`
(OWASP's guidance). Honest side: ordinary texts, dates and numbers (negative ones included)
are written exactly as before, numbers as numeric cells.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from commands.output.cells import FORMULA_START, inert, risky

LINK = '=HYPERLINK("http://x","bấm")'
NUMBER = re.compile(r"-?[0-9]+")
RISKY = [LINK, "@SUM(A1)", "=2+2", "+1", "-1", "=1+1 gói"]


@pytest.fixture
def hostile(ward):
    """The ward with risky texts wherever a treasurer can type one, and a round handed out."""
    ward("item", "add", "SOAP", "--name", "=1+1 gói", "--unit", "-1", "--on", "2021-11-01")
    ward("recipient", "add", "HX", "--name", LINK, "--group", "+1", "--size", "3",
         "--on", "2021-11-01")
    ward("donor", "add", "DX", "--name", "@SUM(A1)", "--on", "2021-11-01")
    ward("donate", "DX", "--into", "KHO", "--item", "RICE=100", "--item", "NOODLE=10",
         "--item", "SOAP=5", "--cash", "1000000", "--receipt", "=2+2", "--note", "-1",
         "--on", "2021-11-02")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--receipt", "+1",
         "--on", "2021-11-02")
    ward("adjust", "KHO", "--item", "SOAP=-2", "--reason", "-1 ướt", "--on", "2021-11-03")
    ward("pack", "B350", "--count", "3", "--at", "KHO", "--on", "2021-11-03")
    ward("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--on", "2021-11-05")
    ward("round", "apply", "R1", "--on", "2021-11-05")
    return ward


def csv_exports(ledger) -> dict[str, str]:
    return {name: ledger(*args).out for name, args in {
        "register": ("recipient", "list", "--format", "csv"),
        "receipt sheet": ("round", "sheet", "R1", "--format", "csv"),
        "statement": ("audit", "statement", "--format", "csv"),
        "stock": ("stock", "--format", "csv"),
        "history": ("history", "--format", "csv"),
        "reconcile": ("audit", "reconcile", "--format", "csv"),
    }.items()}


def workbooks(ledger, folder: Path) -> dict[str, Path]:
    made = {}
    for name, args in {"register": ("recipient", "list"),
                       "receipt sheet": ("round", "sheet", "R1"),
                       "statement": ("audit", "statement"), "stock": ("stock",),
                       "history": ("history",), "reconcile": ("audit", "reconcile")}.items():
        path = folder / f"{name.replace(' ', '-')}.xlsx"
        ledger(*args, "-o", path)
        made[name] = path
    return made


def cells(path: Path):
    book = openpyxl.load_workbook(path)  # formulas as written, not their cached values
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_no_export_runs_a_cell(hostile, tmp_path):
    for name, text in csv_exports(hostile).items():
        fields = [field for row in csv.reader(io.StringIO(text)) for field in row]
        assert not [f for f in fields if f.startswith(FORMULA_START)
                    and not NUMBER.fullmatch(f)], name  # "-2": a number, not a formula
    shown = csv_exports(hostile)
    assert "'" + LINK.replace('"', '""') in shown["register"]
    assert "'" + LINK.replace('"', '""') in shown["receipt sheet"]
    assert "'=2+2" in shown["statement"] and "'@SUM(A1)" in shown["statement"]
    assert "'=1+1 gói" in shown["stock"] and "'-1 ướt" in shown["history"]
    sheet_csv = tmp_path / "sheet.csv"
    hostile("round", "sheet", "R1", "-o", sheet_csv)
    assert sheet_csv.read_text(encoding="utf-8") == shown["receipt sheet"]

    texts: dict[str, set[str]] = {}
    for name, path in workbooks(hostile, tmp_path).items():
        found = list(cells(path))
        assert not [c.coordinate for c in found if c.data_type == "f"], name
        texts[name] = {c.value for c in found if isinstance(c.value, str)}
        for cell in found:
            if risky(cell.value):
                assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate)
    assert LINK in texts["register"] and LINK in texts["receipt sheet"]
    assert {"=2+2", "@SUM(A1)", "+1"} <= texts["statement"]
    assert "=1+1 gói" in texts["stock"] and "-1 ướt" in texts["history"]
    assert {"= in", "= out"} <= texts["reconcile"]  # headings, shown as written


def test_ordinary_values_and_numbers_are_written_as_before(ward, tmp_path):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "5000000",
         "--receipt", "PT-0001", "--note", "Gạo 10 kg", "--on", "2021-11-02")
    ward("adjust", "KHO", "--item", "RICE=-7", "--reason", "ướt", "--on", "2021-11-03")
    for name, text in csv_exports_plain(ward).items():
        assert "'" not in text.replace("'s", ""), name  # nothing quoted that was not risky
    running = ("history", "--at", "KHO", "--item", "RICE")
    history = list(csv.DictReader(io.StringIO(ward(*running, "--format", "csv").out)))
    assert [row["change"] for row in history] == ["100", "-7"]  # a negative number, unquoted
    assert history[-1]["effect"] == "KHO RICE -7"
    path = tmp_path / "history.xlsx"
    ward(*running, "-o", path)
    found = list(cells(path))
    numbers = [c.value for c in found if c.data_type == "n"]
    assert -7 in numbers and 100 in numbers
    assert not any(c.quotePrefix for c in found)
    assert {"KHO RICE -7", "ướt"} <= {c.value for c in found}


def csv_exports_plain(ledger) -> dict[str, str]:
    return {name: ledger(*args).out for name, args in {
        "register": ("recipient", "list", "--format", "csv"),
        "statement": ("audit", "statement", "--format", "csv"),
        "stock": ("stock", "--format", "csv"),
        "history": ("history", "--format", "csv")}.items()}


@pytest.mark.parametrize("value, written", [
    ("=2+2", "'=2+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\r=1", "'\r=1"), ("Nguyễn Văn A", "Nguyễn Văn A"), ("a=b", "a=b"),
    ("", ""), (-5, -5), (0, 0), (None, None), (True, True), ("2021-11-17", "2021-11-17")])
def test_one_cell(value, written):
    assert inert(value) == written
