"""Household lists as wards keep them (issue 23, item 6): Vietnamese headers below title rows,
.ods from LibreOffice as well as .xlsx and CSV, phone and ID numbers kept as text (a leading 0
a spreadsheet dropped is restored, or the row is refused), errors naming the row and the
Vietnamese columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from commands.recording.spreadsheets import read_rows
from ledger.errors import BadInput
from tests.commands.test_sheets_in import workbook

HEADERS = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Tổ", "Số nhân khẩu", "SĐT", "Số CCCD",
           "Mức ưu tiên"]
TITLE = [["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["Độc lập - Tự do - Hạnh phúc"], [],
         ["DANH SÁCH HỘ GIA ĐÌNH KHÓ KHĂN DO ẢNH HƯỞNG DỊCH COVID-19"]]


def ods(path: Path, rows: list[list]) -> Path:
    """An .ods as LibreOffice Calc writes one: typed cells, a repeated empty tail."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Danh sách")
    for row in rows:
        line = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.strftime("%d/%m/%Y")))
            elif isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            line.addElement(cell)
        line.addElement(TableCell(numbercolumnsrepeated=1000))
        table.addElement(line)
    table.addElement(TableRow(numberrowsrepeated=1048000))
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


ROWS = [[1, "H11", "Nguyễn Văn An", "Tổ 1", 4, 903123456, 79123456789, 1],
        [2, "H12", "Trần Thị Bình", "Tổ 2", 2, "0912 345 678", "001234567890", 0],
        [3, "H13", "Lê Văn Cường", "Tổ 2", 5, None, None, 2]]


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv"])
def test_a_ward_list_with_titles_and_vietnamese_headers_imports(ward, tmp_path, kind):
    if kind == "xlsx":
        path = workbook(tmp_path / "danh sách.xlsx", {"Hộ": TITLE + [HEADERS] + ROWS})
    elif kind == "ods":
        path = ods(tmp_path / "danh sách.ods", TITLE + [HEADERS] + ROWS)
    else:
        path = tmp_path / "danh sách.csv"
        path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                                  for row in [HEADERS] + ROWS) + "\n", encoding="utf-8")
    rows = dict(read_rows(path))
    first = min(rows)
    assert rows[first]["phone"] == "0903123456" and rows[first]["id_number"] == "079123456789"
    assert rows[first + 1]["phone"] == "0912 345 678"  # text stays as typed
    assert rows[first + 1]["id_number"] == "001234567890"
    out = ward("recipient", "import", str(path)).out
    assert "3 households in the file" in out
    listed = {r["code"]: r for r in ward("recipient", "list", "--format", "json").json()}
    assert listed["H13"]["size"] == 5 and listed["H13"]["tier"] == 2
    assert listed["H11"]["group"] == "Tổ 1"


def test_ods_reads_dates_numbers_and_the_named_sheet(tmp_path):
    path = ods(tmp_path / "ủng hộ.ods", [["Số phiếu", "Ngày", "Tiền"],
                                          ["PT-1", date(2021, 11, 10), 500000],
                                          [1002, "11/11/2021", 2.5]])
    assert read_rows(path) == [(2, {"receipt": "PT-1", "date": "2021-11-10", "cash": "500000"}),
                               (3, {"receipt": "1002", "date": "11/11/2021", "cash": "2.5"})]
    with pytest.raises(BadInput, match="has no sheet 'Other': its sheets are 'Danh sách'"):
        read_rows(path, "Other")
    broken = tmp_path / "broken.ods"
    broken.write_bytes(b"not a zip")
    with pytest.raises(BadInput, match="not a readable .ods spreadsheet"):
        read_rows(broken)


@pytest.mark.parametrize("value, column, says", [
    (12345, "SĐT", "row 6, column 'SĐT': 12345 is not a phone number"),
    ("9.03E+08", "SĐT", "row 6, column 'SĐT': '9.03E+08' lost its digits"),
    (1234567890, "Số CCCD", "row 6, column 'Số CCCD': 1234567890 is not an ID number"),
])
def test_a_number_cell_that_lost_digits_is_refused_with_its_row(ward, tmp_path, value, column,
                                                               says):
    row = [1, "H1", "Nguyễn Văn An", "Tổ 1", 4, None, None, 1]
    row[HEADERS.index(column)] = value
    path = workbook(tmp_path / "list.xlsx", {"Hộ": TITLE + [HEADERS, row]})
    before = ward.snapshot()
    result = ward.fails("recipient", "import", str(path))
    assert result.code == 2 and says in result.err and result.err.count("\n") == 1
    assert "Traceback" not in result.err and ward.snapshot() == before


