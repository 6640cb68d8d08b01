"""End to end: the public statement, the drive report and a round's receipt list opened in
headless Chromium (Debian's `chromium`, offline flags), saved as a screenshot and as PDF, and
the printed text checked for the donors, the totals, the digest head, the households and their
quantities, and the page numbers. Skips, saying why, without Chromium (`.ci/run` installs it)."""

from __future__ import annotations

import csv
import html as html_text
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from commands.output.printing import chromium_command, find_chromium
from tests.projections.test_audit_statement import demo

BROWSER = find_chromium()
needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium installed (apt-get install chromium; .ci/run does)")
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="page numbers are read from the PDF with pdftotext (poppler-utils)")


def printed_text(pdf: Path, html: Path, profile: Path) -> str:
    """The PDF's text in reading order (pdftotext without -layout, so a cell wrapped over two
    lines stays whole), else the page's text as Chromium laid it out (--dump-dom); spaces,
    no-break spaces and line breaks all become one space."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    else:
        text = subprocess.run(chromium_command(BROWSER, profile, "--dump-dom", html.as_uri()),
                              capture_output=True, text=True, check=True, timeout=120).stdout
        text = html_text.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def chromium(profile: Path, *flags: str) -> None:
    subprocess.run(chromium_command(BROWSER, profile, *flags), capture_output=True, check=True,
                   timeout=120)


def screenshot_and_pdf(html: Path) -> str:
    """Open the page in Chromium, save a screenshot and a PDF next to it, check both are real,
    and return the printed text."""
    shot, pdf, profile = html.with_suffix(".png"), html.with_suffix(".pdf"), html.parent / "p"
    chromium(profile, "--hide-scrollbars", "--window-size=900,1400", f"--screenshot={shot}",
             html.as_uri())
    chromium(profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert pdf.read_bytes()[:5] == b"%PDF-"
    return printed_text(pdf, html, profile)


@needs_chromium
def test_statement_screenshot_and_pdf_carry_donors_totals_and_digest(ledger, tmp_path):
    demo(ledger)
    head = ledger("audit", "digest", "--format", "json").json()["head"]
    html = tmp_path / "cong-khai.html"
    assert ledger("audit", "statement", "--output", html, "--lang", "vi").out.strip() == (
        f"đã ghi {html}")
    text = screenshot_and_pdf(html)
    for donor in ("Công ty TNHH Gạo Mekong", "Hội Doanh nhân trẻ", "Ủy ban MTTQVN phường 3",
                  "Ẩn danh"):  # issue 23: no English gloss on a Vietnamese page
        assert donor in text
    assert "anonymous" not in text
    for total in ("25.000.000 ₫", "7.500.000 ₫", "22.400.000 ₫"):  # cash, rice, fund left
        assert total in text
    assert head in text.replace(" ", "")  # the head may wrap across lines
    assert "Người lập biểu" in text and "Thủ quỹ" in text
    assert "Nguyễn Văn Hùng" not in text


@needs_chromium
@needs_pdftotext
def test_aid_prints_the_statement_and_the_drive_to_pdf_with_page_numbers(ledger, tmp_path):
    demo(ledger)
    head = ledger("audit", "digest", "--format", "json").json()["head"]
    pdf = tmp_path / "statement.pdf"
    assert ledger("audit", "statement", "--output", pdf, "--lang", "en").out.strip() == (
        f"wrote {pdf}")
    text = printed_text(pdf, tmp_path / "unused.html", tmp_path / "p")
    pages = re.findall(r"Page (\d+) / (\d+)", text)
    assert pages and pages[0] == ("1", pages[0][1]) and int(pages[0][1]) >= 2
    assert len(pages) == int(pages[0][1])  # every page numbered, in the margin
    assert f"digest {head[:16]}" in text and "20,000,000 VND" in text
    assert "Treasurer (thủ quỹ)" in text
    report = tmp_path / "drive.pdf"
    ledger("report", "drive", "--output", report, "--lang", "vi")
    text = printed_text(report, tmp_path / "unused.html", tmp_path / "p")
    assert "Tổng quan đợt vận động — Phường 3" in text and "36.500.000 ₫" in text
    assert "Trang 1 /" in text


def round_r1(ledger) -> list[dict[str, str]]:
    """The demo's round R1 (noodles and fish sauce, at most 2 each), H04 absent; its CSV rows."""
    ledger("round", "open", "R1", "--from", "KHO", "--item", "NOODLE", "--item", "FISHSAUCE",
           "--cap", "2", "--ration", "NOODLE=1", "--ration", "FISHSAUCE=1", "--on", "2021-11-22")
    ledger("round", "apply", "R1", "--except", "H04")
    return list(csv.DictReader(io.StringIO(ledger("round", "sheet", "R1", "--format", "csv").out)))


@needs_chromium
def test_receipt_list_screenshot_and_pdf_carry_households_and_quantities(ledger, tmp_path):
    rows = round_r1(demo(ledger))
    html = tmp_path / "ky-nhan.html"
    assert ledger("round", "sheet", "R1", "--output", html, "--lang", "vi").out.strip() == (
        f"đã ghi {html} ({len(rows)} hộ)")
    text = screenshot_and_pdf(html)
    assert len(rows) == 14 and "Ký nhận" in text and "Danh sách ký nhận" in text
    for row in rows:  # each household on one printed line under its tổ's heading (pdftotext
        # may read the no. and code cells apart from the rest): name, persons, quantities
        line = " ".join(row[k] for k in ("name", "size", "NOODLE", "FISHSAUCE"))
        assert row["group"] in text and f"{row['no']} {row['code']}" in text
        assert line + (" đã nhận" if row["handed"] else "") in text, line
    assert [row["code"] for row in rows if not row["handed"]] == ["H04"]
    assert "Người lập danh sách" in text and "Trưởng ban" in text


@needs_chromium
@needs_pdftotext
def test_aid_prints_the_receipt_list_to_pdf(ledger, tmp_path):
    rows = round_r1(demo(ledger))
    pdf = tmp_path / "receipts.pdf"
    assert ledger("round", "sheet", "R1", "-o", pdf, "--lang", "en").out.strip() == (
        f"wrote {pdf} ({len(rows)} households)")
    text = printed_text(pdf, tmp_path / "unused.html", tmp_path / "p")
    assert "Signed receipt list — round R1" in text and "Signature" in text
    assert all(row["name"] in text for row in rows) and "Page 1 / " in text


def test_pdf_without_chromium_exits_2_and_writes_nothing(ledger, tmp_path, monkeypatch):
    from commands.output import printing

    round_r1(demo(ledger))
    monkeypatch.setattr(printing, "find_chromium", lambda: None)
    before = ledger.snapshot()
    for command in (["audit", "statement"], ["report", "drive"], ["round", "sheet", "R1"]):
        pdf = tmp_path / "page.pdf"
        refused = ledger.fails(*command, "--output", pdf)
        assert refused.code == 2 and refused.out == ""
        assert refused.err.startswith(f"aid: cannot write {pdf}: no Chromium found")
        assert len(refused.err.strip().splitlines()) == 1
        assert not pdf.exists()
    html = tmp_path / "page.html"
    ledger("report", "drive", "--output", html)
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert ledger.snapshot() == before
