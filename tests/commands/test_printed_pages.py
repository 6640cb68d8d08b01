"""Printed pages, issue 23's review of them: the public statement's total rows, national header,
period and charts; the round's outflow page; the receipt sheet's headers and page breaks; the
donor's receipt with the amount in words. Each page printed to PDF by Chromium and read back
with pdftotext -layout, line by line (skipped, saying why, without them), or read as HTML or
SVG where the layout is not the point."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import Ledger, _env

from commands.language.words import day
from tests.commands.test_paper import binh_gives
from tests.commands.test_print_e2e import needs_chromium, needs_pdftotext
from tests.projections.test_audit_statement import demo


def printed_lines(ledger, tmp_path: Path, *command: str, lang: str = "vi") -> list[str]:
    """The PDF a command writes, as pdftotext -layout reads it: one printed line each, runs
    of spaces (and no-break spaces) made one."""
    pdf = tmp_path / "page.pdf"
    ledger(*command, "-o", pdf, "--lang", lang)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    return [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]


def section(lines: list[str], first: str, after: str) -> list[str]:
    """The lines from the one that is `first` up to the one that starts with `after`."""
    start = lines.index(first)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(after))
    return lines[start:end]


def matching(lines: list[str], pattern: str) -> list[str]:
    return [line for line in lines if re.fullmatch(pattern, line)]


# ---- the public statement -----------------------------------------------------------------

@needs_chromium
@needs_pdftotext
def test_the_statement_has_total_rows_the_national_header_and_its_dates(ledger, tmp_path):
    sheet = demo(ledger)("audit", "statement", "--format", "json").json()
    assert sheet["from"] is None and sheet["to"] is None  # the JSON says as it always did
    first, last = sheet["first_day"], sheet["last_day"]
    assert first == "2021-11-12" and last >= "2021-11-30"
    lines = printed_lines(ledger, tmp_path, "audit", "statement")
    text = "\n".join(lines)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "ỦY BAN NHÂN DÂN PHƯỜNG 3" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Thời gian {day(first, 'vi')} – {day(last, 'vi')}" in lines  # not "từ đầu – nay"
    assert "từ đầu" not in text
    # donors: 4 gifts, 25.000.000 ₫ of cash, the goods per item, 36.500.000 ₫ in all
    assert matching(lines, r"Tổng cộng 4 25\.000\.000 ₫ Mì gói .* 36\.500\.000 ₫")
    # receipts (phiếu thu): the cash and the goods of every receipt
    assert matching(lines, r"Tổng cộng 25\.000\.000 ₫ Mì gói.*")
    # totals received: the cash said once, with its value; the sum of values
    assert "tiền mặt Tiền mặt 25.000.000 ₫" in lines and "Tổng cộng 36.500.000 ₫" in lines
    assert not [line for line in lines if "25.000.000 đồng" in line]
    assert matching(lines, r"Tổng cộng 1\.500\.000 ₫ Nước mắm \(FISHSAUCE\) 30 chai, Dầu ăn.*")
    by_group = section(lines, "Đã phát, theo tổ", "Đã phát, theo mã hộ")
    assert matching(by_group, r"Tổng cộng 16 Phần quà 350\.000 ₫ .* 1\.100\.000 ₫")
    groups = {int(n) for line in by_group for n in re.findall(r"^Tổ (\d+) \d+ ", line)}
    assert groups == set(range(1, 13))  # "Tổ 1" on one line, never "Tổ" above "1"
    assert not matching(by_group, r"(Tổ|\d+)")
    by_household = section(lines, "Đã phát, theo mã hộ (không ghi tên)", "Hư hao")
    assert matching(by_household, r"Tổng cộng 16 Phần quà .*1\.100\.000 ₫")  # 16 hand-outs
    english = printed_lines(ledger, tmp_path, "audit", "statement", lang="en")
    assert matching(english, r"Total 4 25,000,000 VND .*")


@needs_chromium
@needs_pdftotext
def test_the_statements_charts_say_the_year_and_read_a_long_drive_by_year(ledger, tmp_path):
    """The demo's drive ran in November 2021, the statement runs to today: five years and
    more. Its bars are years, not 260 weeks; the stock axes carry the year."""
    demo(ledger)
    lines = printed_lines(ledger, tmp_path, "audit", "statement")
    text = "\n".join(lines)
    assert "Nhận vào và phát ra theo năm (đồng, hàng tính theo giá trị khai báo)" in lines
    assert "tuần" not in text and "2021" in text and "2023" in text
    axis = [line for line in lines if line.startswith("12/11/2021")]
    assert axis, "the stock chart's first day carries its year"
    assert not matching(lines, r"12/11 .*")  # never the day without the year


def bars(weeks: int, first: str = "2021-11-08") -> dict:
    from datetime import date, timedelta

    from projections.drive import monthly

    start = date.fromisoformat(first)
    rows = [{"week": "{}-W{:02d}".format(*(start + timedelta(weeks=i)).isocalendar()[:2]),
             "monday": (start + timedelta(weeks=i)).isoformat(), "received": 1000 * i,
             "handed_out": 500, "handouts": 1} for i in range(weeks)]
    last = (start + timedelta(weeks=weeks - 1)).isoformat()
    sums = {}
    for row in rows:
        month = sums.setdefault(row["monday"][:7], [0, 0, 0])
        month[0] += row["received"]
        month[1] += row["handed_out"]
        month[2] += 1
    return {"weeks": rows, "months": monthly(sums, first, last)}


def test_the_bars_are_weeks_then_months_then_years_as_the_drive_grows():
    from commands.output.charts import by_period, period_bars

    period, short = by_period(bars(3))
    assert period == "weeks" and [b["label"] for b in short] == [
        ("week", "45", None), ("week", "46", None), ("week", "47", None)]
    svg = period_bars(short, "vi", "t")
    assert ">tuần 45<" in svg
    period, winter = by_period(bars(12))  # November to January: the year beside each week
    assert period == "weeks" and ">tuần 01/2022<" in period_bars(winter, "vi", "t")
    period, year = by_period(bars(52))
    assert period == "months" and len(year) == 12  # November 2021 to October 2022
    svg = period_bars(year, "vi", "t")
    assert ">11/2021<" in svg and ">tuần" not in svg
    assert ">Nov 2021<" in period_bars(year, "en", "t")
    assert sum(b["received"] for b in year) == sum(w["received"] for w in bars(52)["weeks"])
    period, long = by_period(bars(5 * 52))
    assert period == "years" and [b["label"][1] for b in long] == [
        "2021", "2022", "2023", "2024", "2025", "2026"]
    assert len(re.findall(r"<rect ", period_bars(long, "vi", "t"))) == 2 + 2 * 6


def test_the_stock_axis_carries_the_year_when_the_drive_crosses_one():
    from commands.output.charts import stock_panels

    line = {"item": "RICE", "name": "Gạo", "unit": "kg",
            "points": [["2021-11-12", 500], ["2021-12-20", 300], ["2022-01-07", 280]]}
    svg = stock_panels([line], "vi")
    labels = re.findall(r'fill="#666">([^<]+)<', svg)
    assert labels[0] == "12/11/2021" and labels[-1] == "07/01/2022" and len(labels) <= 3
    same = stock_panels([{**line, "points": line["points"][:2]}], "vi")
    assert re.findall(r'fill="#666">([^<]+)<', same)[0] == "12/11"  # one year: day and month


def test_the_drive_counts_each_month_as_well_as_each_week(ledger):
    figures = demo(ledger)("report", "drive", "--format", "json").json()
    assert [m["month"] for m in figures["months"]] == ["2021-11"]
    for key in ("received", "handed_out", "handouts"):
        assert figures["months"][0][key] == sum(w[key] for w in figures["weeks"])


# ---- the round's outflow statement (công khai đợt phát) -----------------------------------

@needs_chromium
@needs_pdftotext
def test_the_outflow_page_names_goods_and_place_totals_and_has_the_national_header(ledger,
                                                                                   tmp_path):
    ledger.drive(whole=True)
    result = ledger("round", "outflow", "R1", "--format", "json").json()
    lines = printed_lines(ledger, tmp_path, "round", "outflow", "R1")
    text = "\n".join(lines)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "ỦY BAN NHÂN DÂN PHƯỜNG 3" in text
    assert "Nơi phát KHO — Kho UBND phường 3" in lines
    assert "Mì gói (thùng 30 gói) (NOODLE) 1 thùng" in text and "NOODLE 1" not in text
    value = f"{result['value']:,}".replace(",", ".")
    total = matching(lines, r"Tổng cộng \(13 hộ\) Mì gói \(thùng 30 gói\) \(NOODLE\) 16 thùng.*")
    assert total and total[0].endswith(f"0 ₫ {value} ₫")


def test_the_outflow_keeps_its_json_and_csv_and_names_goods_in_the_table_and_workbook(
        sqlite_ledger, tmp_path):
    from openpyxl import load_workbook

    ledger = sqlite_ledger.drive(whole=True)
    result = ledger("round", "outflow", "R1", "--format", "json").json()
    assert {"ward", "round", "location", "on", "closed", "plan", "households", "handed", "cash",
            "value", "rows"} <= set(result)  # the keys it always had, as they were
    assert result["handed"] == {"NOODLE": 16, "FISHSAUCE": 16}
    assert result["location_name"] == "Kho UBND phường 3"
    assert result["goods"]["NOODLE"] == {"name": "Mì gói (thùng 30 gói)", "unit": "thùng"}
    assert "NOODLE 1, FISHSAUCE 1" in ledger("round", "outflow", "R1", "--format", "csv").out
    table = ledger("--lang", "vi", "round", "outflow", "R1").out
    assert "Mì gói (thùng 30 gói) (NOODLE) 1 thùng, Nước mắm (FISHSAUCE) 1 chai" in table
    assert "từ KHO — Kho UBND phường 3 ngày 22/11/2021" in table
    book = tmp_path / "r1.xlsx"
    ledger("--lang", "vi", "round", "outflow", "R1", "-o", book)
    rows = [[cell for cell in row if cell is not None]
            for row in load_workbook(book).active.iter_rows(values_only=True)]
    assert "Mì gói (thùng 30 gói) (NOODLE) 1 thùng, Nước mắm (FISHSAUCE) 1 chai" in rows[1]
    assert rows[-1] == ["Tổng cộng (13 hộ)",
                        "Mì gói (thùng 30 gói) (NOODLE) 16 thùng, Nước mắm (FISHSAUCE) 16 chai",
                        0, result["value"]]


# ---- the receipt sheet (danh sách ký nhận) -------------------------------------------------

def sheet_data(goods: list[dict], households: int = 1) -> dict:
    return {"ward": "Phường 3", "round": "R9", "location": "KHO", "location_name": "",
            "on": "2021-11-22", "plan": "0" * 64, "cash": False, "goods": goods,
            "lines": [{"code": f"H{i}", "name": "A", "group": f"Tổ {i % 3 + 1}", "size": 2,
                       "goods": {goods[0]["code"]: 1}, "cash": 0, "handed": False}
                      for i in range(households)]}


def test_the_receipt_sheet_heads_goods_as_the_workbook_does_on_two_lines_at_most(tmp_path):
    from openpyxl import load_workbook

    from commands.output.receipt_sheet import as_page, as_workbook, two_lines

    goods = [{"code": "FISHSAUCE", "name": "Nước mắm", "unit": "chai"},
             {"code": "NOODLE", "name": "Mì gói (thùng 30 gói)", "unit": "thùng"}]
    html = as_page(sheet_data(goods), "vi")
    assert 'style="min-width: 7.0em">Nước mắm (chai)</th>' in html
    assert f'style="min-width: {two_lines("Mì gói (thùng 30 gói)")}em">Mì gói (thùng 30 gói)<' \
        in html
    assert two_lines("Mì gói (thùng 30 gói)") == 10.8  # 13 letters: "Mì gói (thùng" above
    as_workbook(sheet_data(goods), "vi", tmp_path / "r9.xlsx")
    cells = {cell for row in load_workbook(tmp_path / "r9.xlsx").active.iter_rows(
        values_only=True) for cell in row}
    assert {"Nước mắm (chai)", "Mì gói (thùng 30 gói)"} <= cells  # the same words


def test_each_tổ_of_the_receipt_sheet_is_a_body_that_a_page_break_does_not_split():
    from commands.output.receipt_sheet import as_page

    goods = [{"code": "RICE", "name": "Gạo", "unit": "kg"}]
    html = as_page(sheet_data(goods, households=9), "vi")
    assert "tr, tbody.keep { break-inside: avoid; }" in html
    bodies = re.findall(r'<tbody class="keep">(.*?)</tbody>', html, re.S)
    assert len(bodies) == 4  # Tổ 1, Tổ 2, Tổ 3, then the total
    for group, body in zip(("Tổ 1", "Tổ 2", "Tổ 3"), bodies):
        assert body.count('<tr class="group">') == 1 and f"Cộng {group} (3 hộ)" in body
    assert "Tổng cộng (9 hộ)" in bodies[-1]


@needs_chromium
@needs_pdftotext
def test_no_tổ_of_the_printed_receipt_sheet_is_split_over_two_pages(ledger, tmp_path):
    from tests.commands.test_print_e2e import round_r1

    rows = round_r1(demo(ledger))
    pdf = tmp_path / "page.pdf"
    ledger("round", "sheet", "R1", "-o", pdf, "--lang", "vi")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True, timeout=60).stdout.split("\f")
    assert len([page for page in pages if page.strip()]) >= 2
    for group in {row["group"] for row in rows}:
        heading = [i for i, page in enumerate(pages)
                   if re.search(rf"^\s*{group}\s*$", page, re.M)]
        subtotal = [i for i, page in enumerate(pages) if f"Cộng {group} (" in page]
        assert heading == subtotal and len(heading) == 1, group
    first = pages[0].splitlines()
    start = next(i for i, line in enumerate(first) if line.strip() == "Hộ nhận quà") + 1
    end = next(i for i, line in enumerate(first) if re.fullmatch(r"\s*Tổ \d+\s*", line))
    heads = [" ".join(line.split()) for line in first[start:end] if line.strip()]
    assert len(heads) == 2, heads  # the headings on two lines, not four or five
    assert "Mì gói (thùng 30" in heads[0] and "Nước mắm" in heads[0] and "(chai)" in heads[1]


# ---- the donor's receipt --------------------------------------------------------------------

@needs_chromium
@needs_pdftotext
def test_a_donors_receipt_says_the_cash_in_words_and_values_the_goods(ledger, tmp_path):
    entry = binh_gives(ledger, "20000000")
    lines = printed_lines(ledger, tmp_path, "donor", "receipt", str(entry))
    text = "\n".join(lines)
    assert "Bằng chữ Hai mươi triệu đồng" in lines
    assert "Hạn dùng" in text and "Hạn sử dụng" not in text
    assert matching(lines, r"Gạo \(RICE\) 50 kg 750\.000 ₫")  # 50 kg at 15.000 ₫
    assert matching(lines, r"Mì gói \(thùng 30 gói\) \(NOODLE\) 3 thùng 15/12/2021 300\.000 ₫")
    assert "Tổng cộng 1.050.000 ₫" in lines
    english = printed_lines(ledger, tmp_path, "donor", "receipt", entry, lang="en")
    assert "Total 1,050,000 VND" in english and not matching(english, r"In words.*")


def test_a_receipt_of_goods_without_declared_values_has_no_value_column():
    from commands.output.paper import donor_receipt

    gift = {"ward": "Phường 3", "entry": 7, "on": "2021-11-22",
            "donor": {"code": "D", "name": "Bà Bình"}, "location": {"code": "KHO", "name": "Kho"},
            "receipt": None, "note": None, "cash": 0,
            "goods": [{"item": "RICE", "name": "Gạo", "unit": "kg", "quantity": 5,
                       "expires": None, "value": None}]}
    html = donor_receipt(gift, "vi")
    assert "Giá trị khai báo" not in html and "Tổng cộng" not in html and "Bằng chữ" not in html


def test_amounts_in_vietnamese_words_follow_the_reading_rules():
    from commands.language.in_words import money_in_words, number_in_words

    assert money_in_words(20_000_000) == "Hai mươi triệu đồng"
    assert money_in_words(350_000) == "Ba trăm năm mươi nghìn đồng"
    said = {0: "không", 5: "năm", 10: "mười", 11: "mười một", 14: "mười bốn", 15: "mười lăm",
            20: "hai mươi", 21: "hai mươi mốt", 24: "hai mươi tư", 25: "hai mươi lăm",
            101: "một trăm linh một", 105: "một trăm linh năm", 110: "một trăm mười",
            115: "một trăm mười lăm", 1_001: "một nghìn không trăm linh một",
            1_024: "một nghìn không trăm hai mươi tư",
            1_050_000: "một triệu không trăm năm mươi nghìn",
            1_234_567: "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy",
            2_000_000_005: "hai tỷ không trăm linh năm",
            1_000_000_000_000: "một nghìn tỷ", -15: "âm mười lăm",
            # from a sweep: "hai nghìn tỷ năm trăm tỷ"; the tỷ are counted, then said once
            2_500_000_000_000: "hai nghìn năm trăm tỷ",
            1_001_000_000_000: "một nghìn không trăm linh một tỷ",
            10**15: "một triệu tỷ"}
    for number, words in said.items():
        assert number_in_words(number) == words, number
    assert number_in_words(105, linh="lẻ") == "một trăm lẻ năm"  # as the South says it


# ---- money written with ₫ after its figures -------------------------------------------------

def test_bundle_define_help_writes_money_with_its_sign(ledger):
    said = ledger("--lang", "vi", "bundle", "define", "--help").out
    assert "100.000 ₫" in " ".join(said.split()) and "100.000 đồng" not in said


@needs_chromium
@needs_pdftotext
def test_a_printed_receipt_carries_its_proof(tmp_path):
    """From a sweep: `aid receipt ENTRY -o r.pdf` printed the page's verdict and the gift but
    not the proof, so the paper could never be checked again. It carries the receipt itself,
    as text, beneath a note saying so."""
    from tests.projections.test_proofs import _ward, donate

    ward = _ward(Ledger(_env(AID_DB=str(tmp_path / "aid.db")), "sqlite", tmp_path / "aid.db"),
                 tmp_path)
    entry = donate(ward, 500_000, "R-9")
    lines = printed_lines(ward, tmp_path, "receipt", str(entry))
    text = "".join(lines)
    assert any(line.startswith("Trên giấy, kết quả kiểm tra ở trên là điều trang này thấy")
               for line in lines)
    found = ward("receipt", str(entry), "--format", "json").json()
    for key in ("leaf_hash", "audit_path", "checkpoint"):
        assert f'"{key}"' in text
    assert found["leaf_hash"][:40] in text.replace(" ", "")
    # copied off the paper as the note says, lines broken inside values and all, it checks
    plain = subprocess.run(["pdftotext", str(tmp_path / "page.pdf"), "-"], capture_output=True,
                           text=True, check=True, timeout=60).stdout
    copied = tmp_path / "copied.json"
    copied.write_text(plain[plain.index('{"format"'):].replace("\f", ""), encoding="utf-8")
    assert ward("receipt", "verify", str(copied)).code == 0


def test_coverage_is_a_rounded_percent_that_never_claims_everyone_too_soon():
    """From a sweep: "2 / 3 (66%)", cut rather than rounded."""
    from commands.output.charts import coverage_percent

    assert [coverage_percent(s, d) for s, d in ((2, 3), (1, 3), (0, 3), (3, 3), (0, 0),
                                               (999, 1000), (1, 1000))] == \
        [67, 33, 0, 100, 0, 99, 1]
