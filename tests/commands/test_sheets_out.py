"""Reports out as .xlsx: the same figures as the JSON report, in typed cells."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest


@pytest.fixture
def drive(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1200", "--item", "NOODLE=10",
         "--cash", "1500000", "--on", "10/11/2021", "--receipt", "PT-1")
    ward("pack", "B350", "--count", "4", "--at", "KHO", "--on", "12/11/2021")
    ward("give", "H1", "--from", "KHO", "--bundle", "B350=1", "--on", "15/11/2021")
    return ward


def sheet_rows(path, title=None):
    book = openpyxl.load_workbook(path)
    sheet = book[title] if title else book.worksheets[0]
    rows = list(sheet.iter_rows())
    return sheet, [[cell.value for cell in row] for row in rows], rows


def test_stock_round_trips_with_numbers_as_numbers(drive, tmp_path):
    path = tmp_path / "tồn kho.xlsx"
    out = drive("stock", "--output", str(path)).out
    assert out == f"wrote 3 rows to {path}\n"
    sheet, values, cells = sheet_rows(path)
    assert sheet.title == "Stock"  # what it holds, never the file's name
    drive("--lang", "vi", "cash", "-o", str(tmp_path / "cash.xlsx"))  # in the reader's words
    assert openpyxl.load_workbook(tmp_path / "cash.xlsx").sheetnames == ["Sổ quỹ"]
    columns = ["location", "item", "name", "quantity", "unit", "reserved", "free", "minimum",
               "low"]  # a workbook carries every column, as CSV does
    assert values[0] == columns
    assert all(cell.font.bold for cell in cells[0])
    assert sheet.freeze_panes == "A2"
    expected = [[{True: "yes", False: "no"}.get(r[column], r[column]) if type(r[column]) is bool
                 else r[column] for column in columns]
                for r in drive("stock", "--format", "json").json()]
    assert values[1:] == expected  # yes/no as words: a spreadsheet shows a boolean in English
    drive("--lang", "vi", "stock", "-o", str(tmp_path / "vi.xlsx"))
    assert {row[-1] for row in sheet_rows(tmp_path / "vi.xlsx")[1][1:]} == {"không"}
    rice = next(row for row in cells[1:] if row[1].value == "RICE")
    assert rice[3].value == 1160 and rice[3].data_type == "n" and rice[3].number_format == "#,##0"
    assert sheet.column_dimensions["C"].width >= len("Kho phường")


def test_history_dates_are_date_cells(drive, tmp_path):
    path = tmp_path / "history.xlsx"
    drive("history", "-o", str(path))
    _, values, cells = sheet_rows(path)
    lines = drive("history", "--format", "json").json()
    assert [row[0] for row in values[1:]] == [line["id"] for line in lines]
    on = cells[1][1]
    assert on.is_date and on.number_format == "dd/mm/yyyy"
    assert [row[1] for row in values[1:]] == [datetime.fromisoformat(line["on"])
                                              for line in lines]


def test_cash_and_reconcile_figures_match_json(drive, tmp_path):
    drive("cash", "-o", str(tmp_path / "cash.xlsx"))
    _, values, _ = sheet_rows(tmp_path / "cash.xlsx")
    book = drive("cash", "--format", "json").json()
    assert values == [["category", "đồng"]] + [[k, v] for k, v in book.items()]
    # CSV headers are the same in every language: scripts read them, and "category,đồng" is
    # what every release has printed (a sweep asked for "amount": kept as it is, a contract)
    for lang in ("en", "vi"):
        assert drive("--lang", lang, "cash", "--format", "csv").out.splitlines()[0] == (
            "category,đồng")
        assert "\ncash,đồng\nreceived," in drive("--lang", lang, "audit", "reconcile",
                                                 "--format", "csv").out
    assert book["balance"] == 1_100_000
    drive("audit", "reconcile", "-o", str(tmp_path / "reconcile.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "reconcile.xlsx").sheetnames == ["goods", "cash"]
    _, goods, _ = sheet_rows(tmp_path / "reconcile.xlsx", "goods")
    result = drive("audit", "reconcile", "--format", "json").json()
    on_hand = goods[0].index("on hand")
    assert {(row[0], row[1]): row[on_hand] for row in goods[1:]} == {
        (r["location"], r["item"]): r["on_hand"] for r in result["goods"]}


def test_amounts_of_dong_are_numbers_written_as_money(drive, tmp_path):
    """The glossary's promise for workbooks too: a cell of đồng shows "1.100.000 ₫" (its
    format, in the reader's language) and stays a number a treasurer can sum; quantities keep
    the plain grouped format."""
    drive("--lang", "vi", "cash", "-o", str(tmp_path / "so-quy.xlsx"))
    _, values, cells = sheet_rows(tmp_path / "so-quy.xlsx")
    balance = next(row for row in cells[1:] if row[1].value == 1_100_000)[1]
    assert balance.data_type == "n" and balance.number_format == '#,##0"\u00a0₫"'
    drive("audit", "reconcile", "-o", str(tmp_path / "reconcile.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "reconcile.xlsx")
    assert {cell.number_format for row in book["cash"].iter_rows(min_row=2)
            for cell in row[1:]} == {'#,##0" VND"'}
    assert {cell.number_format for row in book["goods"].iter_rows(min_row=2)
            for cell in row[2:]} == {"#,##0"}


def test_statement_has_a_sheet_per_section_and_the_digest(drive, tmp_path):
    path = tmp_path / "cong khai.xlsx"
    drive("audit", "statement", "-o", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "Digest" and "Stock left" in book.sheetnames
    assert all(len(name) <= 31 for name in book.sheetnames)
    fields = {row[0]: row[1] for row in book["Digest"].iter_rows(min_row=2, values_only=True)}
    digest = drive("audit", "digest", "--format", "json").json()
    assert fields["head"] == digest["head"]
    assert fields["events"] == digest["events"]  # a number, not its text
    cash = [row[index] for sheet in book.worksheets[:-1]
            for index, title in enumerate(cell.value for cell in sheet[1]) if title == "cash (đồng)"
            for row in sheet.iter_rows(min_row=2) if isinstance(row[index].value, int)]
    assert cash and {cell.number_format for cell in cash} == {'#,##0" VND"'}  # money, as money


def test_an_unknown_extension_is_one_line_and_writes_nothing(drive, tmp_path):
    for command in (["stock"], ["cash"], ["audit", "reconcile"], ["voucher", "list"],
                    ["audit", "digest"], ["audit", "verify"], ["tier", "list"]):
        result = drive.fails(*command, "--output", str(tmp_path / "report.pdf"))
        assert result.code == 2
        assert len(result.err.strip().splitlines()) == 1
        assert "'report.pdf' must end in .xlsx" in result.err
    assert list(tmp_path.glob("report*")) == []
    missing = drive.fails("stock", "--output", str(tmp_path / "no" / "such" / "stock.xlsx"))
    assert missing.code == 2 and "there is no folder" in missing.err


def test_a_workbook_open_in_excel_is_said_so_and_leaves_nothing(drive, tmp_path, monkeypatch):
    """Windows refuses to replace a file Excel holds open: PermissionError at the rename."""
    import commands.output.workbook as workbook

    def held(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(workbook.os, "replace", held)
    out = tmp_path / "out"
    out.mkdir()
    result = drive.fails("stock", "--output", str(out / "stock.xlsx"))
    assert result.code == 2 and "open in another program (close it in Excel" in result.err
    assert list(out.iterdir()) == []  # no half workbook, no temporary file


def test_round_plan_status_and_register_as_workbooks(drive, tmp_path):
    drive("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
          "--ration", "RICE=5", "--on", "2021-11-16")
    drive("round", "plan", "R1", "-o", str(tmp_path / "plan.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["plan", "items", "tiers"]
    planned = drive("round", "plan", "R1", "--format", "json").json()["allocations"]
    rows = list(book["plan"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[5]) for r in rows] == [(a["recipient"], a["item"], a["quantity"])
                                                  for a in planned]
    assert all(isinstance(r[5], int) for r in rows)
    drive("round", "status", "R1", "-o", str(tmp_path / "status.xlsx"))
    status = openpyxl.load_workbook(tmp_path / "status.xlsx").worksheets[0]
    assert [c.value for c in status[1]] == ["recipient", "tier", "size", "planned", "handed",
                                           "status"]
    drive("recipient", "list", "-o", str(tmp_path / "register.xlsx"))
    register = openpyxl.load_workbook(tmp_path / "register.xlsx").worksheets[0]
    names = {row[0]: row[1] for row in register.iter_rows(min_row=2, values_only=True)}
    assert names == {"H1": "Nguyễn Văn A", "H2": "Trần Thị B"}


def test_receipt_list_as_a_workbook_has_numbers_for_quantities_and_cash(drive, tmp_path):
    drive("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
          "--ration", "RICE=5", "--on", "2021-11-16")
    drive("round", "apply", "R1", "--only", "H2")
    path = tmp_path / "ký nhận R1.xlsx"
    assert drive("round", "sheet", "R1", "-o", str(path)).out == f"wrote 2 rows to {path}\n"
    sheet, values, cells = sheet_rows(path)
    header = next(i for i, row in enumerate(values) if row[0] == "No.")
    assert values[header] == ["No.", "Code", "Name", "Group", "Persons",
                              "Phần quà 350.000 ₫ (bundle)", "Gạo (kg)", "Cash", "Note",
                              "Signature (ký nhận)"]  # goods by their names, not codes
    planned = {(a["recipient"], a["item"]): a["quantity"]
               for a in drive("round", "plan", "R1", "--format", "json").json()["allocations"]}
    body = values[header + 1:]
    homes = [row for row in body if row[1] in ("H1", "H2")]
    assert homes == [
        [1, "H1", "Nguyễn Văn A", "Tổ 1", 4, planned[("H1", "B350")],
         planned[("H1", "RICE")], 100_000, None, None],
        [2, "H2", "Trần Thị B", "Tổ 2", 2, 1, planned[("H2", "RICE")], 100_000, "received", None]]
    first = header + 1 + body.index(homes[0])
    assert all(cell.data_type == "n" for cell in cells[first][4:8])
    assert cells[first][7].number_format == "#,##0"
    # tổ by tổ, as on the page: a heading, the households, a subtotal; the total last
    named = [row[2] for row in body if row[1] is None and row[2]]
    assert named[:3] == ["Tổ 1", "Total Tổ 1 (1 households)", "Tổ 2"]
    total = next(row for row in body if row[2] == "Total (2 households)")
    assert total[4] == 6 and total[7] == 200_000  # persons, cash
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"
    csv = drive("round", "sheet", "R1", "--format", "csv").out.splitlines()
    assert [line.split(",")[1] for line in csv[1:]] == [row[1] for row in homes]


def test_the_receipt_list_workbook_in_vietnamese_is_the_paper_form(drive, tmp_path):
    """Issue 23: quốc hiệu and tiêu ngữ, STT first and "Ký nhận" last, goods by name, tổ by
    tổ with subtotals and a total, "đã nhận" or blank (not TRUE/FALSE), the ward, the round
    and a signature block as on the page, landscape and one page wide."""
    drive("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
          "--ration", "RICE=5", "--on", "2021-11-16")
    drive("round", "apply", "R1", "--only", "H2")
    path = tmp_path / "ky nhan.xlsx"
    assert drive("--lang", "vi", "round", "sheet", "R1", "-o", str(path)).out == (
        f"đã ghi 2 dòng vào {path}\n")
    sheet, values, _ = sheet_rows(path)
    header = next(i for i, row in enumerate(values) if row[0] == "STT")
    titles = values[header]
    assert titles[-1] == "Ký nhận" and "signature" not in titles
    assert titles[1:5] == ["Mã hộ", "Họ và tên", "Tổ", "Số người"]
    assert "Gạo (kg)" in titles and "RICE" not in titles and "B350" not in titles
    # the bundle's name says its unit ("phần quà") already: not again in brackets, and never
    # the English "(bundle)"
    assert "Phần quà 350.000 ₫" in titles and not any("bundle" in str(t) for t in titles)
    homes = [row for row in values[header + 1:] if row[1] in ("H1", "H2")]
    handed = [row[titles.index("Ghi chú")] for row in homes]
    assert handed == [None, "đã nhận"]  # the word the printed page uses
    above = [cell for row in values[:header] for cell in row if cell]
    assert "Phường 3" in above and "R1" in above and "Đợt phát" in above
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in above and "Độc lập - Tự do - Hạnh phúc" in above
    assert any(str(cell).startswith("Tổng cộng (2 hộ)") for row in values for cell in row)
    assert any(str(cell).startswith("Cộng Tổ 1 (1 hộ)") for row in values for cell in row)
    below = [cell for row in values[header + 3:] for cell in row if cell]
    assert "Người lập danh sách" in below and "Trưởng ban" in below
    assert "(Ký, ghi rõ họ tên)" in below
    assert any(str(cell).startswith("Phường 3, ngày 16 tháng 11 năm 2021") for cell in below)
    assert not {True, False} & {cell for row in values for cell in row if type(cell) is bool}
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)


def test_sheet_names_are_never_cut_inside_a_word(drive, tmp_path):
    """Excel takes 31 characters: the Vietnamese statement's sheets have whole titles, and a
    title still too long loses whole words, never half of one ("… kiểm kê chênh")."""
    from commands.output.workbook import _title

    drive("--lang", "vi", "audit", "statement", "-o", str(tmp_path / "s.xlsx"))
    names = openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames
    assert "Hư hao và chênh lệch kiểm kê" in names
    assert all(len(name) <= 31 for name in names)
    book = openpyxl.Workbook()
    long = "Danh sách hộ nhận quà, theo từng tổ dân phố"
    first = _title(book, long)
    assert first == "Danh sách hộ nhận quà, theo" and long.startswith(first + " ")
    book.create_sheet(first)
    assert _title(book, long) == "Danh sách hộ nhận quà, theo 2"
    book.create_sheet("Nhà hảo tâm và số đã ủng hộ quà")  # 31: room for " 2" only without "quà"
    assert _title(book, "Nhà hảo tâm và số đã ủng hộ quà") == "Nhà hảo tâm và số đã ủng hộ 2"
    assert _title(book, "Tồn kho (hàng còn lại ở mọi kho của phường)") == "Tồn kho"
    assert _title(book, "x" * 40) == "x" * 31  # one word, nothing else to keep


def test_the_statement_workbook_says_when_on_the_wards_clock(drive, tmp_path):
    """The digest sheet's moment is the printed statement's: on the ward's clock with its
    zone named ("07/12/2026 21:56 giờ Việt Nam"), never "… UTC"; so is `aid audit
    digest -o`'s."""
    import re

    drive("--lang", "vi", "audit", "statement", "-o", str(tmp_path / "s.xlsx"))
    drive("--lang", "vi", "audit", "digest", "-o", str(tmp_path / "d.xlsx"))
    for path, sheet in ((tmp_path / "s.xlsx", "Mã kiểm tra"), (tmp_path / "d.xlsx", None)):
        book = openpyxl.load_workbook(path)
        fields = dict(row[:2] for row in (book[sheet] if sheet else book.worksheets[0])
                      .iter_rows(min_row=2, values_only=True))
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} giờ Việt Nam",
                            fields["lấy lúc"]), fields["lấy lúc"]
    printed = drive("--lang", "vi", "audit", "statement").out
    assert re.search(r"lấy lúc: \d{2}/\d{2}/\d{4} \d{2}:\d{2} giờ Việt Nam\n", printed)


