"""`aid audit statement`: the public sheet. Exact totals, households by code and group only,
anonymous donors shown as such, and a digest head that `aid audit verify` accepts."""

from __future__ import annotations

import csv
import io

from commands.recording.demo import GROUP_LEADERS, HOUSEHOLDS


def demo(ledger):
    return ledger.drive()


NAMES = GROUP_LEADERS + [name for _, name, *_ in HOUSEHOLDS]


def test_statement_sections_and_figures(ledger):
    sheet = demo(ledger)("audit", "statement", "--format", "json").json()
    s = sheet["sections"]
    assert sheet["ward"] == "Phường 3"
    assert [(d["donor"], d["name"], d["cash"]) for d in s["donors"]][-1] == (
        "—", "Ẩn danh (anonymous)", 20_000_000)
    assert {r["item"]: r["quantity"] for r in s["received"]} == {
        "NOODLE": 40, "RICE": 500, "cash": 25_000_000}
    assert [p["cash"] for p in s["purchases"]] == [1_200_000, 300_000]
    group5 = next(g for g in s["by_group"] if g["group"] == "Tổ 5")
    assert group5 == {"group": "Tổ 5", "households": 3,
                      "bundles": "Phần quà 350.000 ₫ cho tổ trưởng (B350) 1 bundle",
                      "goods": "Mì gói (thùng 30 gói) (NOODLE) 2 thùng, Gạo (RICE) 25 kg",
                      "cash": 50_000}
    assert [g["group"] for g in s["by_group"]][:3] == ["Tổ 1", "Tổ 2", "Tổ 3"]
    assert sum(h["cash"] for h in s["by_household"]) == 1_100_000
    cash = {line["line"]: line["amount"] for line in s["cash"]}
    assert cash["closing balance of the fund"] == 22_400_000
    assert sheet["digest"]["events"] == 59


def test_statement_names_no_household_and_no_anonymous_donor(ledger):
    demo(ledger)
    for fmt in ("table", "csv", "html", "json"):
        out = ledger("audit", "statement", "--format", fmt).out
        assert not [name for name in NAMES if name in out], fmt
        assert "Nhà hảo tâm" not in out and "NHT01" not in out, fmt
        assert "TT01" in out and "Tổ 1" in out


def test_statement_for_a_period(ledger):
    demo(ledger)
    sheet = ledger("audit", "statement", "--from", "17/11/2021", "--to", "2021-11-19",
                   "--format", "json").json()["sections"]
    assert sheet["donations"] == [] and sheet["purchases"] == []
    assert len(sheet["by_household"]) == 14  # 12 group leaders on the 17th, H01 and H02
    cash = {line["line"]: line["amount"] for line in sheet["cash"]}
    assert cash["opening balance of the fund"] == 22_900_000
    assert cash["handed out (in cash and in bundles)"] == 600_000
    assert {(r["location"], r["item"]): r["quantity"] for r in sheet["stock"]}[
        ("SHOP0D", "RICE")] == 75
    assert ledger.fails("audit", "statement", "--from", "2021-11-20", "--to",
                        "2021-11-19").code == 2


def test_a_statement_to_today_holds_nothing_dated_after_today(ledger, today):
    """From a sweep: "from the beginning to today" listed a donation dated 2099 (such a date is
    refused now, but tomorrow is not, and older ledgers may hold any)."""
    demo(ledger)
    ledger("donate", "MEKONG", "--into", "KHO", "--item", "RICE=10", "--receipt", "PT-1201",
           "--on", "01/12/2021")  # today is 30/11/2021
    now = ledger("audit", "statement", "--format", "json").json()
    assert now["to"] is None  # the JSON says "to today" as it always did
    assert "PT-1201" not in str(now["sections"]["donations"])
    assert "PT-1201" not in ledger("audit", "statement").out
    later = ledger("audit", "statement", "--to", "01/12/2021", "--format", "json").json()
    assert "PT-1201" in str(later["sections"]["donations"])


def test_html_is_self_contained_and_printable(ledger):
    page = demo(ledger)("audit", "statement", "--format", "html").out
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "@media print" in page and "@page" in page
    assert "http" not in page and "<script" not in page and "<link" not in page
    vietnamese = ledger("audit", "statement", "--format", "html", "--lang", "vi").out
    assert "20.000.000\xa0₫" in vietnamese  # Vietnamese thousands separator, no-break space
    # issue 23: no English in the printed margin or the header facts
    assert "· mã kiểm tra " in vietnamese and "· digest " not in vietnamese
    assert " sự kiện, mã đầu chuỗi " in vietnamese and ", head " not in vietnamese


