"""The tables a ledger keeps its read models in, next to its events, on either back end.

What goes in them (the books' figures, the history lines, the location/item index) is the
projections' business (`projections/store.py`); how they are stored, created, migrated and read
back is the store's, so no SQL lives on the read side. The SQL here is the same on SQLite and
PostgreSQL (only the placeholder differs, and the event log says which).

- `read_models`: one JSON document per model name, with the position it was folded to, the
  chain link stored at that position and a checksum (a reader trusts it only while the chain
  still vouches for that position);
- `history`: one line per ward entry, its event's stored JSON as it is;
- `history_bins`: which (location, item) pairs each entry moves, for `aid history --at --item`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ledger.store.access import EventLog

BooksRow = tuple[int, str, "str | None", "str | None"]  # position, state, link, checksum
HistoryRow = tuple[int, str, int, bytes]  # position, topic, entry, the event's stored bytes


class ModelTables:
    """One ledger's read-model tables, through its event log's connection."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.models = log.table("read_models")
        self.lines = log.table("history")
        self.bins = log.table("history_bins")
        self.p = log.paramstyle
        self._linked: bool | None = None  # whether `read_models` has its link columns

    # ---- shape --------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the tables, or give tables stored before links were kept their columns."""
        if self.log.has_table(self.bins):
            if not self._has_link():
                self._execute(f"ALTER TABLE {self.models} ADD COLUMN link TEXT")
                self._execute(f"ALTER TABLE {self.models} ADD COLUMN checksum TEXT")
                self._linked = True
            return
        self._linked = None
        for statement in (
            f"CREATE TABLE IF NOT EXISTS {self.models} (name TEXT PRIMARY KEY, "
            "position BIGINT NOT NULL, state TEXT NOT NULL, link TEXT, checksum TEXT)",
            f"CREATE TABLE IF NOT EXISTS {self.lines} (position BIGINT PRIMARY KEY, "
            "entry BIGINT NOT NULL, name TEXT NOT NULL, on_date TEXT NOT NULL, "
            "event TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.bins} (position BIGINT NOT NULL, "
            "location TEXT NOT NULL, item TEXT NOT NULL)",
            self._index,
        ):
            self._execute(statement)

    def clear(self) -> None:
        """Empty every table, and drop the index until `index()`: one sort beats 1M updates."""
        for table in (self.models, self.lines, self.bins):
            self._execute(f"DELETE FROM {table}")
        self._execute(f"DROP INDEX IF EXISTS {self.bins}_bin")

    def index(self) -> None:
        self._execute(self._index)

    @property
    def _index(self) -> str:
        return f"CREATE INDEX IF NOT EXISTS {self.bins}_bin ON {self.bins} (location, item)"

    def _has_link(self) -> bool:
        if self._linked is None:
            found = self._execute(f"SELECT * FROM {self.models} LIMIT 0").description
            self._linked = {"link", "checksum"} <= {column[0] for column in found}
        return self._linked

    # ---- writing ------------------------------------------------------------------------

    def add(self, lines: Iterable[tuple], bins: Iterable[tuple]) -> None:
        """History lines (position, entry, name, on_date, event) and index rows (position,
        location, item)."""
        p = self.p
        cursor = self.log.connection.cursor()
        lines, bins = list(lines), list(bins)
        if lines:
            cursor.executemany(f"INSERT INTO {self.lines} (position, entry, name, on_date, "
                               f"event) VALUES ({p}, {p}, {p}, {p}, {p})", lines)
        if bins:
            cursor.executemany(f"INSERT INTO {self.bins} (position, location, item) "
                               f"VALUES ({p}, {p}, {p})", bins)

    def put(self, name: str, position: int, state: str, link: str | None,
            checksum: str) -> None:
        """Store model `name` as folded up to `position`, replacing what was stored."""
        p = self.p
        self._execute(f"INSERT INTO {self.models} (name, position, state, link, checksum) "
                      f"VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (name) DO UPDATE SET "
                      "position = excluded.position, state = excluded.state, link = "
                      "excluded.link, checksum = excluded.checksum",
                      (name, position, state, link, checksum))

    # ---- reading ------------------------------------------------------------------------

    def row(self, name: str) -> BooksRow | None:
        """Model `name` as kept (None if there is none, or it was stored before links were
        kept with it)."""
        if not self.log.has_table(self.models) or not self._has_link():
            return None
        return self._execute(f"SELECT position, state, link, checksum FROM {self.models} "
                             f"WHERE name = {self.p}", (name,)).fetchone()

    def history(self, at: str | None = None, item: str | None = None,
                by_date: bool = False) -> Iterator[HistoryRow]:
        """Stored history lines, streamed, narrowed to the entries that move `item` at `at`
        (either may be None); in entry order, or with `by_date` in (date, entry) order.

        Each line is the event stored at its position (its topic, entry and bytes), found
        through the table: a line edited in the table shows the event as recorded, whatever
        the edit (issue 22); the table only chooses and orders them."""
        order = ("ORDER BY h.on_date, h.entry, h.position" if by_date
                 else "ORDER BY h.position")
        chosen, params = self._chosen(at, item)
        yield from self.log.stream(
            f"SELECT h.position, e.topic, e.originator_version, e.state {chosen} {order}", params)

    def count(self, at: str | None = None, item: str | None = None) -> int:
        """How many lines `history(at, item)` gives."""
        chosen, params = self._chosen(at, item)
        return self._execute(f"SELECT count(*) {chosen}", params).fetchone()[0]

    def _chosen(self, at: str | None, item: str | None) -> tuple[str, tuple]:
        """The FROM and WHERE of the lines that move `item` at `at`, and their parameters."""
        log = self.log
        tables = (f"FROM {self.lines} h JOIN {log.events_table} e "
                  f"ON e.{log._position} = h.position")
        if at is None and item is None:
            return tables, ()
        where = " AND ".join(f"{column} = {self.p}" for column, value in
                             (("location", at), ("item", item)) if value is not None)
        return (f"{tables} WHERE h.position IN (SELECT position FROM {self.bins} "
                f"WHERE {where})", tuple(v for v in (at, item) if v is not None))

    def pages(self, table: str, columns: str, key: str, size: int = 5000) -> Iterator[tuple]:
        """A table's rows in `key` order, `size` at a time (keyset paging: the audit reads
        two tables side by side with the events, on one connection)."""
        after: tuple | None = None
        width = key.count(",") + 1
        while True:
            where = f"WHERE ({key}) > ({', '.join([self.p] * width)}) " if after else ""
            rows = self._execute(f"SELECT {columns} FROM {table} {where}ORDER BY {key} "
                                 f"LIMIT {size}", after or ()).fetchall()
            yield from rows
            if len(rows) < size:
                return
            after = tuple(rows[-1][:width])

    def _execute(self, sql: str, params: tuple = ()) -> Any:
        return self.log.connection.execute(sql, params)
