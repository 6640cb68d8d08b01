"""`aid report drive`: the figures behind the charts match the ledger (the demo's totals, and
`aid stock --as-of` on every day), the page shows the three charts, and random histories keep
the charts consistent with the statement and the books."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.store.access import Address, open_ledger, open_log
from projections.audit.statement import statement
from projections.books import Books
from projections.drive import drive
from projections.events import ward_events
from tests.ledger.test_properties import DAYS, apply, operations, setup
from tests.projections.test_audit_statement import demo


def test_drive_figures_are_the_demo_ledger_figures(ledger):
    figures = demo(ledger)("report", "drive", "--format", "json").json()
    assert (figures["ward"], figures["from"], figures["to"]) == (
        "Phường 3", "2021-11-12", "2021-11-21")
    assert [(w["week"], w["received"], w["handed_out"], w["handouts"])
            for w in figures["weeks"]] == [
        # 500 kg rice at 15,000 + 40 cases at 100,000 + 20,000,000 cash, then 5,000,000 cash
        ("2021-W45", 31_500_000, 0, 0),
        # 12 bundles at 350,000 (300,000 of goods + 50,000 cash), H01-H03 goods, H04 500,000
        ("2021-W46", 5_000_000, 12 * 350_000 + 190_000 + 325_000 + 250_000 + 500_000, 16),
    ]
    groups = {g["group"]: (g["served"], g["declared"]) for g in figures["coverage"]["groups"]}
    assert groups["Tổ 11"] == (1, 3) and groups["Tổ 5"] == (3, 3) and len(groups) == 12
    assert figures["coverage"]["tiers"] == [
        {"tier": 0, "declared": 1, "served": 1}, {"tier": 1, "declared": 2, "served": 2},
        {"tier": 2, "declared": 2, "served": 1}, {"tier": 3, "declared": 13, "served": 12}]
    lines = {line["item"]: line for line in figures["stock"]}
    assert list(lines) == ["FISHSAUCE", "NOODLE", "OIL", "RICE", "B350"]
    assert lines["RICE"]["points"][0] == ["2021-11-12", 500]
    assert lines["B350"]["points"][1:3] == [["2021-11-16", 12], ["2021-11-17", 0]]
    assert lines["RICE"]["points"][-1] == ["2021-11-21", 343]
    for day in _days("2021-11-12", "2021-11-21"):
        held = {}
        for row in ledger("stock", "--as-of", day, "--format", "json").json():
            held[row["item"]] = held.get(row["item"], 0) + row["quantity"]
        for item, line in lines.items():
            assert _at(line["points"], day) == held.get(item, 0), (item, day)


def _days(first: str, last: str) -> list[str]:
    start = date.fromisoformat(first)
    return [(start + timedelta(days=n)).isoformat()
            for n in range((date.fromisoformat(last) - start).days + 1)]


def _at(points: list[list], day: str) -> int:
    """The step line's value on a day: the last point on or before it."""
    return [quantity for on, quantity in points if on <= day][-1]


def test_drive_page_shows_three_charts_with_the_figures(ledger):
    demo(ledger)
    page = ledger("report", "drive", "--format", "html", "--lang", "en").out
    assert page.startswith("<!doctype html>") and "http" not in page and "<script" not in page
    for title in ("Stock of each item over time", "Received and handed out by week",
                  "Coverage by group", "Coverage by priority tier"):
        assert f"<h2>{title}" in page
    assert page.count("<svg") == 5 + 1 + 2  # a panel per item and bundle, weeks, coverage ×2
    assert "RICE · Gạo (kg)" in page and ">343</text>" in page  # rice left, at the line's end
    assert ">31.5M</text>" in page and "5,465,000 VND" in page
    assert ">1 / 3 (33%)</text>" in page  # Tổ 11
    assert "36,500,000 VND" in page and "16 / 18" in page
    vietnamese = ledger("report", "drive", "--format", "html", "--lang", "vi").out
    assert "Tồn kho từng mặt hàng" in vietnamese and "5.465.000\xa0₫" in vietnamese
    assert "12/11/2021 – 21/11/2021" in vietnamese
    # issue 23: the bundle's unit in Vietnamese; a name that says its unit already is not
    # followed by it again ("Phần quà … (phần quà)", "Mì gói (thùng 30 gói) (thùng)")
    assert "B350 · Phần quà 350.000 ₫ cho tổ trưởng<" in vietnamese
    assert "(bundle)" not in vietnamese
    assert "B350 · Phần quà 350.000 ₫ cho tổ trưởng (bundle)" in page
    assert "NOODLE · Mì gói (thùng 30 gói)<" in vietnamese and "(thùng)" not in vietnamese
    assert "RICE · Gạo (kg)" in vietnamese and "OIL · Dầu ăn 1 lít (chai)" in vietnamese