def test_csv_is_one_table_and_the_digest_verifies(ledger):
    demo(ledger)
    rows = list(csv.DictReader(io.StringIO(ledger("audit", "statement", "--format",
                                                  "csv").out)))
    assert {r["section"] for r in rows} >= {"donors", "by_group", "stock", "cash", "digest"}
    assert sum(int(r["quantity"]) for r in rows
               if r["section"] == "stock" and r["item"] == "RICE") == 343
    printed = ledger("audit", "statement").out
    digest = printed[printed.index("Ledger digest"):]
    assert ledger("audit", "verify", "--digest", digest).code == 0
    vietnamese = ledger("--lang", "vi", "audit", "statement").out  # its digest reads back too
    assert ledger("audit", "verify", "--digest",
                  vietnamese[vietnamese.index("Mã kiểm tra của sổ"):]).code == 0
    ledger("donor", "add", "NEW", "--name", "Later donor")
    assert ledger("audit", "verify", "--digest", digest).code == 0


def test_the_cash_lines_are_capitalised_alike_in_vietnamese(ledger, tmp_path):
    """"received" in the cash table has a translation of its own ("Đã nhận", like "Tồn quỹ đầu
    kỳ" and "Chi mua hàng" around it), in the table, the page and the workbook; English, JSON
    and CSV keep "received"."""
    import openpyxl

    demo(ledger)
    lines = ledger("--lang", "vi", "audit", "statement").out.splitlines()
    opening = lines.index(next(line for line in lines if line.startswith("Tồn quỹ đầu kỳ")))
    assert lines[opening + 1].startswith("Đã nhận ") and lines[opening + 2].startswith(
        "Chi mua hàng ")
    page = ledger("--lang", "vi", "audit", "statement", "--format", "html").out
    assert '<td class="t" data-label="khoản">Đã nhận</td>' in page
    ledger("--lang", "vi", "audit", "statement", "-o", str(tmp_path / "s.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx")["Quỹ tiền mặt"]
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells[cells.index("Tồn quỹ đầu kỳ") + 1] == "Đã nhận"
    assert any(line.startswith("received ") for line in ledger("audit", "statement").out
               .splitlines())
    json_lines = [row["line"] for row in ledger("--lang", "vi", "audit", "statement", "--format",
                                                "json").json()["sections"]["cash"]]
    assert json_lines[:2] == ["opening balance of the fund", "received"]
    rows = csv.DictReader(io.StringIO(ledger("--lang", "vi", "audit", "statement", "--format",
                                             "csv").out))
    assert [r["note"] for r in rows if r["section"] == "cash"][1] == "received"


def test_the_terminal_and_the_workbook_end_each_summed_section_with_its_total(ledger, tmp_path):
    """As the printed page does: the donors, the donations received, the purchases and the
    hand-outs end with a total row (summed from the JSON's rows); JSON and CSV keep the rows
    alone. Numbers stay right-aligned over a total row's empty cells."""
    import openpyxl

    drive = demo(ledger)
    s = drive("audit", "statement", "--format", "json").json()["sections"]
    assert all(row["name"] != "Total" for row in s["donors"])
    printed = drive("audit", "statement").out
    donors = printed.split("\n\n")[1].splitlines()
    assert donors[-1].split()[:3] == ["Total", f"{sum(d['gifts'] for d in s['donors'])}",
                                      f"{sum(d['cash'] for d in s['donors']):,}"]
    received = printed.split("\n\n")[2].splitlines()
    assert received[-1].split()[:2] == ["Total", "25,000,000"]
    assert received[3].startswith("  ") and received[3].split()[0].isdigit()  # right-aligned
    purchases = next(part for part in printed.split("\n\n")
                     if part.startswith("Purchases")).splitlines()
    assert purchases[-1].split()[:2] == ["Total", "1,500,000"]
    path = tmp_path / "s.xlsx"
    drive("--lang", "vi", "audit", "statement", "-o", str(path))
    book = openpyxl.load_workbook(path)
    *rows, total = book.worksheets[0].iter_rows(min_row=2, values_only=True)
    assert total[1] == "Tổng cộng" and total[3] == sum(row[3] for row in rows) == 25_000_000
    *rows, total = book.worksheets[3].iter_rows(min_row=2, values_only=True)  # purchases
    assert total[4] == sum(row[4] for row in rows) == 1_500_000
    # from a sweep: a period with nothing printed a lone "Total 0" under each empty section
    empty = drive("audit", "statement", "--from", "2020-01-01", "--to", "2020-12-31").out
    parts = {part.splitlines()[0]: part.splitlines()[1:] for part in empty.split("\n\n")}
    assert parts["Donors and what each gave (nhà hảo tâm)"] == ["none"]
    assert parts["Donations received (phiếu thu)"] == ["none"]
    assert parts["Purchases from the fund"] == ["none"]
    drive("audit", "statement", "--from", "2020-01-01", "--to", "2020-12-31", "-o",
          str(tmp_path / "e.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx").worksheets[0]
    assert not any(row[1] == "Total" for row in sheet.iter_rows(values_only=True))
