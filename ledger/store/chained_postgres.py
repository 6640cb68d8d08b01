"""The PostgreSQL application recorder, storing each event's chain link with it (see chained.py).

It always takes the library's EXCLUSIVE lock on the events table before inserting, so events get
their positions and links in commit order. (The library's optional database function inserts
without that lock, which is why `ledger/store/access.py` no longer enables it.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from ledger.store.chained import ChainWriter, chain_table


class ChainedPostgresRecorder(ChainWriter, PostgresApplicationRecorder):
    position_column = "notification_id"
    position_type = "BIGINT"
    placeholder = "%s"

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = chain_table(events_table_name)
        # Not using the library's insert function, so don't (re)create it: CREATE OR REPLACE
        # FUNCTION fails with "tuple concurrently updated" when two writers start at once.
        del self.sql_create_statements[self.create_insert_function_statement_index]
        self.sql_create_statements.append(SQL(self.chain_statement()))  # type: ignore[arg-type]
        self.sql_create_statements.append(SQL(self.merkle_statement()))  # type: ignore[arg-type]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        """Lock, insert the events, link them, commit: one transaction, no pipeline."""
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
            ids = [row["notification_id"] for row in curs.fetchall()]
            self.write_links(curs, ids, stored_events)
        return ids

    def insert_links(self, cursor: Any, new: list[tuple[int, str]]) -> None:
        cursor.execute(f"INSERT INTO {self.chain_table} (position, link) "
                       "SELECT * FROM unnest(%s::bigint[], %s::text[])",
                       ([p for p, _ in new], [link for _, link in new]))

    def created(self, ids: Sequence[UUID]) -> list[UUID]:
        """Which of these aggregates have a first event stored (once-only claims in use)."""
        if not ids:
            return []
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(SQL("SELECT originator_id FROM {}.{} WHERE originator_version = 1 "
                               "AND originator_id = ANY(%s)").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (list(ids),))
            return [row["originator_id"] for row in cursor.fetchall()]

    def first_events(self, ids: Sequence[UUID]) -> list[StoredEvent]:
        """The first stored event of each of these aggregates that has one (whose entry
        used a once-only claim)."""
        if not ids:
            return []
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(SQL("SELECT originator_id, originator_version, topic, state FROM "
                               "{}.{} WHERE originator_version = 1 AND originator_id = ANY(%s)"
                               ).format(Identifier(self.datastore.schema),
                                        Identifier(self.events_table_name)), (list(ids),))
            return [StoredEvent(row["originator_id"], row["originator_version"], row["topic"],
                                bytes(row["state"])) for row in cursor.fetchall()]


class ConnectedFactory(PostgresFactory):
    """The library's factory, whose pool has its connection before the command asks for one.

    The library's pool connects in a thread of its own: when nothing answers, it retries there
    while the command waits 30 s for "couldn't get a connection", the server's own reason never
    said. Here the first connection is made in the command's thread, with the pool's own
    settings, as readers connect: one that cannot be made is refused at once in the reader's
    words (ledger/store/errors.py: `refused`); one that can is handed to the pool as its first,
    still the command's only one."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        made = pool.connection_class
        first = [made.connect(pool.conninfo, **(pool.kwargs or {}))]

        class Handed(made):  # type: ignore[misc, valid-type]
            """The pool's kind of connection, its first one already made."""

            @classmethod
            def connect(cls, *args: Any, **kwargs: Any) -> Any:
                return first.pop() if first else made.connect(*args, **kwargs)

        pool.connection_class = Handed
