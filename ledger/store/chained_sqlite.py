"""The SQLite application recorder, storing each event's chain link with it (see chained.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
)

from ledger.store.chained import ChainWriter, chain_table


class ChainedSQLiteRecorder(ChainWriter, SQLiteApplicationRecorder):
    position_column = "rowid"
    position_type = "INTEGER"
    placeholder = "?"

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_table = chain_table(events_table_name)
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), self.chain_statement(),
                self.merkle_statement()]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        """One executemany for the whole batch (the library inserts row by row), then the
        links. The INSERT took SQLite's write lock, so reading the last link is race-free, and
        the new rows' rowids are consecutive: each new rowid is the largest so far plus one."""
        if not stored_events:
            return []
        c.executemany(self.insert_events_statement, [
            (e.originator_id.hex if isinstance(e.originator_id, UUID) else e.originator_id,
             e.originator_version, e.topic, e.state) for e in stored_events])
        c.execute(self.select_max_notification_id_statement)
        last = c.fetchone()[0]
        ids = list(range(last - len(stored_events) + 1, last + 1))
        self.write_links(c, ids, stored_events)
        return ids

    def insert_links(self, cursor: Any, new: list[tuple[int, str]]) -> None:
        cursor.executemany(f"INSERT INTO {self.chain_table} (position, link) VALUES (?, ?)", new)

    def created(self, ids: Sequence[UUID]) -> list[UUID]:
        """Which of these aggregates have a first event stored (once-only claims in use)."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT originator_id FROM {self.events_table_name} WHERE "
                           f"originator_version = 1 AND originator_id IN ({marks})",
                           [i.hex for i in ids])
            return [UUID(row[0]) for row in cursor.fetchall()]

    def first_events(self, ids: Sequence[UUID]) -> list[StoredEvent]:
        """The first stored event of each of these aggregates that has one (whose entry
        used a once-only claim)."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT originator_id, originator_version, topic, state FROM "
                           f"{self.events_table_name} WHERE originator_version = 1 AND "
                           f"originator_id IN ({marks})", [i.hex for i in ids])
            return [StoredEvent(UUID(row[0]), row[1], row[2], row[3])
                    for row in cursor.fetchall()]
