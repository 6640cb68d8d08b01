"""The SQLite application recorder, storing each event's chain link with it (see chained.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from .chain import chain_table
from .chained import ChainWriter


class ChainedSQLiteRecorder(ChainWriter, SQLiteApplicationRecorder):
    position_column = "rowid"
    position_type = "INTEGER"
    placeholder = "?"

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.chain_table = chain_table(events_table_name)
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), self.chain_statement()]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        # The INSERT above took SQLite's write lock, so reading the last link now is race-free.
        ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events:
            self.write_links(c, ids, stored_events)
        return ids

    def insert_links(self, cursor: Any, new: list[tuple[int, str]]) -> None:
        cursor.executemany(f"INSERT INTO {self.chain_table} (position, link) VALUES (?, ?)", new)
