"""Auditor replays that read a reversal's original again from the store (flat memory) give
exactly what the in-memory replays give."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ledger.store.access import locate, open_log
from projections.audit.check import check
from projections.dated import in_date_order
from projections.drive import drive
from projections.events import WardEvent, entry_reader, ward_events


def test_streaming_check_and_drive_equal_the_in_memory_ones(sqlite_ledger):
    ledger = sqlite_ledger.drive()
    entry = ledger.entry("donate", "MEKONG", "--into", "KHO", "--item", "RICE=40",
                         "--on", "2021-11-21")  # the day of the demo's count of that rice
    ledger("give", "TT01", "--from", "KHO", "--item", "RICE=3", "--on", "2021-11-21")
    ledger("reverse", str(entry), "--reason", "typed twice")
    given = ledger.entry("give", "TT02", "--from", "KHO", "--item", "RICE=2", "--on",
                         "2021-11-22")
    ledger("reverse", str(given), "--reason", "not handed out")
    log = open_log(locate(environ=ledger.env))
    try:
        events = [e for e in ward_events(log.stored()) if not isinstance(e, str)]
        streamed = drive(iter(events), "2021-11-01", "2021-11-30", entry_reader(log))
        assert streamed == drive(events, "2021-11-01", "2021-11-30")
        assert drive(iter(events), lookup=entry_reader(log)) == drive(events)
        assert check(iter(events), entry_reader(log)) == check(events)
    finally:
        log.close()


dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2021, 12, 31)).map(str)
amounts = st.integers(min_value=-(2**80), max_value=2**80)  # beyond orjson's 64 bits too


@given(st.lists(st.tuples(dates, amounts, st.text(max_size=5)), max_size=60))
def test_facts_come_back_in_date_then_entry_order_unchanged(facts):
    """The on-disk sort gives exactly what sorting in memory gives: same events, same data
    (big numbers and any text included), ordered by business date, then entry."""
    events = [WardEvent(position=10 + n, entry=n + 1, name="Ward.Donated",
                        data={"on": on, "cash": {"received": amount}, "note": note, "moves": []})
              for n, (on, amount, note) in enumerate(facts)]
    assert list(in_date_order(iter(events))) == sorted(events, key=lambda e: (e.data["on"],
                                                                             e.entry))
