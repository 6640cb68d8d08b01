"""Spreadsheets in: real .xlsx workbooks and CSV files in each encoding Excel writes."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from commands.recording.spreadsheets import column, read_rows
from ledger.errors import BadInput

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Text as Windows-1258 stores it: letters (ă, ơ, ê…) precomposed, tone marks combining."""
    out: list[str] = []
    base = 0  # the letter a breve, circumflex or horn belongs to (a dot below may come first)
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and ch not in TONES and out:
            out[base] = unicodedata.normalize("NFC", out[base] + ch)
        else:
            base = base if unicodedata.combining(ch) else len(out)
            out.append(ch)
    return "".join(out).encode("cp1258")


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


VI_DONATIONS = ["Số phiếu", "Ngày", "Nhà hảo tâm", "Kho", "Tiền (đồng)", "Hàng", "Ghi chú"]


def stock(ward) -> dict:
    return {(r["location"], r["item"]): r["quantity"]
            for r in ward("stock", "--format", "json").json()}


def test_xlsx_donations_with_vietnamese_headers_numbers_and_dates(ward, tmp_path):
    """A title row above the header; cash as a number cell and as "350.000" text; dates as
    real date cells and as dd/mm/yyyy text; a receipt number typed as a number."""
    path = workbook(tmp_path / "ủng hộ.xlsx", {"Danh sách": [
        ["DANH SÁCH NHÀ HẢO TÂM ỦNG HỘ"],
        [],
        VI_DONATIONS,
        ["PT-1", date(2021, 11, 10), "D1", "KHO", 500000, "RICE=10; NOODLE=2", "Công ty"],
        [1002, "11/11/2021", "D1", "KHO", "350.000", None, None],
        [None, None, None, None, None, None, None],
        ["PT-3", datetime(2021, 11, 12), "D1", "KHO", 0.0, "RICE=5", "gạo"],
    ]})
    out = ward("import", "donations", str(path)).out
    assert "imported 3 donations" in out
    assert stock(ward) == {("KHO", "RICE"): 15, ("KHO", "NOODLE"): 2}
    assert ward("cash", "--format", "json").json()["received"] == 850_000
    dates = {line["on"] for line in ward("history", "--format", "json").json()
             if line["kind"] == "donate"}
    assert dates == {"2021-11-10", "2021-11-11", "2021-11-12"}
    again = ward("import", "donations", str(path)).out
    assert "imported 0 donations" in again and "3 already recorded" in again


def test_xlsx_errors_name_the_excel_row_and_write_nothing(ward, tmp_path):
    path = workbook(tmp_path / "bad.xlsx", {"Sheet": [
        ["ngay", "so phieu", "nha hao tam", "kho", "tien"],  # no diacritics, other order
        ["10/11/2021", "A1", "D1", "KHO", 1000],
        [],
        ["10/11/2021", "A2", "D9", "KHO", 1000],
        ["10/11/2021", "A3", "D1", "KHO", 2.5],
    ]})
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(path))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0].startswith("aid: bad.xlsx line 4: unknown donor 'D9'")  # every problem,
    assert lines[1] == "aid: bad.xlsx line 5: cash must be a whole number, not '2.5'"  # in order
    assert lines[-1] == "aid: nothing was imported from bad.xlsx: fix the lines above"
    assert ward.snapshot() == before
    path = workbook(tmp_path / "bad.xlsx", {"Sheet": [
        ["ngay", "so phieu", "nha hao tam", "kho", "tien"],
        ["10/11/2021", "A1", "D1", "KHO", 1000],
        [],
        ["10/11/2021", "A2", "D9", "KHO", 1000],
    ]})
    result = ward.fails("import", "donations", str(path))
    assert result.err.splitlines()[0].startswith("aid: bad.xlsx line 4: unknown donor 'D9'")
    assert ward.snapshot() == before


def test_xlsx_handouts_from_a_named_sheet(ward, tmp_path):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=50", "--item", "NOODLE=5",
         "--cash", "1000000", "--on", "2021-11-10")
    ward("pack", "B350", "--count", "2", "--at", "KHO", "--on", "2021-11-10")
    path = workbook(tmp_path / "trao quà.xlsx", {
        "Ghi chú": [["không phải danh sách"]],
        "Trao quà": [
            ["Số phiếu nhận", "Ngày", "Người nhận", "Kho", "Phần quà", "Hàng", "Tiền"],
            ["N-1", date(2021, 11, 15), "H1", "KHO", "B350=1", None, None],
            [2, "15/11/2021", "H2", "KHO", None, "RICE=5", 50000],
        ]})
    out = ward("import", "handouts", str(path), "--sheet", "Trao quà").out
    assert "imported 2 hand-outs" in out
    assert stock(ward)[("KHO", "B350")] == 1 and stock(ward)[("KHO", "RICE")] == 25
    assert ward("cash", "--format", "json").json()["given"] == 100_000 + 50_000
    missing = ward.fails("import", "handouts", str(path), "--sheet", "Sheet9")
    assert missing.code == 2
    assert missing.err.strip() == ("aid: trao quà.xlsx has no sheet 'Sheet9': its sheets are "
                                   "'Ghi chú', 'Trao quà'")
    first = ward.fails("import", "handouts", str(path))  # the first sheet has no header
    assert first.code == 2 and "has no header row naming its columns" in first.err


ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: text.encode("utf-8-sig"),
    "utf-16 (Excel's Unicode text)": lambda text: text.replace(",", "\t").encode("utf-16"),
    "windows-1258": windows_1258,
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_csv_in_every_excel_encoding(ward, tmp_path, encoding):
    text = ("Số phiếu,Ngày,Nhà hảo tâm,Kho,Tiền,Hàng,Ghi chú\r\n"
            "PT-1,10/11/2021,D1,KHO,200000,RICE=4,Chị Nguyễn Thị Hường\r\n"
            "PT-2,11/11/2021,D1,KHO,,NOODLE=1,Ông Trần Văn Đức\r\n")
    path = tmp_path / "donations.csv"
    path.write_bytes(ENCODINGS[encoding](text))
    rows = read_rows(path)
    assert [line for line, _ in rows] == [2, 3]
    assert rows[0][1]["note"] == "Chị Nguyễn Thị Hường"
    assert unicodedata.is_normalized("NFC", rows[1][1]["note"])
    assert rows[1][1] == {"receipt": "PT-2", "date": "11/11/2021", "donor": "D1",
                          "location": "KHO", "cash": "", "items": "NOODLE=1",
                          "note": "Ông Trần Văn Đức"}
    assert "imported 2 donations" in ward("import", "donations", str(path)).out
    assert stock(ward) == {("KHO", "RICE"): 4, ("KHO", "NOODLE"): 1}