def test_drive_for_a_period_and_as_tables(ledger):
    demo(ledger)
    figures = ledger("report", "drive", "--from", "17/11/2021", "--to", "2021-11-19",
                     "--format", "json").json()
    assert [w["week"] for w in figures["weeks"]] == ["2021-W46"]
    assert figures["weeks"][0]["received"] == 0 and figures["weeks"][0]["handouts"] == 14
    rice = next(line for line in figures["stock"] if line["item"] == "RICE")
    assert rice["points"] == [["2021-11-17", 380], ["2021-11-19", 355]]
    table = ledger("report", "drive").out
    assert "46/2021  2021-11-15" in table and "Households served, by group" in table
    # a period after the last entry: its stock on that day, never "to None"
    later = ledger("report", "drive", "--from", "2022-01-10", "--format", "json").json()
    assert (later["from"], later["to"]) == ("2022-01-10", "2022-01-10")
    rice = next(line for line in later["stock"] if line["item"] == "RICE")
    assert rice["points"] == [["2022-01-10", rice["points"][0][1]]] and later["weeks"] == [
        {**later["weeks"][0], "received": 0, "handouts": 0}]
    assert "2022-01-10 to 2022-01-10" in ledger("report", "drive", "--from", "2022-01-10").out
    assert not re.search(r"Nguyễn|Lý Thị", table)


def test_drive_refusals(ledger):
    demo(ledger)
    before = ledger.snapshot()
    wrong = ledger.fails("report", "drive", "--from", "20/11/2021", "--to", "19/11/2021")
    assert wrong.code == 2 and "is after" in wrong.err
    unknown = ledger.fails("report", "drive", "--format", "html", "--lang", "fr")
    assert unknown.code == 2 and unknown.err.strip() == (
        "aid: --lang 'fr' is not a language aid-ledger speaks: use vi or en")
    assert ledger.snapshot() == before


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=25))
def test_charts_agree_with_the_books_and_the_statement(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("drive") / "aid.db"
    writer = open_ledger(Address(path=path), create=True)
    setup(writer)
    for op in ops:
        try:
            apply(writer, op)
        except LedgerError:
            pass
    writer.close()
    log = open_log(Address(path=path))
    try:
        events = [e for e in ward_events(log.stored()) if not isinstance(e, str)]
    finally:
        log.close()
    figures, sheet = drive(events), statement(events)
    sections = {s.key: s.rows for s in sheet["sections"]}
    books = Books()
    for event in events:
        books.apply(event.name, event.data)
    for line in figures["stock"]:  # the line is the books' stock on every day it covers
        for day in _days(figures["from"], figures["to"]):
            assert _at(line["points"], day) == sum(
                books.quantity(location, line["item"], day) for location in books.state["bins"])
    assert all(line["points"][-1][0] == figures["to"] for line in figures["stock"])
    assert sum(w["received"] for w in figures["weeks"]) == sum(
        d["value"] for d in sections["donors"])
    assert sum(w["handouts"] for w in figures["weeks"]) == sum(
        h["times"] for h in sections["by_household"])
    groups = figures["coverage"]["groups"]
    assert sum(g["served"] for g in groups) == len(sections["by_household"])
    assert sum(g["declared"] for g in groups) == 2 == sum(
        t["declared"] for t in figures["coverage"]["tiers"])
    assert all(isinstance(w[k], int) for w in figures["weeks"] for k in ("received", "handed_out"))
    assert DAYS[0] <= (figures["from"] or DAYS[0])


def test_weeks_with_nothing_received_or_handed_out_are_one_line_for_people(ledger):
    """From a sweep: one bank deposit dated today on the 2021 demo made `aid report drive`
    print some 260 weeks of "0 ₫". People read a run of two or more quiet weeks as one line
    saying so, in the table and on the page; JSON still lists every week, each with its
    figures, as scripts have always read it."""
    demo(ledger)
    before = ledger("report", "drive", "--format", "json").json()
    ledger("bank", "account", "add", "VCB1", "--bank", "VCB", "--number", "1029990042",
           "--name", "UBMTTQ PHUONG 3", "--on", "2021-11-21")
    ledger("bank", "deposit", "VCB1", "--cash", "3000000", "--on", "2026-12-08")
    figures = ledger("report", "drive", "--format", "json").json()
    assert figures["to"] == "2026-12-08" and figures["weeks"][:2] == before["weeks"]
    assert len(figures["weeks"]) == 266 and set(figures["weeks"][0]) == {
        "week", "monday", "received", "handed_out", "handouts"}
    table = ledger("report", "drive").out
    weeks = table[table.index("by week"):table.index("Households served")]
    assert weeks.splitlines()[1:] == [
        "week     from              received     handed out    hand-outs",
        "-------  ----------  --------------  -------------  -----------",
        "45/2021  2021-11-08  31,500,000 VND          0 VND            0",
        "46/2021  2021-11-15   5,000,000 VND  5,465,000 VND           16",
        "264 weeks with nothing received or handed out: 22 Nov 2021 to 8 Dec 2026", ""]
    vietnamese = ledger("--lang", "vi", "report", "drive").out
    assert "264 tuần không nhận, không phát gì: từ 22/11/2021 đến 08/12/2026" in vietnamese
    assert "0 ₫            0" not in vietnamese
    page = ledger("report", "drive", "--format", "html").out
    assert page.count('<tr class="quiet">') == 1 and (
        "264 weeks with nothing received or handed out: 22 Nov 2021 to 8 Dec 2026" in page)
    assert page.count("<tr>") < 40  # two weeks, the coverage tables: not 266 rows
    # a single quiet week between two busy ones stays a row of its own
    ledger("donate", "MEKONG", "--into", "KHO", "--item", "RICE=1", "--on", "2021-12-01")
    table = ledger("report", "drive", "--to", "2021-12-05").out
    assert "47/2021  2021-11-22           0 VND          0 VND            0" in table
    assert "weeks with nothing" not in table
