"""Vietnamese throughout: refusals, messages, help and report headings follow --lang, AID_LANG
or the system locale; JSON and CSV stay language-neutral; the catalog covers every text."""

from __future__ import annotations

import pytest

from commands import catalog
from tests.test_refusals import refused

RULE, BAD = 1, 2


@pytest.fixture
def stocked(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--cash", "1234567",
         "--receipt", "R1", "--on", "2021-11-10")
    return ward


def test_the_catalog_translates_every_text_the_program_prints():
    """Every English text in the code and every help text has a Vietnamese translation with the
    same {fields}, and the compiled .mo files are the .po files of the checkout."""
    assert catalog.problems() == []


def test_a_refusal_in_vietnamese_and_in_english(stocked):
    give = ("give", "H1", "--from", "KHO", "--item", "RICE=101", "--on", "2021-11-12")
    vi = refused(stocked, RULE, "", "--lang", "vi", *give)
    assert vi.err == ("aid: không đủ RICE tại KHO: chỉ có 100 kg từ ngày 2021-11-12 trở đi, "
                      "cần 101; hãy ghi khoản ủng hộ hoặc chuyển kho trước\n")
    en = refused(stocked, RULE, "", *give, "--lang", "en")
    assert en.err == ("aid: not enough RICE at KHO: 100 kg available on 2021-11-12 and after, "
                      "101 needed; record the donation or transfer first\n")


def test_money_in_a_vietnamese_refusal_is_grouped_the_vietnamese_way(stocked, monkeypatch):
    monkeypatch.setenv("AID_LANG", "vi")
    result = refused(stocked, RULE, "quỹ phường không đủ tiền mặt: chỉ có 1.234.567 đồng",
                     "give", "H1", "--from", "KHO", "--cash", "2000000")
    assert "cần 2.000.000" in result.err


def test_bad_input_in_vietnamese_keeps_its_exit_code(stocked):
    result = refused(stocked, BAD, "phải là số nguyên", "--lang=vi", "give", "H1", "--from",
                     "KHO", "--cash", "nhiều")
    assert "'nhiều'" in result.err


def test_the_system_locale_chooses_vietnamese(stocked, monkeypatch):
    monkeypatch.delenv("AID_LANG")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert stocked("give", "H1", "--from", "KHO", "--item", "RICE=1").out.startswith(
        "đã ghi bút toán ")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")  # a language aid does not speak: English
    assert stocked("give", "H1", "--from", "KHO", "--item", "RICE=1").out.startswith(
        "recorded entry ")


def test_an_unknown_language_is_one_line_and_exit_2(stocked):
    before = stocked.snapshot()
    result = stocked.fails("--lang", "xx", "stock")
    assert result.code == 2
    assert result.err == "aid: --lang 'xx' is not a language aid-ledger speaks: use vi or en\n"
    assert stocked.snapshot() == before


def test_report_headings_and_numbers_follow_the_language(stocked):
    vi = stocked("--lang", "vi", "stock").out.splitlines()
    assert vi[0].split() == ["kho", "mặt", "hàng", "tên", "số", "lượng", "đơn", "vị"]
    assert vi[2].split() == ["KHO", "RICE", "Gạo", "100", "kg"]
    cash = stocked("cash", "--lang", "vi").out
    assert "1.234.567\xa0₫" in cash and "số dư" in cash  # money as Vietnamese writes it
    assert "1,234,567 VND" in stocked("cash").out


def test_json_and_csv_do_not_change_with_the_language(stocked):
    for args in (("stock", "--format", "json"), ("cash", "--format", "json"),
                 ("history", "--format", "csv"), ("stock", "--format", "csv")):
        assert stocked("--lang", "vi", *args).out == stocked("--lang", "en", *args).out


def test_help_in_vietnamese(ward):
    text = ward("--lang", "vi", "stock", "--help").out
    assert text.startswith("Cách dùng: ") and " stock [OPTIONS]" in text.splitlines()[0]
    assert "Tồn kho theo từng kho và mặt hàng" in text
    assert "Tuỳ chọn:" in text and "Hiện hướng dẫn này rồi thoát." in text
    english = ward("stock", "--help").out  # the same command tree, back in English
    assert english.startswith("Usage: ") and "Show this message and exit." in english
    assert "Lệnh:" in ward("--lang", "vi", "--help").out


def test_a_usage_mistake_in_vietnamese(ward):
    result = ward.fails("--lang", "vi", "give", "H1", "--from", "KHO", "--itm", "RICE=1")
    assert result.code == 2
    assert "give: Không có tuỳ chọn: --itm (Các tuỳ chọn có thể dùng: --item)" in result.err
    assert len(result.err.splitlines()) == 1


def test_an_import_refusal_translates_each_line(ward, tmp_path):
    sheet = tmp_path / "handouts.csv"
    sheet.write_text("date,recipient,location,items\n2021-11-12,H1,KHO,RICE=5\n",
                     encoding="utf-8")
    result = ward.fails("--lang", "vi", "import", "handouts", str(sheet))
    assert result.code == RULE
    assert "dòng 2: không đủ RICE tại KHO" in result.err
    assert "Traceback" not in result.err


def test_history_says_each_entry_in_the_readers_language(stocked):
    stocked("give", "H1", "--from", "KHO", "--item", "RICE=5", "--cash", "1000", "--on",
            "2021-11-12")
    vi = stocked("--lang", "vi", "history").out.splitlines()[-1].split(None, 4)
    assert vi[1:4] == ["12/11/2021", "give", "tester"]  # dates as dd/mm/yyyy
    assert vi[4].split() == ["cho", "H1", "KHO", "RICE", "-5;", "đã", "phát", "+1.000"]
    en = stocked("history").out.splitlines()[-1].split(None, 4)
    assert en[1] == "2021-11-12"
    assert en[4].split() == ["to", "H1", "KHO", "RICE", "-5;", "given", "+1,000"]
    assert stocked("history", "--format", "json").json()[-1]["detail"] == "to H1"


def test_the_words_a_refusal_quotes_are_translated_too(stocked):
    vi = refused(stocked, BAD, "", "--lang", "vi", "give", "H1", "--from", "KHOO", "--item",
                 "RICE=1")
    assert vi.err == ("aid: không có kho 'KHOO'; có phải ý bạn là KHO hoặc SHOP? "
                      "(khai báo mới bằng `aid location add`)\n")
    assert refused(stocked, BAD, "", "--lang", "vi", "give", "H1", "--from", "KHO", "--cash",
                   "0").err == "aid: --cash phải là số dương, không phải 0\n"
