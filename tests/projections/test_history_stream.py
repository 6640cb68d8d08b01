"""`aid history --at LOC --item CODE` streams its lines in business-date order with the running
balance, whether they come from the stored read model, from events recorded after it, or
both."""

from __future__ import annotations

import sqlite3


def _bin_with_back_dated_entries(ledger) -> list[int]:
    """Rice in and out of KHO, two entries back-dated before earlier ones."""
    ledger("init", "--ward", "Phường 3", "--on", "2021-11-01")
    ledger("item", "add", "RICE", "--name", "Gạo", "--unit", "kg", "--value", "15000")
    ledger("item", "add", "NOODLE", "--name", "Mì gói", "--unit", "case", "--value", "100000")
    ledger("location", "add", "KHO", "--name", "Kho phường")
    ledger("donor", "add", "D1", "--name", "Công ty Gạo Việt")
    ledger("recipient", "add", "H1", "--name", "Nguyễn Văn A", "--group", "Tổ 1", "--size", "4")
    return [
        ledger.entry("donate", "D1", "--into", "KHO", "--item", "RICE=100", "--item",
                     "NOODLE=5", "--on", "2021-11-10"),
        ledger.entry("give", "H1", "--from", "KHO", "--item", "RICE=30", "--on", "2021-11-12"),
        ledger.entry("donate", "D1", "--into", "KHO", "--item", "RICE=50", "--on",
                     "2021-11-05"),
        ledger.entry("give", "H1", "--from", "KHO", "--item", "NOODLE=1", "--on", "2021-11-11"),
        ledger.entry("give", "H1", "--from", "KHO", "--item", "RICE=20", "--on", "2021-11-10"),
    ]


def test_running_balance_follows_business_dates(ledger):
    first, second, back_dated, _noodles, same_day = _bin_with_back_dated_entries(ledger)
    lines = ledger("history", "--at", "KHO", "--item", "RICE", "--format", "json").json()
    assert [(line["id"], line["on"], line["change"], line["balance"]) for line in lines] == [
        (back_dated, "2021-11-05", 50, 50), (first, "2021-11-10", 100, 150),
        (same_day, "2021-11-10", -20, 130), (second, "2021-11-12", -30, 100)]
    early = ledger("history", "--at", "KHO", "--item", "RICE", "--as-of", "2021-11-10",
                   "--format", "json").json()
    assert [(line["id"], line["balance"]) for line in early] == [
        (back_dated, 50), (first, 150), (same_day, 130)]
    ledger("rebuild")  # now read from the stored read model, sorted by the database
    assert ledger("history", "--at", "KHO", "--item", "RICE", "--format", "json").json() == lines


def test_lines_read_from_the_read_model_and_after_it_merge_in_date_order(sqlite_ledger):
    """The stored read model may be behind the log (or absent, on an old ledger): the lines
    recorded since are sorted in with the stored ones, and every format prints the same."""
    entries = _bin_with_back_dated_entries(sqlite_ledger)
    sqlite_ledger("rebuild")  # every line stored
    asks = [("history", "--at", "KHO", "--item", "RICE", "--format", fmt)
            for fmt in ("table", "csv", "json")] + [("history",), ("history", "--at", "KHO"),
                                                     ("history", "--item", "RICE", "--as-of",
                                                      "2021-11-10")]
    expected = [sqlite_ledger(*ask).out for ask in asks]
    assert "2021-11-05" in expected[0].splitlines()[2]  # the back-dated donation comes first
    db = sqlite3.connect(sqlite_ledger.path)
    cut = db.execute("SELECT position FROM aid_history WHERE entry = ?",
                     (entries[1],)).fetchone()[0]  # the back-dated donation comes after it
    db.execute("DELETE FROM aid_history WHERE position > ?", (cut,))
    db.execute("DELETE FROM aid_history_bins WHERE position > ?", (cut,))
    db.execute("UPDATE aid_read_models SET position = ?", (cut,))
    db.commit()
    assert [sqlite_ledger(*ask).out for ask in asks] == expected
    for table in ("aid_read_models", "aid_history", "aid_history_bins"):
        db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert [sqlite_ledger(*ask).out for ask in asks] == expected


