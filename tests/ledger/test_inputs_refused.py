"""Inputs refused at the door (issue #22, finding 10): each with one line on stderr, exit 2 and
the store unchanged, never a traceback; each beside the honest input it must never refuse."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import Ledger, _env
from tests.ledger.test_refusals import BAD, refused

HEADER = "receipt,date,donor,location,cash,items,note\n"


def cash_received(ledger) -> int:
    return ledger("cash", "--format", "json").json()["received"]


# ---- amounts with two kinds of separator -----------------------------------------------------

@pytest.mark.parametrize("typed", ["1.000,000", "1,000.000", "1.000.000,5", "12,345.678"])
def test_an_amount_mixing_separators_is_ambiguous(ward, typed):
    refused(ward, BAD, "must be a whole number", "donate", "D1", "--into", "KHO",
            "--cash", typed)


def test_an_amount_with_one_separator_all_along_is_read(ward):
    for typed in ("1.000.000", "1,000,000", "350.000", "1000000"):
        ward("donate", "D1", "--into", "KHO", "--cash", typed)
    assert cash_received(ward) == 3_350_000


def test_an_amount_written_as_pages_print_it_is_read(ward):
    """Copied from a statement or a receipt: the currency sign and zero decimals go."""
    for typed in ("350.000 ₫", "350.000\u00a0₫", "350.000đ", "350.000 đồng", "350000 VND",
                  "1.000.000,00", "1,000,000.00"):
        ward("donate", "D1", "--into", "KHO", "--cash", typed)
    assert cash_received(ward) == 5 * 350_000 + 2 * 1_000_000


@pytest.mark.parametrize("typed", ["350.000 kg", "₫ 350.000", "1.000.000,50", "350.000 ₫ ₫"])
def test_an_amount_with_anything_else_around_it_is_refused(ward, typed):
    refused(ward, BAD, "must be a whole number", "donate", "D1", "--into", "KHO",
            "--cash", typed)


# ---- codes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, twin", [
    (("item", "add", "rice", "--name", "gạo", "--unit", "kg"), "RICE"),
    (("item", "add", "Noodle", "--name", "mì", "--unit", "case"), "NOODLE"),
    (("bundle", "define", "b350", "--name", "quà", "--item", "RICE=1"), "B350"),
    (("item", "add", "b350", "--name", "quà", "--unit", "túi"), "B350"),
    (("location", "add", "kho", "--name", "kho 2"), "KHO"),
    (("donor", "add", "d1", "--name", "ai đó"), "D1"),
    (("recipient", "add", "h1", "--name", "Lê Văn C"), "H1"),
])
def test_a_code_equal_but_for_case_to_a_declared_one_is_refused(ward, args, twin):
    refused(ward, BAD, f"differs from the declared {twin} only in case", *args)


def test_codes_that_differ_in_more_than_case_are_declared(ward):
    ward("item", "add", "RICE2", "--name", "Gạo nếp", "--unit", "kg")
    ward("location", "add", "KHO-2", "--name", "Kho 2")
    ward("location", "add", "KHÔ", "--name", "Kho khô")  # a letter with a mark is another letter
    ward("donor", "add", "D1.1", "--name", "Chi nhánh")
    ward("recipient", "add", "H_1", "--name", "Lê Văn C")


@pytest.mark.parametrize("typed", ["../x", "x/y", "..", ".KHO", "a..b", "KHO\\2", "K?O", "K#O"])
def test_a_code_that_reads_as_a_path_is_refused(ward, typed):
    refused(ward, BAD, "is not a valid location code", "location", "add", typed,
            "--name", "Kho")


# ---- files ----------------------------------------------------------------------------------

def test_a_csv_with_an_unterminated_quote_is_refused(ward, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + 'PT-1,12/11/2021,D1,KHO,100000,,"lô 1\n'
                    "PT-2,12/11/2021,D1,KHO,200000,,lô 2\n", encoding="utf-8")
    refused(ward, BAD, "d.csv line 2: a quote (\") opened there is never closed",
            "import", "donations", path)


def test_a_csv_with_a_cell_over_the_field_limit_is_refused(ward, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "PT-1,12/11/2021,D1,KHO,100000,,\"" + "x" * 140_000 + "\"\n",
                    encoding="utf-8")
    refused(ward, BAD, "d.csv line 2: a cell is longer than 131,072 characters",
            "import", "donations", path)


def test_quoted_cells_and_commas_inside_them_are_read(ward, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + 'PT-1,12/11/2021,D1,KHO,"100,000",,"lô 1, ""tốt"""\n',
                    encoding="utf-8")
    ward("import", "donations", path)
    assert cash_received(ward) == 100_000