@pytest.mark.parametrize("typed", ["0903123456", "+84903123456", "090.312.3456", "028 3812 3456"])
def test_phone_numbers_typed_as_text_are_never_changed(tmp_path, typed):
    path = workbook(tmp_path / "list.xlsx", {"Hộ": [HEADERS, [1, "H1", "A", "Tổ 1", 1, typed,
                                                              None, 1]]})
    assert read_rows(path)[0][1]["phone"] == typed


def test_a_landline_that_lost_its_zero_is_restored(tmp_path):
    path = workbook(tmp_path / "list.xlsx", {"Hộ": [HEADERS, [1, "H1", "A", "Tổ 1", 1, 2838123456,
                                                              None, 1]]})
    assert read_rows(path)[0][1]["phone"] == "02838123456"


def test_a_missing_column_names_the_header_row_and_its_vietnamese_name(ward, tmp_path):
    """The title rows are not blamed: the header row (row 5) is, with the column a Vietnamese
    sheet would head 'mã hộ'."""
    headers = [h for h in HEADERS if h != "Mã hộ"]
    path = workbook(tmp_path / "list.xlsx", {"Hộ": TITLE + [headers, [1, "A", "Tổ 1", 4, None,
                                                                       None, 1]]})
    result = ward.fails("recipient", "import", str(path))
    assert result.code == 2
    assert "list.xlsx line 5: missing column(s) code (in Vietnamese: mã hộ)" in result.err
    assert "Họ và tên chủ hộ" in result.err


@pytest.mark.parametrize("lang, kind", [("vi", "xlsx"), ("en", "xlsx"), ("vi", "csv"),
                                        ("en", "csv")])
def test_the_register_exported_in_any_language_imports_back_unchanged(ward, tmp_path, lang,
                                                                       kind):
    """Issue 23: `aid recipient list -o` in Vietnamese heads the column 'bị loại khỏi danh
    sách'; imported back, the excluded household stays excluded and nothing is recorded."""
    path = workbook(tmp_path / "list.xlsx", {"Hộ": [HEADERS] + ROWS})
    ward("recipient", "import", str(path))
    ward("recipient", "exclude", "H12", "--reason", "chuyển đi")
    before = ward.snapshot()
    exported = tmp_path / f"register.{kind}"
    if kind == "xlsx":
        ward("--lang", lang, "recipient", "list", "-o", str(exported))
    else:
        exported.write_text(ward("--lang", lang, "recipient", "list", "--format", "csv").out,
                            encoding="utf-8")
    said = ward("--lang", "vi", "recipient", "import", str(exported)).out
    assert said.startswith("không có gì để ghi: danh sách hộ đã khớp với "), said
    assert ward.snapshot() == before


def test_a_list_without_an_excluded_column_leaves_exclusions_as_they_are(ward, tmp_path):
    """A ward's own list knows nothing of who was excluded since: it must not bring them back."""
    path = workbook(tmp_path / "list.xlsx", {"Hộ": [HEADERS] + ROWS})
    ward("recipient", "import", str(path))
    ward("recipient", "exclude", "H12", "--reason", "chuyển đi")
    changed = [row[:4] + [6] + row[5:] if row[1] == "H11" else row for row in ROWS]
    ward("recipient", "import", str(workbook(tmp_path / "again.xlsx",
                                             {"Hộ": [HEADERS] + changed})))
    listed = {r["code"]: r for r in ward("recipient", "list", "--format", "json").json()}
    assert listed["H12"]["excluded"] is True and listed["H11"]["size"] == 6
    flagged = [HEADERS + ["Loại trừ"]] + [row + ["đúng" if row[1] == "H13" else "sai"]
                                          for row in ROWS]
    ward("recipient", "import", str(workbook(tmp_path / "flags.xlsx", {"Hộ": flagged})))
    listed = {r["code"]: r for r in ward("recipient", "list", "--format", "json").json()}
    assert [code for code, r in sorted(listed.items()) if r["excluded"]] == ["H13"]


