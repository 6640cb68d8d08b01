"""Paper (issue 23, item 4): the receipt sheet with the national header, a heading and a
subtotal per tổ and a total row; the 0 đồng shop's voucher cards with a QR of each code; a
donor's receipt (giấy biên nhận) from a recorded donation; `-o` on `aid report drive`. Each page
printed to PDF by Chromium and its text read back with pdftotext (skipped, saying why, without
them)."""

from __future__ import annotations

import pytest

from tests.commands.test_print_e2e import (
    needs_chromium,
    needs_pdftotext,
    printed_text,
    round_r1,
)
from tests.projections.test_audit_statement import demo


def pdf_text(ledger, tmp_path, *command: str, lang: str = "vi") -> str:
    pdf = tmp_path / "page.pdf"
    ledger(*command, "-o", pdf, "--lang", lang)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    return printed_text(pdf, tmp_path / "unused.html", tmp_path / "p")


@needs_chromium
@needs_pdftotext
def test_the_receipt_sheet_has_the_national_header_groups_subtotals_and_a_total(ledger,
                                                                               tmp_path):
    rows = round_r1(demo(ledger))
    text = pdf_text(ledger, tmp_path, "round", "sheet", "R1")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text and "ỦY BAN NHÂN DÂN PHƯỜNG 3" in text
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    for group, members in groups.items():
        noodles = sum(int(row["NOODLE"] or 0) for row in members)
        persons = sum(int(row["size"]) for row in members)
        assert f"Cộng {group} ({len(members)} hộ) {persons} {noodles}" in text, group
    total = sum(int(row["NOODLE"] or 0) for row in rows)
    assert f"Tổng cộng ({len(rows)} hộ) {sum(int(r['size']) for r in rows)} {total}" in text
    assert "Người lập danh sách" in text and "Trang 1 /" in text
    english = pdf_text(ledger, tmp_path, "round", "sheet", "R1", lang="en")
    assert "SOCIALIST REPUBLIC OF VIET NAM" in english and f"Total ({len(rows)} households)" \
        in english


def test_the_receipt_sheet_headers_are_short_and_a_wide_round_prints_landscape():
    from commands.output.receipt_sheet import as_page

    data = {"ward": "Phường 3", "round": "R9", "location": "KHO", "location_name": "",
            "on": "2021-11-22", "plan": "0" * 64, "cash": True,
            "goods": [{"code": f"G{i}", "name": f"Hàng {i}", "unit": "kg"} for i in range(4)],
            "lines": [{"code": "H1", "name": "A", "group": "", "size": 2,
                       "goods": {"G0": 1}, "cash": 350_000, "handed": False}]}
    html = as_page(data, "vi")
    assert "size: A4 landscape" in html
    assert ">Hàng 0 (kg)</th>" in html  # the unit in brackets, as the workbook heads it
    assert '<tr class="group"><th colspan="11">Chưa có tổ</th></tr>' in html
    narrow = as_page({**data, "goods": data["goods"][:1], "cash": False}, "vi")
    assert "size: A4;" in narrow


@needs_chromium
@needs_pdftotext
def test_voucher_cards_carry_code_value_limits_validity_and_a_qr_of_the_code(ledger, tmp_path):
    import segno

    demo(ledger)
    ledger("location", "add", "SHOP", "--name", "Siêu thị 0 đồng", "--kind", "shop")
    code = ledger("voucher", "issue", "H01", "--shop", "SHOP", "--value", "400000",
                  "--max-items", "10", "--every", "3", "--valid-from", "22/11/2021",
                  "--valid-to", "31/12/2099").out.split()[-1]
    html = tmp_path / "cards.html"
    ledger("voucher", "card", "--shop", "SHOP", "-o", html, "--lang", "vi")
    page = html.read_text(encoding="utf-8")
    assert segno.make(code, error="m", micro=False).svg_inline(scale=3, border=2) in page
    text = pdf_text(ledger, tmp_path, "voucher", "card", code)
    for shown in (code, "400.000 ₫", "H01", "tối đa 10 món", "22/11/2021 đến 31/12/2099",
                  "Phiếu mua hàng 0 đồng"):
        assert shown in text, shown


