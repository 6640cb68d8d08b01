"""Expiry per item (issue 23, item 7): `--item SUA=24@15/12/2021` dates that item's lot alone,
on donate and buy, and "GAO=100; SUA=24@15/12/2021" does the same in an import's items cell;
`--expires` still dates every item that names no date of its own."""

from __future__ import annotations

from tests.projections.test_planning import lots


def test_each_item_keeps_its_own_date_and_undated_goods_stay_undated(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100",
         "--item", "NOODLE=4@15/12/2021", "--on", "2021-11-02")
    assert lots(ward) == [("KHO", "NOODLE", "2021-12-15", 4), ("KHO", "RICE", None, 100)]
    # the rice was never dated, so handing it out after the noodles' date is no refusal
    ward("give", "H1", "--from", "KHO", "--item", "RICE=10", "--on", "2021-12-20")


def test_expires_dates_the_items_without_a_date_of_their_own(ward):
    ward("donate", "D1", "--into", "KHO", "--cash", "100000", "--on", "2021-11-01")
    ward("buy", "--into", "KHO", "--cash", "50000", "--item", "RICE=5",
         "--item", "NOODLE=2@30/11/2021", "--expires", "31/12/2021", "--on", "2021-11-02")
    assert lots(ward) == [("KHO", "NOODLE", "2021-11-30", 2), ("KHO", "RICE", "2021-12-31", 5)]


def test_plain_expires_is_stored_as_before(ward):
    """A donation dated with --expires alone stores the same lots as it always did."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--item", "NOODLE=2",
         "--expires", "31/12/2021", "--on", "2021-11-02")
    assert lots(ward) == [("KHO", "NOODLE", "2021-12-31", 2), ("KHO", "RICE", "2021-12-31", 5)]


def test_goods_expired_on_the_day_they_came_in_are_recorded_and_said(ward):
    """From a sweep: `--expires 01/01/2020 --on 30/11/2021` was recorded without a word (most
    often a mistyped year). Recorded, since that is what arrived, with a warning; an honest
    date says nothing."""
    said = ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--expires", "01/01/2020",
                "--on", "2021-11-30")
    assert said.err == ("aid: warning: goods recorded as expired on 2020-01-01, before the day "
                        "they came in (2021-11-30): if the date is a slip, reverse the entry and "
                        "record it again\n")
    assert ("KHO", "RICE", "2020-01-01", 5) in lots(ward)
    vi = ward("--lang", "vi", "donate", "D1", "--into", "KHO", "--item", "NOODLE=1@29/11/2021",
              "--item", "RICE=1", "--on", "2021-11-30")
    assert "29/11/2021" in vi.err and "30/11/2021" in vi.err and "2021-" not in vi.err
    assert ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--expires", "30/11/2021",
                "--on", "2021-11-30").err == ""  # the last day it may be used: not expired


def test_a_bad_date_after_the_at_is_refused_and_nothing_is_written(ward):
    before = ward.snapshot()
    result = ward.fails("donate", "D1", "--into", "KHO", "--item", "NOODLE=2@32/13/2021",
                        "--on", "2021-11-02")
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert ward.snapshot() == before


def test_import_items_cell_dates_each_item(ward, tmp_path):
    sheet = tmp_path / "donations.csv"
    sheet.write_text("receipt,date,donor,location,items,expires\n"
                     "A1,02/11/2021,D1,KHO,RICE=100; NOODLE=24@15/12/2021,\n"
                     + "A2,03/11/2021,D1,KHO,RICE=7; NOODLE=1@30/11/2021,31/12/2021\n",
                     encoding="utf-8")
    done = ward("import", "donations", str(sheet))
    assert "imported 2 donations" in done.out and done.err == ""  # honest dates: nothing said
    assert lots(ward) == [("KHO", "NOODLE", "2021-11-30", 1), ("KHO", "NOODLE", "2021-12-15", 24),
                          ("KHO", "RICE", "2021-12-31", 7), ("KHO", "RICE", None, 100)]
    late = tmp_path / "late.csv"  # from a sweep: an import said nothing, as donate now does
    late.write_text("receipt,date,donor,location,items,expires\n"
                    "A3,03/11/2021,D1,KHO,RICE=1,01/01/2020\n"
                    "A4,03/11/2021,D1,KHO,RICE=1,31/12/2021\n"
                    "A5,03/11/2021,D1,KHO,NOODLE=1@02/11/2021,\n", encoding="utf-8")
    said = ward("import", "donations", str(late))
    assert "imported 3 donations" in said.out and said.err == (
        "aid: warning: late.csv: lines 2, 4 record goods as expired before the day they came "
        "in: if a date is a slip, reverse those entries and record them again\n")


def test_import_names_the_row_with_a_bad_item_date(ward, tmp_path):
    sheet = tmp_path / "donations.csv"
    sheet.write_text("receipt,date,donor,location,items\n"
                     "A1,02/11/2021,D1,KHO,RICE=1\n"
                     "A2,02/11/2021,D1,KHO,NOODLE=1@99/99/2021\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(sheet))
    assert result.code == 2 and "line 3" in result.err and "Traceback" not in result.err
    assert ward.snapshot() == before
