"""Auditor replays that read a reversal's original again from the store (flat memory) give
exactly what the in-memory replays give."""

from __future__ import annotations

from ledger.storage import locate, open_log
from projections.audit_check import check, entry_reader, ward_events
from projections.drive import drive


def test_streaming_check_and_drive_equal_the_in_memory_ones(sqlite_ledger):
    ledger = sqlite_ledger.drive()
    entry = ledger.entry("donate", "MEKONG", "--into", "KHO", "--item", "RICE=40",
                         "--on", "2021-11-20")
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