def test_stored_lines_and_links_are_read_a_batch_at_a_time(ledger):
    """A million history lines (or chain links) are not fetched at once: on PostgreSQL they
    come through a server-side cursor (listed in pg_cursors while they are being read), on
    SQLite through its stepping cursor; either way the lines are the same as before."""
    from ledger.store.access import locate, open_log
    from projections.store import ReadModels

    _bin_with_back_dated_entries(ledger)
    ledger("rebuild")
    log = open_log(locate(environ=ledger.env))
    try:
        lines = ReadModels(log).history("KHO", "RICE", by_date=True)
        first = next(lines)
        assert _streaming(log, ledger.backend)
        rest = list(lines)
        links = log.links()
        assert next(links)[0] == 1
        assert _streaming(log, ledger.backend)
        assert len([1, *links]) == log.count()
    finally:
        log.close()
    printed = ledger("history", "--at", "KHO", "--item", "RICE", "--format", "json").json()
    assert [line["id"] for line in [first, *rest]] == [line["id"] for line in printed]


def _streaming(log, backend: str) -> bool:
    """Whether a server-side cursor of ours is open (PostgreSQL); SQLite always steps."""
    if backend != "postgres":
        return True
    cursors = log.connection.execute("SELECT name FROM pg_cursors").fetchall()
    return any(name.startswith("aid_stream_") for (name,) in cursors)


def test_a_stored_line_deleted_by_hand_never_hides_its_entry(sqlite_ledger):
    """From a sweep: an index row deleted in the database dropped a donation from `aid history
    --at --item` (its running balance went below zero), through later writes, until `aid
    rebuild`. A reader counts the lines it chose against the counts stored with the books and,
    when they differ, lists every entry from its event instead."""
    entries = _bin_with_back_dated_entries(sqlite_ledger)
    sqlite_ledger("rebuild")  # every line stored
    asks = [("history", "--at", "KHO", "--item", "RICE", "--format", "json"), ("history",),
            ("history", "--at", "KHO"), ("history", "--item", "NOODLE")]
    expected = [sqlite_ledger(*ask).out for ask in asks]
    db = sqlite3.connect(sqlite_ledger.path)
    donation = db.execute("SELECT position FROM aid_history WHERE entry = ?",
                          (entries[0],)).fetchone()[0]
    db.execute("DELETE FROM aid_history_bins WHERE position = ? AND item = 'RICE'", (donation,))
    db.commit()
    assert [sqlite_ledger(*ask).out for ask in asks] == expected
    db.execute("DELETE FROM aid_history WHERE entry = ?", (entries[3],))
    db.commit()
    assert [sqlite_ledger(*ask).out for ask in asks] == expected
    sqlite_ledger("give", "H1", "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-13")
    balance = sqlite_ledger(*asks[0]).json()[-1]["balance"]
    assert balance == 99 == sqlite_ledger("stock", "--format", "json").json()[1]["quantity"]
    db.close()


def test_intact_stored_lines_are_read_as_stored(ledger):
    """Honest: with every line stored, a reader reads the events after them alone."""
    from ledger.store.access import locate, open_log
    from projections.store import ReadModels

    _bin_with_back_dated_entries(ledger)
    ledger("rebuild")
    log = open_log(locate(environ=ledger.env))
    stored = log.head()
    log.close()
    ledger("give", "H1", "--from", "KHO", "--item", "RICE=1", "--on", "2021-11-13")
    log = open_log(locate(environ=ledger.env))
    try:
        read, after = log.read, []
        log.read = lambda **kw: (after.append(kw["after"]), read(**kw))[1]
        for at, item in [("KHO", "RICE"), (None, None), ("KHO", None), (None, "NOODLE")]:
            assert list(ReadModels(log).history(at, item))
        assert after == [stored] * 4 and log.head() > stored
    finally:
        log.close()
