"""Printed pages without a ledger: the language resolver, the A4 page template (tables,
signature column and block, page numbers), the chart scales, and the refusal to print a PDF
when no Chromium is installed. Money, numbers and dates: test_figures.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.language import words as language
from commands.output import charts, pages, printing
from ledger.errors import BadInput


@pytest.mark.parametrize("given_lang, env, expected", [
    ("vi", {"AID_LANG": "en", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"AID_LANG": "vi_VN", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"AID_LANG": "EN"}, "en"),
    (None, {"LANG": "vi_VN.UTF-8"}, "vi"),
    (None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"LANGUAGE": "vi:en", "LANG": "en_US.UTF-8"}, "vi"),
    (None, {"LC_MESSAGES": "en_GB", "LANG": "vi_VN"}, "en"),
    (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # a language we do not speak: English
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {"LANG": "C", "LC_ALL": "POSIX"}, "en"),
    (None, {}, "en"),
    ("vn", {}, "vi"), ("Tiếng Việt", {}, "vi"), (None, {"AID_LANG": "tieng viet"}, "vi"),
    (None, {"AID_LANG": "vie"}, "vi"), ("English", {"AID_LANG": "vi"}, "en"),  # as people type
])
def test_language_comes_from_option_then_aid_lang_then_system_locale(given_lang, env, expected):
    assert language.resolve(given_lang, env) == expected


@pytest.mark.parametrize("given_lang, env, source", [
    ("fr", {}, "--lang 'fr'"), (None, {"AID_LANG": "de"}, "AID_LANG 'de'")])
def test_an_unknown_language_asked_for_is_refused_in_one_line(given_lang, env, source):
    with pytest.raises(BadInput) as refused:
        language.resolve(given_lang, env)
    assert str(refused.value) == f"{source} is not a language aid-ledger speaks: use vi or en"


def test_cells_follow_their_kind_and_language():
    assert pages.cell(350_000, "money", "vi") == "350.000\xa0₫"
    assert pages.cell(350_000, None, "en") == "350,000"
    assert pages.cell(1234, "text", "vi") == "1234"  # an entry id is not a quantity
    assert pages.cell("2021-11-17", "date", "vi") == "17/11/2021"
    assert pages.cell(None, "money", "vi") == "" and pages.cell(True, None, "vi") == "True"


def receipt_list(lang: str = "vi") -> str:
    """A signed receipt list as the rounds feature builds one with the shared page."""
    rows = [{"n": 1, "code": "H01", "name": "Lý Thị Bích", "cash": 350_000},
            {"n": 2, "code": "H02", "name": "Phan <Văn> Lộc", "cash": 0}]
    return pages.page("Danh sách ký nhận — đợt 1", [("Phường", "Phường 3"), ("Đợt", "1")],
                      [pages.Table("Hộ nhận quà", [("n", "STT"), ("code", "Mã hộ"),
                                                   ("name", "Họ tên"), ("cash", "Tiền")],
                                   rows, kinds={"cash": "money", "n": "text"}, sign="Ký nhận")],
                      lang, place="Phường 3", signed_on="2021-11-17")


def test_a_page_is_self_contained_a4_with_page_numbers_and_signatures():
    html = receipt_list()
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert "http" not in html and "<script" not in html and "<link" not in html
    assert "@page" in html and "size: A4" in html and "counter(pages)" in html
    assert '"Trang " counter(page) " / " counter(pages)' in html
    assert '<th class="sign">Ký nhận</th>' in html and html.count('<td class="sign"></td>') == 2
    assert "Phan &lt;Văn&gt; Lộc" in html  # text is escaped
    assert "350.000\xa0₫" in html
    assert "Phường 3, ngày 17 tháng 11 năm 2021" in html
    for role in ("Người lập biểu", "Trưởng ban", "Thủ quỹ"):
        assert f"<strong>{role}</strong>" in html
    english = receipt_list("en")
    assert '"Page " counter(page)' in english and "Treasurer (thủ quỹ)" in english
    assert f"Phường 3, {language.day('2021-11-17', 'en')}" in english  # "17 Nov 2021"


def test_a_page_can_go_without_signatures_and_say_none():
    html = pages.page("T", [], [pages.Table("Empty", [("a", "a")], [])], "en", signers=[])
    assert "None." in html and 'class="signatures"' not in html


@settings(max_examples=200, deadline=None)
@given(top=st.integers(0, 10**12), count=st.integers(2, 8))
def test_chart_scales_reach_the_top_in_round_steps(top, count):
    scale = charts.ticks(top, count)
    step = scale[1] - scale[0]
    assert scale[0] == 0 and scale[-1] >= top and len(scale) <= count + 2
    assert all(b - a == step for a, b in zip(scale, scale[1:]))
    assert str(step).rstrip("0") in ("1", "2", "5")


def test_pdf_without_chromium_is_refused_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(printing, "find_chromium", lambda: None)
    target = tmp_path / "cong-khai.pdf"
    with pytest.raises(BadInput) as refused:
        printing.save("<!doctype html>", target)
    assert "no Chromium found" in str(refused.value) and "\n" not in str(refused.value)
    assert not target.exists()


def test_the_finder_looks_on_path_and_honours_aid_chromium(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("AID_CHROMIUM", str(fake))
    assert printing.find_chromium() == str(fake)
    monkeypatch.setenv("AID_CHROMIUM", str(tmp_path / "missing"))
    assert printing.find_chromium() is None
    monkeypatch.delenv("AID_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(printing, "Path", _NoUsrBin)
    assert printing.find_chromium() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert printing.find_chromium() is None


class _NoUsrBin(type(Path())):
    """Path, as if /usr/bin/chromium were not installed."""

    def is_file(self) -> bool:
        return str(self) != "/usr/bin/chromium" and super().is_file()


def test_other_output_files_are_refused(tmp_path):
    with pytest.raises(BadInput, match="write a .html or a .pdf file"):
        printing.save("<!doctype html>", tmp_path / "x.docx")


def test_pages_and_the_board_write_dates_and_decimals_the_readers_way():
    """Issue 23: a phrase on a page or the stock board is rendered with the language's own
    writer, not a plain number formatter: its ISO dates and decimals read "17/11/2021" and
    "0,4677" in Vietnamese, as they do on the command line."""
    from commands.output.pages import cell
    from commands.web.board import Reading
    from ledger.phrases import Phrase

    said = Phrase("{count:,} lots expired on {day}; fill {ratio}", count=1200, day="2021-11-17",
                  ratio="0.4677")
    assert cell(said, None, "vi") == "1.200 lots expired on 17/11/2021; fill 0,4677"
    assert cell(said, None, "en") == "1,200 lots expired on 2021-11-17; fill 0.4677"
    assert cell("0.4677", None, "vi") == "0,4677" and cell("2021-11-17", None, "vi") == "17/11/2021"
    assert cell("2021-11-17", "code", "vi") == "2021-11-17"  # a code is printed as it is
    reading = Reading(log=None, lang="vi")
    assert reading.phrase("as of {day}: {ratio}", day="2021-11-17", ratio="0.5") == (
        "as of 17/11/2021: 0,5")
