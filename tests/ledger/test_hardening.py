"""Issue 17: what a fuzzing run and a careful reader found, each as the behaviour a user relies
on — bounded inputs, ASCII digits, no empty or invisible text, imports that list every problem,
and printed pages that read naturally (group order, goods by name, local time, Vietnamese)."""

from __future__ import annotations


def refused(ledger, *args: str, code: int = 2) -> str:
    """Run a command that must be refused with `code`, one line, nothing written."""
    before = ledger.snapshot()
    result = ledger.fails(*args)
    assert result.code == code, (args, result.err)
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert ledger.snapshot() == before
    return result.err


# ---- 1. bounds, and reports that print any value the ledger holds -----------------------------

TOO_BIG = [
    ("--item", "RICE=1000000000000000000000000000000"),  # the fuzzing run's 10**30
    ("--item", "RICE=1000000001"),  # one over a billion units
    ("--cash", str(10**30)),
    ("--cash", "1" * 5000),  # past Python's int() digit limit: still one clear line
    ("--cash", "1.000.000.000.000.001"),  # 10**15 + 1 đồng, grouped
]


def test_quantities_and_amounts_above_the_bounds_are_refused(ward):
    for args in TOO_BIG:
        assert "must be at most" in refused(ward, "donate", "D1", "--into", "KHO", *args)


def test_the_bounds_themselves_are_accepted(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1000000000",
         "--cash", "1.000.000.000.000.000")
    assert ward("cash", "--format", "json").json()["received"] == 10**15
    ward("recipient", "add", "CHUA", "--name", "Chùa Phước Hải", "--group", "Tổ 9", "--size",
         "1000")  # a pagoda feeding its people, listed as one


def test_a_household_of_more_than_a_thousand_people_is_refused(ward, tmp_path):
    """From a sweep: --size 100000 was accepted, and per-person rules would give that one
    household a whole round's stock."""
    said = refused(ward, "recipient", "add", "H9", "--name", "Lê Văn C", "--group", "Tổ 1",
                   "--size", "100000")
    assert "--size must be at most 1,000" in said
    sheet = tmp_path / "ho.csv"
    sheet.write_text("code,name,group,size,tier\nH9,Lê Văn C,Tổ 1,100000,1\n", encoding="utf-8")
    assert "size must be at most 1,000" in refused(ward, "recipient", "import", str(sheet))


def test_every_report_prints_a_value_beyond_the_bounds_held_by_an_older_ledger(ward):
    from ledger.store.access import locate, open_ledger

    writer = open_ledger(locate(environ=ward.env))  # as aid before the bounds recorded it
    try:
        writer.donate("D1", "KHO", 10**30, {"RICE": 10**30}, None, None, "2021-11-02", "old")
    finally:
        writer.close()
    for lang in ("en", "vi"):
        for report in (["stock"], ["cash"], ["history"], ["audit", "reconcile"],
                       ["audit", "statement"], ["audit", "statement", "--format", "html"],
                       ["report", "drive", "--format", "html"], ["bundle", "packable"]):
            result = ward("--lang", lang, *report)
            assert "Traceback" not in result.err
    assert "1.000.000.000.000.000.000.000.000.000.000" in ward("--lang", "vi", "stock").out


# ---- 2. ASCII digits only ----------------------------------------------------------------------

NOT_ASCII = [("--item", "RICE=٥"), ("--item", "RICE=５"), ("--cash", "５0000"),
             ("--item", "RICE=1_000"), ("--item", "RICE=5", "--on", "２０２１-11-17")]


def test_digits_other_than_ascii_are_not_numbers(ward):
    for args in NOT_ASCII:
        refused(ward, "donate", "D1", "--into", "KHO", *args)


# ---- 3. empty values are slips, not defaults ---------------------------------------------------

EMPTY = [
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--on", ""),
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--note", ""),
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--receipt", " "),
    ("donor", "add", "D2", "--name", ""),
    ("item", "add", "OIL", "--name", "Dầu ăn", "--unit", ""),
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--on", "2201-11-17"),
]


def test_empty_texts_and_dates_are_refused(ward):
    for args in EMPTY:
        refused(ward, *args)
    assert ward.fails("stock", "--as-of", "").code == 2