def test_windows_1258_bytes_really_are_decomposed(tmp_path):
    """The test's encoder writes tone marks as combining characters, as Windows does."""
    data = windows_1258("Hường")
    assert data == b"H\xfd\xf5\xccng"  # ư, ơ, combining grave
    path = tmp_path / "x.csv"
    path.write_bytes(windows_1258("Họ tên,Mã hộ,Tổ\nNguyễn Thị Hường,H1,Tổ 1\n"))
    assert read_rows(path) == [(2, {"name": "Nguyễn Thị Hường", "code": "H1",
                                    "group": "Tổ 1"})]


def test_header_names_fold_case_and_diacritics():
    assert column("Số phiếu") == column("SO PHIEU") == column("receipt") == "receipt"
    assert column("  Tiền (đồng) ") == column("Cash") == "cash"
    assert column("Người nhận") == "recipient" and column("Phần quà") == "bundles"
    assert column("Số phiếu nhận") == "slip" and column("Ghi chú") == "note"
    assert column("Something else") == "something else"


def test_refusals_are_one_line(tmp_path):
    both = tmp_path / "both.csv"
    both.write_text("receipt,date,tiền,cash\nA,10/11/2021,1,2\n", encoding="utf-8")
    with pytest.raises(BadInput, match="columns 'tiền' and 'cash' both mean 'cash'"):
        read_rows(both)
    with pytest.raises(BadInput, match="reads .xlsx, .ods or .csv files, not '.numbers'"):
        read_rows(tmp_path / "list.numbers")
    with pytest.raises(BadInput, match="cannot read .*: there is no such file"):
        read_rows(tmp_path / "missing.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(BadInput, match="not a readable .xlsx workbook"):
        read_rows(broken)
    with pytest.raises(BadInput, match="--sheet only applies to .xlsx"):
        read_rows(both, sheet="x")


def test_a_missing_required_column_is_named(ward, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("ngày,nhà hảo tâm,tiền\n10/11/2021,D1,5\n", encoding="utf-8")
    result = ward.fails("import", "donations", str(path))
    assert result.code == 2
    assert result.err.strip() == ("aid: d.csv has no 'receipt' (số phiếu thu) or 'location' (kho) "
                                  "column: name it in the header row")


def test_the_household_list_from_xlsx_with_vietnamese_headers(ward, tmp_path):
    """`aid recipient import` reads workbooks through the same reader."""
    path = workbook(tmp_path / "danh sách hộ.xlsx", {"Hộ nghèo": [
        ["DANH SÁCH HỘ ĐƯỢC HỖ TRỢ"],
        ["Mã hộ", "Họ và tên", "Tổ", "Số nhân khẩu", "Diện", "Loại trừ"],
        ["H1", "Nguyễn Văn A", "Tổ 1", 4, 3, None],
        ["H30", unicodedata.normalize("NFD", "Lê Thị Hạnh"), "Tổ 3", 5.0, "1", "x"],
    ]})
    out = ward("recipient", "import", str(path), "--sheet", "Hộ nghèo").out
    assert "2 households in the file" in out
    listed = {r["code"]: r for r in ward("recipient", "list", "--format", "json").json()}
    assert listed["H30"]["name"] == "Lê Thị Hạnh" and listed["H30"]["size"] == 5
    assert listed["H30"]["tier"] == 1 and listed["H30"]["excluded"] is True


def test_merged_cells_read_as_their_first_cell(ward, tmp_path):
    """From a sweep: a tổ merged over its households' rows (as paper lists are laid out) left
    all but the first with no group, silently. A merged cell means its value for every row."""
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH HỘ"])
    sheet.append(["Mã hộ", "Họ và tên", "Tổ", "Số nhân khẩu", "Diện"])
    for code, name, group, size in (("M1", "Nguyễn A", "Tổ 5", 3), ("M2", "Trần B", None, 2),
                                    ("M3", "Lê C", None, 4), ("M4", "Phạm D", "Tổ 6", 1)):
        sheet.append([code, name, group, size, 1])
    sheet.merge_cells("A1:E1")  # a title across the columns: still no household
    sheet.merge_cells("C3:C5")
    book.save(path)
    ward("recipient", "import", str(path), "--on", "2021-11-25")
    listed = {r["code"]: r["group"] for r in ward("recipient", "list", "--format", "json").json()}
    assert {code: listed[code] for code in ("M1", "M2", "M3", "M4")} == {
        "M1": "Tổ 5", "M2": "Tổ 5", "M3": "Tổ 5", "M4": "Tổ 6"}