def test_voucher_cards_refusals_are_one_line(ledger, tmp_path):
    demo(ledger)
    before = ledger.snapshot()
    for args, says in ((["voucher", "card"], "name the vouchers to print"),
                       (["voucher", "card", "AAA-BBB-CCC"], "voucher code"),
                       (["voucher", "card", "--shop", "KHO"], "is not a 0 đồng shop")):
        result = ledger.fails(*args)
        assert result.code == 2 and says in result.err and result.err.count("\n") == 1, args
    assert ledger.snapshot() == before
    ledger("location", "add", "SHOP", "--name", "Siêu thị 0 đồng", "--kind", "shop")
    code = ledger("voucher", "issue", "H01", "--shop", "SHOP", "--value", "1000").out.split()[-1]
    ledger("voucher", "cancel", code, "--reason", "mất phiếu")
    said = ledger.fails("--lang", "vi", "voucher", "card", code)  # no shop would honour it
    assert said.code == 1 and said.err.startswith(f"aid: phiếu {code} đã hủy: "), said.err
    # from a sweep: a shop with no live voucher printed a page saying so, exit 0
    empty = ledger.fails("voucher", "card", "--shop", "SHOP", "-o", str(tmp_path / "c.html"))
    assert empty.code == 2 and empty.err == (
        "aid: SHOP holds no live voucher to print: issue them first (`aid voucher issue`, "
        "`aid voucher issue-batch`); nothing was written\n")
    assert not (tmp_path / "c.html").exists()


def binh_gives(ledger, cash: str) -> int:
    """On the demo, Bà Bình's donation of `cash` đồng, 50 kg of rice and 3 cases of noodles
    dated 15/12/2021, receipt PT-0099, on 22/11/2021: its entry."""
    demo(ledger)
    ledger("donor", "add", "BINH", "--name", "Bà Nguyễn Thị Bình")
    return ledger.entry("donate", "BINH", "--into", "KHO", "--cash", cash, "--item", "RICE=50",
                        "--item", "NOODLE=3@15/12/2021", "--receipt", "PT-0099", "--on",
                        "2021-11-22")


@needs_chromium
@needs_pdftotext
def test_a_donors_receipt_from_a_recorded_donation(ledger, tmp_path):
    entry = binh_gives(ledger, "2000000")
    text = pdf_text(ledger, tmp_path, "donor", "receipt", str(entry))
    for shown in ("GIẤY BIÊN NHẬN", "Bà Nguyễn Thị Bình (BINH)", "22/11/2021", "PT-0099",
                  "2.000.000 ₫", "Gạo (RICE) 50 kg", "15/12/2021", f"Bút toán số {entry}",
                  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Người ủng hộ",
                  "Số phiếu thu"):  # the CLI's and the receipt page's name too
        assert shown.upper() in text.upper(), shown


def test_a_receipt_is_refused_for_an_entry_that_is_no_donation(ledger):
    demo(ledger)
    result = ledger.fails("donor", "receipt", "3")
    assert result.code == 2 and "is not a donation" in result.err
    assert result.err.count("\n") == 1


@needs_chromium
@needs_pdftotext
def test_report_drive_takes_dash_o_like_every_other_report(ledger, tmp_path):
    demo(ledger)
    text = pdf_text(ledger, tmp_path, "report", "drive")
    assert "Tổng quan đợt vận động — Phường 3" in text


@pytest.mark.parametrize("command", [["report", "drive"], ["voucher", "card", "--shop", "X"],
                                     ["donor", "receipt", "1"], ["round", "sheet", "R1"],
                                     ["stock"], ["cash"], ["voucher", "list"]])
def test_every_report_takes_dash_o(command):
    from typer.main import get_command

    from commands.cli.main import app

    group = get_command(app)
    for word in command:
        if not hasattr(group, "commands") or word not in group.commands:
            break
        group = group.commands[word]
    assert any("-o" in param.opts for param in group.params), command