def test_an_entry_left_undated_takes_the_wards_day_not_the_machines(ward, monkeypatch):
    """From a sweep: a server on UTC dated an entry recorded at 6 a.m. in Vietnam the day
    before, and the shop's page showed yesterday's pick-ups beside today's clock. At 18:30 UTC
    on 29/11/2021 it is 01:30 on 30/11 in Vietnam: that is the entry's day."""
    from datetime import datetime, timezone

    import ledger.values.dates as dates

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2021, 11, 29, 18, 30, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(dates, "datetime", Clock)
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5")
    assert ward("history", "--format", "json").json()[-1]["on"] == "2021-11-30"
    assert dates.today("Europe/London").isoformat() == "2021-11-29"  # a ward's own clock


def test_an_entry_dated_after_tomorrow_is_refused(ward, today, tmp_path):
    """From a sweep: `--on 10/11/2099` was recorded, counted as stock on hand today, and a round
    closed on 01/12/2029 (for 2021) locked its reserved stock until then, with no way back."""
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--on", "2021-11-30")
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=1", "--on", "2021-12-01")  # slack
    for args in (("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--on", "10/11/2099"),
                 ("give", "H1", "--from", "KHO", "--item", "RICE=1", "--on", "2021-12-02"),
                 ("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--on",
                  "01/12/2029")):
        before = ward.snapshot()
        result = ward.fails(*args)
        assert result.code == 2 and "is after today (2021-11-30): an entry records what has " \
            "happened" in result.err and len(result.err.splitlines()) == 1, result.err
        assert ward.snapshot() == before
    csv = tmp_path / "late.csv"
    csv.write_text("receipt,date,donor,location,items\nPT-9,10/11/2099,D1,KHO,RICE=5\n",
                   encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(csv))
    assert result.code == 2 and "line 2: date 2099-11-10 is after today" in result.err
    assert ward.snapshot() == before
    assert ward("stock", "--format", "json").json()[0]["quantity"] == 6


# ---- 4. invisible characters and overlong texts, from the command line and from files ----------

INVISIBLE = [
    ("donor", "add", "D2", "--name", "Công\x00ty"),
    ("donor", "add", "D2", "--name", "x" * 100_000),
    ("donor", "add", "D\x1b[31m2", "--name", "Công ty"),
    ("recipient", "add", "H3", "--name", "Lê Văn C", "--group", "Tổ\u202e 3"),
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--receipt", "R\x00X"),
    ("adjust", "KHO", "--item", "RICE=-1", "--reason", "hỏng\x07"),
    ("donate", "D1", "--into", "KHO", "--item", "RICE=5", "--actor", "Chị\x00Lan"),
]


def test_invisible_characters_and_overlong_texts_are_refused(ward):
    for args in INVISIBLE:
        err = refused(ward, *args)
        assert "\x00" not in err and "\x1b" not in err