def workbook(path: Path, cash: object) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["receipt", "date", "donor", "location", "cash", "items", "note"])
    sheet.append(["PT-1", "12/11/2021", "D1", "KHO", 100000, None, "lô 1"])
    sheet.append(["PT-2", "12/11/2021", "D1", "KHO", cash, None, "lô 2"])
    book.save(path)  # openpyxl saves a formula without its result, as a script would
    return path


def test_an_xlsx_formula_without_a_saved_result_is_refused_naming_its_cell(ward, tmp_path):
    path = workbook(tmp_path / "d.xlsx", "=1000*50")
    result = refused(ward, BAD, "cell E3 holds a formula (=1000*50) whose result was never "
                     "saved", "import", "donations", path)
    assert "save it" in result.err


def test_an_xlsx_formula_with_its_saved_result_is_read(ward, tmp_path):
    """A workbook saved by Excel or LibreOffice keeps each formula's result: that is read."""
    made = workbook(tmp_path / "made.xlsx", "=1000*50")
    path = tmp_path / "d.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(<f>1000\*50</f>)(<v\s*/>|<v></v>)?", rb"\1<v>50000</v>", data)
            target.writestr(item, data)
    ward("import", "donations", path)
    assert cash_received(ward) == 150_000


def test_an_xlsx_of_plain_values_is_read(ward, tmp_path):
    ward("import", "donations", workbook(tmp_path / "d.xlsx", 7000))
    assert cash_received(ward) == 107_000


# ---- names, outputs and where the ledger lives ----------------------------------------------

def test_a_ward_name_with_a_bidi_override_is_refused(ledger):
    result = ledger.fails("init", "--ward", "Phường \u202e3")
    assert result.code == BAD and "invisible character (U+202E)" in result.err
    assert len(result.err.strip().splitlines()) == 1
    ledger("init", "--ward", "Phường 3")  # nothing was written: the honest name is taken


@pytest.mark.parametrize("target", ["/proc/x.xlsx", "/nonexistent-folder/x.xlsx"])
def test_an_output_that_cannot_be_written_is_one_line(ward, target):
    if not Path("/proc").is_dir() and target.startswith("/proc"):
        pytest.skip("no /proc here")
    result = refused(ward, BAD, f"cannot write {target}", "stock", "-o", target)
    assert "Traceback" not in result.err


@pytest.mark.parametrize("folder", ["a#b", "a?b", "a%41b", "a b#?%41"])
def test_a_ledger_path_with_uri_characters_works_for_every_command(tmp_path, folder):
    place = tmp_path / folder
    place.mkdir()
    aid = Ledger(_env(AID_DB=str(place / "aid.db")), "sqlite", place / "aid.db")
    aid("init", "--ward", "Phường 3", "--on", "2021-11-01")
    aid("item", "add", "RICE", "--name", "Gạo", "--unit", "kg", "--on", "2021-11-01")
    aid("location", "add", "KHO", "--name", "Kho", "--on", "2021-11-01")
    aid("donor", "add", "D1", "--name", "Công ty", "--on", "2021-11-01")
    aid("donate", "D1", "--into", "KHO", "--item", "RICE=10", "--on", "2021-11-02")
    assert aid("stock", "--format", "json").json()[0]["quantity"] == 10
    assert len(aid("history", "--format", "json").json()) == 5
    aid("audit", "verify")
    assert not (tmp_path / "a").exists()  # nothing written beside, under a cut-off name


def test_a_shop_price_is_an_amount_of_money(ward):
    refused(ward, BAD, "price of RICE must be at least 0, not -1", "shop", "price", "SHOP",
            "--item", "RICE=-1")
    ward("shop", "price", "SHOP", "--item", "RICE=15.000 ₫")
    assert "RICE 15,000" in ward("history").out.splitlines()[-1]


@pytest.mark.parametrize("args, said", [
    (("history", "--item", "RICEE"), "unknown item 'RICEE'; did you mean RICE"),
    (("history", "--at", "KHOO"), "unknown location 'KHOO'; did you mean KHO"),
    (("recipient", "list", "--tier", "9"), "--tier must be at most 3, not 9"),
    (("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
      "--tier", "4"), "--tier must be at most 3, not 4")])
def test_a_filter_naming_what_cannot_exist_is_refused_not_an_empty_report(ward, args, said):
    refused(ward, BAD, said, *args)


@pytest.mark.parametrize("key", ["xyz", "6c6f3315c7f1943", "6c6f3315c7f19431zz"])
def test_a_key_that_is_no_key_id_is_refused_not_reported_as_stripped(ward, key):
    refused(ward, BAD, "--key takes a key id, 16 hexadecimal digits", "audit", "verify",
            "--key", key)


def test_filters_naming_what_exists_are_read_as_before(ward):
    """The honest side: a declared item, a bundle, a location and tiers 0 and 3."""
    for args in (("history", "--item", "RICE"), ("history", "--item", "B350"),
                 ("history", "--at", "KHO"), ("recipient", "list", "--tier", "0", "--tier", "3")):
        assert ward(*args).code == 0