def test_a_goods_header_names_its_unit_once(ledger, tmp_path):
    """The receipt list's goods headers: "Gạo (kg)", but "Mì gói (thùng 30 gói)" as its name
    says it, never "Mì gói (thùng 30 gói) (thùng)"."""
    ledger.drive(whole=True)
    ledger("--lang", "vi", "round", "sheet", "R1", "-o", str(tmp_path / "sheet.xlsx"))
    rows = list(openpyxl.load_workbook(tmp_path / "sheet.xlsx").worksheets[0].iter_rows(
        values_only=True))
    header = next(row for row in rows if row and "STT" in row)
    assert "Mì gói (thùng 30 gói)" in header and "Nước mắm (chai)" in header
    assert not any("(thùng)" in str(title) for title in header)


def test_report_workbooks_in_vietnamese(drive, tmp_path):
    """Issue 23: Vietnamese sheet names, row labels and column headers in the workbooks."""
    drive("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
          "--ration", "RICE=5", "--on", "2021-11-16")
    drive("round", "apply", "R1", "--only", "H2")
    vi = ("--lang", "vi")
    drive(*vi, "audit", "reconcile", "-o", str(tmp_path / "reconcile.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "reconcile.xlsx")
    assert book.sheetnames == ["hàng", "tiền mặt"]
    cash = list(book["tiền mặt"].iter_rows(values_only=True))
    assert [row[0] for row in cash] == ["tiền mặt", "đã nhận", "đã chi", "đã phát",
                                        "đã đóng gói", "số dư"]
    drive(*vi, "round", "plan", "R1", "-o", str(tmp_path / "plan.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["kế hoạch", "mặt hàng", "mức ưu tiên"]
    items = [c.value for c in book["mặt hàng"][1]]
    assert "còn phải phát" in items and "tỷ lệ đáp ứng thấp nhất" in items
    assert "to_hand" not in items and "min_fill" not in items
    tiers = [c.value for c in book["mức ưu tiên"][1]]
    assert "đủ định mức" in tiers and "đạt một phần" in tiers and "chưa nhận được gì" in tiers
    ratios = [row[-1] for row in book["mặt hàng"].iter_rows(min_row=2)]
    assert ratios and all(isinstance(ratio.value, (int, float)) and 0 <= ratio.value <= 1 and
                          ratio.number_format == "0.0000" for ratio in ratios)  # numbers:
    # the spreadsheet writes them its reader's way ("0,5000"), and they sum and sort
    drive(*vi, "round", "status", "R1", "-o", str(tmp_path / "status.xlsx"))
    status = openpyxl.load_workbook(tmp_path / "status.xlsx").worksheets[0]
    assert {row[-1] for row in status.iter_rows(min_row=2, values_only=True)} == {
        "đã nhận", "chưa nhận"}
    donation = next(line["id"] for line in drive("history", "--format", "json").json()
                    if line["kind"] == "donate")
    drive(*vi, "audit", "trace", str(donation), "-o", str(tmp_path / "trace.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "trace.xlsx")
    assert book.sheetnames == ["tổng hợp", "theo tổ", "từng phần"]
    summary = list(book["tổng hợp"].iter_rows(values_only=True))
    assert "còn giữ" in summary[0] and "số tổ" in summary[0] and "held" not in summary[0]
    assert "tiền mặt" in [row[0] for row in summary[1:]] and "cash" not in [
        row[0] for row in summary[1:]]
    went = {row[2] for row in book["từng phần"].iter_rows(min_row=2, values_only=True)}
    assert went <= {"đã phát", "còn giữ", "hao hụt", "đã chi", "khác"} and "đã phát" in went
    drive(*vi, "audit", "digest", "-o", str(tmp_path / "digest.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "digest.xlsx")
    assert book.sheetnames[0] == "mã kiểm tra"
    labels = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert labels[:5] == ["phường", "số sự kiện", "vị trí", "mã đầu chuỗi", "lấy lúc"]
    code = drive("voucher", "issue", "H1", "--shop", "SHOP", "--value", "400000",
                 "--on", "2021-11-16").out.splitlines()[-1]
    drive(*vi, "voucher", "show", code, "-o", str(tmp_path / "voucher.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "voucher.xlsx")
    assert book.sheetnames == ["phiếu mua hàng", "lượt nhận hàng"]
    fields = dict(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert fields["giá trị"] == 400_000 and fields["trạng thái"] in ("còn hiệu lực", "hết hạn")
    value = next(row[1] for row in book.worksheets[0].iter_rows(min_row=2)
                 if row[0].value == "giá trị")
    assert value.number_format == '#,##0"\u00a0₫"'  # still a number: it sums
    assert "status" not in fields and "max_items" not in fields
    drive(*vi, "shop", "report", "SHOP", "-o", str(tmp_path / "shop.xlsx"))
    figures = openpyxl.load_workbook(tmp_path / "shop.xlsx")["phiếu mua hàng"]
    labels = [row[0] for row in figures.iter_rows(values_only=True)]
    assert labels[:3] == ["chỉ tiêu", "số phiếu đã cấp", "số phiếu đã dùng"]
    assert "value_given" not in labels


def test_tier_list_as_a_workbook(drive, tmp_path):
    drive("tier", "label", "1", "Hộ nghèo, cận nghèo")
    drive("tier", "list", "-o", str(tmp_path / "tiers.xlsx"))
    _, values, cells = sheet_rows(tmp_path / "tiers.xlsx")
    listed = drive("tier", "list", "--format", "json").json()
    assert values == [["tier", "label"]] + [[t["tier"], t["label"]] for t in listed]
    assert [row[0] for row in values[1:]] == [0, 1, 2, 3] and cells[2][0].data_type == "n"
    assert values[2][1] == "Hộ nghèo, cận nghèo"


def test_workbooks_print_on_a4_fit_to_width_and_landscape_when_wide(ward, tmp_path):
    """Issue 23, item 6b: every sheet fits one page wide; a wide one turns landscape."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-02")
    narrow, wide = tmp_path / "cash.xlsx", tmp_path / "history.xlsx"
    ward("cash", "-o", narrow)
    ward("history", "-o", wide)
    for path, orientation in ((narrow, "portrait"), (wide, "landscape")):
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.page_setup.orientation == orientation, path.name
        assert sheet.print_title_rows == "$1:$1"


# A workbook of one table, by the command that writes it: its sheet in English, in Vietnamese
ONE_SHEET = [
    (("stock",), "Stock", "Tồn kho"),
    (("stock", "--lots"), "Stock by lot", "Tồn kho theo lô"),
    (("cash",), "Cash book", "Sổ quỹ"),
    (("bundle", "packable"), "Packable bundles", "Phần quà còn đóng gói được"),
    (("history",), "History", "Nhật ký"),
    (("expiring",), "Expiring lots", "Lô sắp hết hạn"),
    (("alerts",), "Alerts", "Cảnh báo"),
    (("audit", "check"), "Ledger check", "Kiểm tra sổ"),
    (("recipient", "list"), "Household register", "Danh sách hộ"),
    (("tier", "list"), "Tiers", "Mức ưu tiên"),
    (("voucher", "list"), "Vouchers", "Phiếu mua hàng"),
    (("bank", "match"), "Statement against the book", "Đối chiếu sao kê với sổ"),
    (("round", "status", "R1"), "Planned and handed out", "Kế hoạch và thực tế đã phát"),
    (("round", "outflow", "R1"), "Round outflow", "Công khai đợt phát"),
    (("round", "sheet", "R1"), "Signed receipt list", "Danh sách ký nhận"),
]


def test_a_workbook_of_one_table_names_its_sheet_for_what_it_holds(drive, tmp_path):
    """A sweep found `aid stock -o stock.xlsx` made a sheet "stock", `-o sheet.xlsx` a sheet
    "sheet": the file's name, in no language. A sheet is named for what it holds, in the
    reader's language, as the sheets of the workbooks of several tables are."""
    drive("round", "open", "R1", "--from", "KHO", "--bundle", "B350", "--item", "RICE",
          "--ration", "RICE=5", "--on", "2021-11-16")
    drive("round", "apply", "R1", "--only", "H2")
    for command, english, vietnamese in ONE_SHEET:
        for lang, name in (("en", english), ("vi", vietnamese)):
            path = tmp_path / f"sheet-{lang}.xlsx"
            said = drive.fails("--lang", lang, *command, "-o", str(path))
            assert said.code in (0, 1) and path.is_file(), (command, said.err)  # 1: alerts
            assert openpyxl.load_workbook(path).sheetnames == [name], command
    drive("voucher", "issue-batch", "--shop", "SHOP", "--value", "100000", "--on", "2021-11-16",
          "-o", str(tmp_path / "sheet.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "sheet.xlsx").sheetnames == ["Vouchers issued"]
    drive("--lang", "vi", "voucher", "issue-batch", "--shop", "SHOP", "--value", "100000",
          "--on", "2021-11-16", "-o", str(tmp_path / "sheet.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "sheet.xlsx").sheetnames == [
        "Phiếu mua hàng đã cấp"]


def test_the_statement_workbook_capitalises_its_digest_sheet_as_its_others(drive, tmp_path):
    """Its sheets are its sections' titles ("Tồn kho", "Quỹ tiền mặt"), the last one too: "Mã
    kiểm tra", not "mã kiểm tra" (`aid audit digest -o` keeps its own sheet's name)."""
    drive("--lang", "vi", "audit", "statement", "-o", str(tmp_path / "s.xlsx"))
    names = openpyxl.load_workbook(tmp_path / "s.xlsx").sheetnames
    assert names[-1] == "Mã kiểm tra" and all(name[0].isupper() for name in names)