def test_a_nul_in_a_csv_cell_is_refused_with_its_line(ward, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("receipt,date,donor,location,cash\nR1,10/11/2021,D1,KHO,1000\n"
                    "R\x00X,10/11/2021,D1,KHO,1000\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(path))
    assert result.code == 2
    assert result.err.splitlines()[0].startswith(
        "aid: nul.csv line 3: receipt holds an invisible character (U+0000)")
    assert ward.snapshot() == before


# ---- 5. imports list every problem of every row; an empty file says so -------------------------

def test_import_lists_every_problem_of_every_row_in_line_order(ward, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("receipt,date,donor,location,cash\n"
                    "R1,10/11/2021,NOBODY,KHO,1000\n"
                    "R2,10/11/2021,D1,KHO,-5\n"
                    "R3,99/11/2021,D1,NOWHERE,5\n", encoding="utf-8")
    before = ward.snapshot()
    result = ward.fails("import", "donations", str(path))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0].startswith("aid: d.csv line 2: unknown donor 'NOBODY'")
    assert lines[1] == "aid: d.csv line 3: cash must be at least 0, not -5"
    assert lines[2].startswith("aid: d.csv line 4: '99/11/2021' is not a date")
    assert lines[3].startswith("aid: d.csv line 4: unknown location 'NOWHERE'")  # not hidden
    assert len(lines) == 5
    assert lines[-1] == "aid: nothing was imported from d.csv: fix the lines above"
    assert ward.snapshot() == before


def test_a_header_only_file_is_refused(ward, tmp_path):
    for kind, header in (("donations", "receipt,date,donor,location,cash"),
                         ("handouts", "date,recipient,location,bundles")):
        path = tmp_path / "empty.csv"
        path.write_text(header + "\n", encoding="utf-8")
        err = refused(ward, "import", kind, str(path))
        assert err == "aid: empty.csv has a header row but no rows to import\n"


# ---- 7. the reader's edges ---------------------------------------------------------------------

def test_groups_sort_naturally_on_the_sheet_the_statement_and_the_drive(ward):
    for code, group in (("H10", "Tổ 10"), ("H3", "Tổ 2"), ("H11", "Tổ 11")):
        ward("recipient", "add", code, "--name", "Hộ " + code, "--group", group)
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--on", "2021-11-02")
    for code in ("H1", "H2", "H3", "H10", "H11"):
        ward("give", code, "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-03")
    order = ["Tổ 1", "Tổ 2", "Tổ 10", "Tổ 11"]
    sheet = ward("audit", "statement", "--format", "json").json()["sections"]
    assert [row["group"] for row in sheet["by_group"]] == order
    drive = ward("report", "drive", "--format", "json").json()
    assert [row["group"] for row in drive["coverage"]["groups"]] == order
    ward("round", "open", "R1", "--from", "KHO", "--item", "RICE", "--ration", "RICE=1",
         "--on", "2021-11-04")
    lines = ward("round", "sheet", "R1", "--format", "csv").out.splitlines()[1:]
    groups = [group for line in lines for group in order if f",{group}," in line]
    assert groups == ["Tổ 1", "Tổ 2", "Tổ 2", "Tổ 10", "Tổ 11"]


def test_the_statement_names_goods_and_speaks_vietnamese(ward):
    ward("donate", "D1", "--into", "KHO", "--item", "RICE=500", "--cash", "1000000",
         "--on", "2021-11-02")
    sheet = ward("audit", "statement", "--format", "json").json()["sections"]
    assert sheet["donors"][0]["goods"] == "Gạo (RICE) 500 kg"
    page = ward("--lang", "vi", "audit", "statement", "--format", "html").out
    assert "Gạo (RICE) 500 kg" in page
    assert ">Tiền mặt<" in page and ">cash<" not in page
    for english in (">total value (đồng)<", ">events<", ">taken<", ">head<"):
        assert english not in page, english


def test_printed_times_are_the_wards_local_time(ledger):
    assert ledger("init", "--ward", "Phường 3", "--timezone", "Asia/Bangkok").out.endswith(
        " — recorded entries 1–2\n")
    page = ledger("--lang", "vi", "audit", "statement", "--format", "html").out
    assert "giờ Asia/Bangkok" in page and "(Asia/Bangkok)" not in page and "Z<" not in page
    said = ledger("timezone", "Asia/Ho_Chi_Minh").out
    assert said.startswith("time zone set: printed times in Asia/Ho_Chi_Minh, on ")
    assert said.endswith(" — recorded entry 3\n") and said.count("\n") == 1
    assert "(Asia/Ho_Chi_Minh)" in ledger("audit", "statement").out
    assert refused(ledger, "timezone", "Asia/Ho_Chi_Minh", code=1)
    assert refused(ledger, "timezone", "Giờ Việt Nam", code=1)  # the same zone, as said
    assert refused(ledger, "timezone", "Mars/Olympus")
    taken = ledger("audit", "digest", "--format", "json").json()["taken"]
    assert taken.endswith("Z")  # scripts keep reading UTC


def test_global_options_before_the_subcommand(sqlite_ledger, tmp_path):
    other = tmp_path / "other.db"
    sqlite_ledger("--db", str(other), "--actor", "Chị Lan", "init", "--ward", "Phường 4")
    sqlite_ledger("--db", str(other), "item", "add", "RICE", "--name", "Gạo", "--unit", "kg")
    history = sqlite_ledger("--format", "json", "--db", str(other), "history").json()
    assert [(line["kind"], line["actor"]) for line in history] == [("init", "Chị Lan"),
                                                                   ("item", "tester")]
    assert sqlite_ledger("--db", str(other), "stock", "--format", "json").out == "[]\n"
    assert sqlite_ledger.fails("--db", str(other), "--format", "xml", "stock").code == 2