def test_a_tier_named_by_its_label_or_as_said_is_read(ward, tmp_path):
    """A ward's list heads its tier column "Diện" and writes the ward's own label ("Hộ nghèo,
    cận nghèo"), or "mức 1"; both are the tier the ward's labels say."""
    ward("tier", "label", "1", "Hộ nghèo, cận nghèo")
    rows = [["Mã hộ", "Họ và tên", "Tổ", "Số nhân khẩu", "Diện"],
            ["H21", "Nguyễn Văn An", "Tổ 1", 4, "hộ nghèo, cận nghèo"],
            ["H22", "Trần Thị Bình", "Tổ 2", 2, "Mức 2"],
            ["H23", "Lê Văn Cường", "Tổ 2", 5, 3]]
    ward("recipient", "import", str(workbook(tmp_path / "diện.xlsx", {"Hộ": rows})))
    listed = {r["code"]: r["tier"] for r in ward("recipient", "list", "--format", "json").json()}
    assert (listed["H21"], listed["H22"], listed["H23"]) == (1, 2, 3)
    bad = [rows[0], ["H24", "Phạm Thị D", "Tổ 1", 1, "hộ giàu"]]
    refused = ward.fails("recipient", "import", str(workbook(tmp_path / "bad.xlsx", {"Hộ": bad})))
    assert refused.code == 2 and "tier must be a whole number, not 'hộ giàu'" in refused.err


@pytest.mark.parametrize("option, typed, says", [
    ("--phone", "abc", "--phone 'abc' is not a phone number"),
    ("--phone", "12", "--phone '12' is not a phone number"),
    ("--phone", "0903123456 / gọi sau", "--phone '0903123456 / gọi sau' is not a phone"),
    ("--phone", "(chồng)", "--phone '(chồng)' is not a phone number"),
    ("--id-number", "12ab", "--id-number '12ab' is not an ID number"),
    ("--id-number", "0791-234-567", "--id-number '0791-234-567' is not an ID number"),
])
def test_a_phone_or_id_number_that_is_none_is_refused_with_nothing_written(ward, option, typed,
                                                                          says):
    """From a sweep: `--phone abc` and `--id-number 12ab` were recorded (sealed, so nobody saw
    the slip until the district matched no one)."""
    before = ward.snapshot()
    result = ward.fails("recipient", "add", "H99", "--name", "Lê Văn X", "--group", "Tổ 1",
                        option, typed)
    assert result.code == 2 and says in result.err and result.err.count("\n") == 1
    assert ward.snapshot() == before


@pytest.mark.parametrize("phone, id_number", [
    ("0903 123 456", "079 123 456 789"), ("+84 903 123 456", "079123456"),
    ("(028) 3812-3456", "001234567890"), ("0903123456", "B1234567"),
    ("0903123456 / 0912345678", None), ("0903 123 456 (chồng); 028 3812 3456", None)])
def test_phones_and_id_numbers_as_wards_write_them_are_recorded(ward, phone, id_number):
    """Two numbers in one cell and a note beside one are how ward lists hold them (from a
    sweep: each refused, and with it a whole imported list)."""
    ward("recipient", "add", "H99", "--name", "Lê Văn X", "--group", "Tổ 1", "--phone", phone,
         *(["--id-number", id_number] if id_number else []))


def test_an_imported_list_with_a_phone_that_is_none_names_its_row(ward, tmp_path):
    row = [1, "H1", "Nguyễn Văn An", "Tổ 1", 4, "gọi sau", None, 1]
    path = workbook(tmp_path / "list.xlsx", {"Hộ": TITLE + [HEADERS, row]})
    before = ward.snapshot()
    result = ward.fails("recipient", "import", str(path))
    assert result.code == 2 and "line 6: phone 'gọi sau' is not a phone number" in result.err
    assert ward.snapshot() == before


def test_a_household_list_says_which_of_its_columns_are_not_read(ward, tmp_path):
    """From a sweep: a list with a 'ghi chú' column imported and dropped it without a word,
    as the donations and hand-outs imports no longer do."""
    path = tmp_path / "list.csv"
    path.write_text("code,name,group,size,tier,ghi chú\nH7,Lê Văn G,Tổ 1,2,1,nhà thuê\n",
                    encoding="utf-8")
    said = ward("recipient", "import", str(path))
    assert said.err.startswith("aid: warning: list.csv: columns not read: 'ghi chú'; a list of "
                               "households reads 'code' (mã hộ), ")
    assert "H7" in {h["code"] for h in ward("recipient", "list", "--format", "json").json()}
    path.write_text("code,name,group,size,tier,phone\nH7,Lê Văn G,Tổ 1,2,1,0903123456\n",
                    encoding="utf-8")
    assert ward("recipient", "import", str(path)).err == ""  # every column read: nothing said
