"""Ward facts in business-date order, with memory that does not grow with the ledger.

The event log is in entry order, but a donor trace or a running balance follows business dates
(an entry may be back-dated). Sorting a million facts in memory holds them all at once; instead
they are written to a private temporary SQLite database (a file SQLite deletes when it is
closed), whose index keeps them in (date, entry) order and whose page cache bounds the memory.
Facts arrive nearly in date order, so the index mostly appends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.store.decoding import dumps, loads
from projections.events import WardEvent

BATCH = 5000


def in_date_order(events: Iterable[WardEvent]) -> Iterator[WardEvent]:
    """`events` (each with a business date `on`) by (date, entry), stable for equal keys."""
    db = sqlite3.connect("")  # "": a temporary database on disk, not in memory
    try:
        db.execute("CREATE TABLE facts (on_date TEXT, entry INTEGER, position INTEGER, "
                   "name TEXT, data BLOB, PRIMARY KEY (on_date, entry, position)) WITHOUT ROWID")
        insert = "INSERT INTO facts VALUES (?, ?, ?, ?, ?)"
        rows: list[tuple[Any, ...]] = []
        for event in events:
            rows.append((event.data["on"], event.entry, event.position, event.name,
                         dumps(event.data)))
            if len(rows) >= BATCH:
                db.executemany(insert, rows)
                rows.clear()
        db.executemany(insert, rows)
        rows.clear()
        cursor = db.execute("SELECT position, entry, name, data FROM facts "
                            "ORDER BY on_date, entry, position")
        for position, entry, name, data in cursor:
            yield WardEvent(position, entry, name, loads(data))
    finally:
        db.close()
