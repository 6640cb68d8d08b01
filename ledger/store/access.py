"""Where a ledger lives, and the one place that opens it.

`--db PATH`, else `AID_DATABASE_URL` (PostgreSQL), else `AID_DB`, else `./aid.db`.
Writers get the eventsourcing application; readers get an `EventLog`, a thin cursor over the
stored events in their global order, opened read-only and without importing the library (so
`aid stock` starts fast and an auditor's command cannot write).
"""

from __future__ import annotations

import itertools
import operator
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlparse
from uuid import UUID

from ledger.errors import BadInput, Refused
from ledger.store.chain_sql import encode_sql, intact_sql, rows_sql
from ledger.store.decoding import loads
from ledger.trust.chain import Encoded, stored_bytes
from ledger.trust.seal_bytes import KEYS_TOPIC_PREFIX, SEAL_TOPIC
from ledger.values.text import fold
from ledger.ward import names

if TYPE_CHECKING:
    from ledger.service import Ledger

DEFAULT_DB = "aid.db"
CLAIM_TOPIC_PREFIX = "ledger.claims:"  # once-only keys: not ward events
BANK_LINES_TOPIC_PREFIX = "ledger.banklines:"  # statement lines (ledger/bank/events.py)
NOT_WARD = (CLAIM_TOPIC_PREFIX, SEAL_TOPIC, KEYS_TOPIC_PREFIX,  # claims, seals, the keyring,
            BANK_LINES_TOPIC_PREFIX)  # bank statement lines


@dataclass(frozen=True)
class Address:
    """A ledger's location: an SQLite file, or a ward's tables in a PostgreSQL database."""

    path: Path | None = None
    url: str | None = None
    ward: str = "aid"  # PostgreSQL table prefix

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @property
    def opens_cheaply(self) -> bool:
        """Whether opening the ledger for each use costs little: a file does (and a file
        replaced on disk is seen at once); a server is better kept connected."""
        return not self.is_postgres

    def __str__(self) -> str:
        if self.url:
            parsed = urlparse(self.url)
            return f"{parsed.hostname or 'localhost'}/{parsed.path.lstrip('/')} ward {self.ward}"
        return str(self.path)


def locate(db: str | Path | None = None, environ: dict[str, str] | None = None) -> Address:
    env = os.environ if environ is None else environ
    if db:
        return Address(path=Path(db))
    url = env.get("AID_DATABASE_URL")
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise BadInput("AID_DATABASE_URL must start with postgresql://, not '{url}'", url=url)
        _usable(url)
        return Address(url=url, ward=table_prefix(env.get("AID_WARD") or "aid"))
    return Address(path=Path(env.get("AID_DB") or DEFAULT_DB))


def _usable(url: str) -> None:
    """An address writers can reach as readers do: its port a number a port can be, its
    brackets closed, and its database named (writers take the host, port and database from
    it; left out, libpq would pick a database named after the user, the library another)."""
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - read for the ValueError a port that is no port raises
    except ValueError:
        parsed = None
    if parsed is None or not parsed.path.strip("/"):
        raise BadInput("AID_DATABASE_URL '{url}' is not an address aid can use: write it as "
                       "postgresql://USER@HOST:PORT/DATABASE (a port is a number up to 65535)",
                       url=url)


def table_prefix(ward: str) -> str:
    """A PostgreSQL-safe prefix for one ward's tables: 'Phường 3' -> 'aid_phuong_3'."""
    slug = re.sub(r"[^a-z0-9]+", "_", fold(ward)).strip("_")
    if not slug:
        raise BadInput("AID_WARD '{ward}' has no letters or digits to name tables with", ward=ward)
    return slug if slug.startswith("aid") else f"aid_{slug}"[:40]


def library_env(address: Address, *, create: bool = False) -> dict[str, str]:
    """The eventsourcing library's settings for this address."""
    if address.is_postgres:
        parsed = urlparse(address.url)
        env = {
            # the library's, connecting in the command's own thread (chained_postgres.py)
            "PERSISTENCE_MODULE": "ledger.store.chained_postgres:ConnectedFactory",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or os.environ.get("USER", "postgres")),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            # Not the library's insert function: it is named per schema, not per table, so two
            # wards in one database would write into each other's tables, and it skips the table
            # lock that keeps positions in commit order (catch-ups and the chain rely on it).
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            # one command, one connection (each costs ~5 ms here, a few round trips over a
            # network): the pool opens its connection in a thread of its own, and with room
            # to grow it opened a second for the first request that came before it was ready
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "0",
            "APPLICATION_RECORDER_TOPIC": "ledger.store.chained_postgres:ChainedPostgresRecorder",
        }
    else:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(address.path),
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": "ledger.store.chained_sqlite:ChainedSQLiteRecorder",
        }
    env["CREATE_TABLE"] = "y" if create else "n"  # tables are made once, by `aid init`
    return env


def open_ledger(address: Address, *, create: bool = False,
                key_file: Path | None = None) -> Ledger:
    """The write side. Refuses to create a new SQLite file unless asked (`aid init`).
    Writes are signed with the key in `key_file` (default: `AID_SIGNING_KEY_FILE`, else the
    user's configuration folder) once the ledger has declared keys."""
    from ledger.service import Ledger
    from ledger.trust.signing_key import key_path

    env = library_env(address, create=create)
    key_file = key_file or key_path()
    if not address.is_postgres:
        if create:
            _may_become_ledger(address.path)
        else:  # there, and a ledger: checked read-only, as readers check it, so that a file
            open_log(address).close()  # of another kind is refused as it was, not made over
        return Ledger(env, key_file=key_file)
    if not create:
        ledger = Ledger(env, name=address.ward, key_file=key_file)
        with ledger.recorder.datastore.get_connection() as connection:  # the one it writes on
            found = connection.execute("SELECT to_regclass(%s) AS found",
                                       (f"{address.ward}_events",)).fetchone()
        if found["found"] is None:
            ledger.close()
            raise _no_ward(address)
        return ledger
    with _ddl_lock(address):  # the library's CREATE statements race across processes
        return Ledger(env, name=address.ward, key_file=key_file)


@contextmanager
def _ddl_lock(address: Address) -> Iterator[None]:
    import psycopg

    with psycopg.connect(address.url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(hashtext('aid-ledger ddl'))")
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext('aid-ledger ddl'))")


def open_log(address: Address, *, writable: bool = False) -> EventLog:
    """The read side: stored events in order, plus a connection for read models."""
    if address.is_postgres:
        return PostgresEventLog(address, writable=writable)
    _must_exist(address)
    return SQLiteEventLog(address.path, writable=writable)


@contextmanager
def writer_log(ledger: Ledger, address: Address) -> Iterator[EventLog]:
    """The read side for a writer, to fold its new events into the read models: on
    PostgreSQL over the writer's own pooled connection, so a command connects once."""
    if not address.is_postgres:
        log = open_log(address, writable=True)
        try:
            yield log
        finally:
            log.close()
        return
    from psycopg.rows import tuple_row

    with ledger.recorder.datastore.get_connection() as connection:
        rows = connection.row_factory
        connection.row_factory = tuple_row
        try:
            yield PostgresEventLog(address, writable=True, connection=connection)
        finally:
            connection.row_factory = rows


def _no_ward(address: Address) -> BadInput:
    return BadInput("no ledger at {address}: create one with `aid init --ward NAME`, or check "
                    "AID_WARD", address=address)


def _must_exist(address: Address) -> None:
    if not address.path.exists():
        raise BadInput("no ledger at {path}: create one with `aid init --ward NAME`, or point "
                       "--db or AID_DB at an existing one", path=address.path)


def _may_become_ledger(path: Path) -> None:
    """`aid init` makes a new file, fills an empty one, or finds a ledger already there (and
    says so); another program's database is left as it was, not given tables beside its own.
    Read-only: a file that is no SQLite database at all is refused unchanged, as readers
    refuse it."""
    if not path.is_file():
        return
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()
    if tables and EventLog.events_table not in tables:
        raise BadInput("{path} is another program's database, not an aid-ledger file: give "
                       "`aid init` a new file with --db", path=path)


def decoded(position: int, version: int, state: bytes) -> dict[str, Any]:
    """A stored event's fields, for a report: a state that is not JSON (edited by hand, even to
    NULL) refuses the report in one line naming its position; `aid audit` names it as a
    finding instead."""
    try:
        data = loads(state)
        if isinstance(data, dict):
            return data
        raise ValueError(state)  # JSON, but no event's fields
    except ValueError:
        raise Refused("the ledger cannot be read: the event at position {position} (entry "
                      "{entry}) is not readable JSON (changed outside aid?): run `aid audit "
                      "verify`", position=position, entry=version) from None


class Record(NamedTuple):
    """One stored event: its global position, its name ("Ward.Donated"), its version in its
    aggregate (for ward events, the entry id) and its fields."""

    position: int
    name: str
    version: int
    data: dict[str, Any]


class EventLog:
    """Stored events in their global (notification) order, decoded to plain dicts."""

    paramstyle = "?"
    events_table = "stored_events"
    snapshots_table = "stored_snapshots"
    prefix = "aid"
    connection: Any

    def head(self) -> int:
        row = self.connection.execute(f"SELECT MAX({self._position}) FROM {self.events_table}")
        value = row.fetchone()[0]
        return value or 0

    def count(self, after: int = 0) -> int:
        """How many events are stored after position `after`."""
        row = self.connection.execute(f"SELECT COUNT(*) FROM {self.events_table} WHERE "
                                      f"{self._position} > {self.paramstyle}", (after,))
        return row.fetchone()[0]

    def read(self, after: int = 0, upto: int | None = None, batch: int = 10_000,
             *, ward_only: bool = False) -> Iterator[Record]:
        """Every event after position `after` (up to `upto`), oldest first, decoded;
        with `ward_only`, without the claims, seals and keys in between (not even read)."""
        for position, _, version, topic, state in self.stored(after, upto, batch,
                                                              ward_only=ward_only):
            yield Record(position, names.short(topic), version,
                         decoded(position, version, state))

    def stored(self, after: int = -(2**63), upto: int | None = None,
               batch: int = 10_000, *, ward_only: bool = False,
               ) -> Iterator[tuple[int, Any, int, str, bytes]]:
        """Stored rows exactly as kept, with the aggregate each belongs to, for the chain
        (from the very lowest position: a row slipped in at position 0 must show up too);
        with `ward_only`, claims, seals and keys are left in the database. Read `batch` rows at
        a time, so memory stays flat however long the ledger."""
        for rows in self.stored_batches(after, upto, batch, ward_only=ward_only):
            yield from rows

    def stored_batches(self, after: int = -(2**63), upto: int | None = None,
                       batch: int = 10_000, *, ward_only: bool = False,
                       ) -> Iterator[list[tuple[int, Any, int, str, bytes]]]:
        """`stored`, a list of up to `batch` rows at a time (for checks that work a batch
        at a time rather than a row at a time)."""
        upto = self.head() if upto is None else upto
        p, column = self.paramstyle, self._position
        others = tuple(prefix + "%" for prefix in NOT_WARD) if ward_only else ()
        skip = "".join(f" AND topic NOT LIKE {p}" for _ in others)
        while after < upto:
            rows = self.connection.execute(
                f"SELECT {column}, originator_id, originator_version, topic, state "
                f"FROM {self.events_table} WHERE {column} > {p} AND {column} <= {p}{skip} "
                f"ORDER BY {column} LIMIT {batch}", (after, upto, *others)).fetchall()
            if not rows:
                return
            if set(map(type, map(_STATE, rows))) - {bytes}:
                rows = [row if type(row[4]) is bytes else (*row[:4], stored_bytes(row[4]))
                        for row in rows]
            yield rows
            after = rows[-1][0]

    def stream(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """The rows of a query as they come, not all at once (SQLite's cursor steps through
        the result by itself)."""
        yield from self.connection.execute(sql, params)

    def rows_before_first(self, topic: str, rows: int) -> int | None:
        """The position `rows` events before the first event of `topic` (the lowest position,
        if fewer events precede it), or None if no event has that topic: `aid audit verify`
        need not hash rows that no seal can cover."""
        p, column = self.paramstyle, self._position
        first = self.connection.execute(f"SELECT MIN({column}) FROM {self.events_table} "
                                        f"WHERE topic = {p}", (topic,)).fetchone()[0]
        if first is None:
            return None
        row = self.connection.execute(
            f"SELECT {column} FROM {self.events_table} WHERE {column} < {p} "
            f"ORDER BY {column} DESC LIMIT 1 OFFSET {int(rows) - 1}", (first,)).fetchone()
        return row[0] if row else -(2**63)

    def state_of(self, originator: UUID, version: int) -> tuple[str, bytes] | None:
        """One stored event's topic and state, by its aggregate and version: for replays that
        need an earlier event again (a reversal's original) without keeping every event."""
        row = self.row_of(originator, version)
        return None if row is None else (row[3], row[4])

    def row_of(self, originator: UUID, version: int
               ) -> tuple[int, Any, int, str, bytes] | None:
        """One stored row exactly as `stored` gives it, by its aggregate and version (the
        primary key: cheap at any ledger size)."""
        p = self.paramstyle
        row = self.connection.execute(
            f"SELECT {self._position}, originator_id, originator_version, topic, state FROM "
            f"{self.events_table} WHERE originator_id = {p} AND originator_version = {p}",
            (self._originator(originator), version)).fetchone()
        return None if row is None else (*row[:4], stored_bytes(row[4]))

    def aggregate_rows(self, originator: UUID, upto: int | None = None,
                       after: int | None = None) -> list[tuple[int, str, bytes]]:
        """(version, topic, state) of one aggregate's events (after version `after`, up to
        `upto`), by the primary key: the keyring and the seals are read without scanning the
        ledger."""
        p = self.paramstyle
        bounds = [(f" AND originator_version > {p}", after), (f" AND originator_version <= {p}",
                                                               upto)]
        given = [(sql, value) for sql, value in bounds if value is not None]
        rows = self.connection.execute(
            f"SELECT originator_version, topic, state FROM {self.events_table} WHERE "
            f"originator_id = {p}{''.join(sql for sql, _ in given)} ORDER BY originator_version",
            (self._originator(originator), *(value for _, value in given)))
        return [(version, topic, stored_bytes(state)) for version, topic, state in rows]

    def snapshots(self, originator: UUID, after: int = 0, limit: int = 100
                  ) -> list[tuple[int, str, bytes]]:
        """(version, topic, state) of an aggregate's stored snapshots after version `after`,
        oldest first: the write side's starting points (ledger/service.py)."""
        p = self.paramstyle
        rows = self.connection.execute(
            f"SELECT originator_version, topic, state FROM {self.snapshots_table} WHERE "
            f"originator_id = {p} AND originator_version > {p} ORDER BY originator_version "
            f"LIMIT {int(limit)}", (self._originator(originator), after))
        return [(version, topic, stored_bytes(state)) for version, topic, state in rows]

    def others_snapshotted(self, originator: UUID) -> list[tuple[str, int]]:
        """(originator, version) of every stored snapshot not of `originator`: only the ward
        takes snapshots, so any other was written outside aid."""
        p = self.paramstyle
        rows = self.connection.execute(
            f"SELECT originator_id, originator_version FROM {self.snapshots_table} WHERE "
            f"originator_id <> {p} ORDER BY originator_version", (self._originator(originator),))
        return [(str(found), version) for found, version in rows]

    def discard_snapshots(self, originator: UUID) -> int:
        """Delete an aggregate's stored snapshots (`aid rebuild` takes a new one from the
        events); how many there were."""
        return self.connection.execute(
            f"DELETE FROM {self.snapshots_table} WHERE originator_id = {self.paramstyle}",
            (self._originator(originator),)).rowcount

    def of_topics(self, *topics: str) -> Iterator[tuple[int, str, bytes]]:
        """(position, topic, state) of every event of these topics, oldest first, streamed."""
        p, column = self.paramstyle, self._position
        for position, topic, state in self.stream(
                f"SELECT {column}, topic, state FROM {self.events_table} WHERE topic IN "
                f"({', '.join([p] * len(topics))}) ORDER BY {column}", topics):
            yield position, topic, stored_bytes(state)

    def _originator(self, originator: UUID) -> Any:
        return originator.hex  # SQLite stores ids as hex text

    def links(self, after: int | None = None, upto: int | None = None
              ) -> Iterator[tuple[int, str]]:
        """The chain links writers stored with the events (none if the table is missing),
        all of them or those of positions (after, upto]."""
        if not self.has_table(self.table("chain")):
            return
        if after is None and upto is None:
            yield from self.stream(
                f"SELECT position, link FROM {self.table('chain')} ORDER BY position")
            return
        p = self.paramstyle
        yield from self.stream(
            f"SELECT position, link FROM {self.table('chain')} WHERE position > {p} AND "
            f"position <= {p} ORDER BY position",
            (-(2**63) if after is None else after, self.head() if upto is None else upto))

    def links_between(self, after: int, upto: int | None = None) -> list[tuple[int, str]]:
        """The stored links of positions (after, upto] (every one after `after` without
        `upto`), in position order, in one list: a batch's worth at a time."""
        p, chain = self.paramstyle, self.table("chain")
        if not self.has_table(chain):
            return []
        if upto is None:
            return self.connection.execute(
                f"SELECT position, link FROM {chain} WHERE position > {p} ORDER BY position",
                (after,)).fetchall()
        return self.connection.execute(
            f"SELECT position, link FROM {chain} WHERE position > {p} AND position <= {p} "
            "ORDER BY position", (after, upto)).fetchall()

    def link_at(self, position: int) -> str | None:
        """The chain link stored at `position` (None at 0, where none is stored, or without a
        chain table)."""
        chain = self.table("chain")
        if not position or not self.has_table(chain):
            return None
        row = self.connection.execute(f"SELECT link FROM {chain} WHERE position = "
                                      f"{self.paramstyle}", (position,)).fetchone()
        return row[0] if row else None

    in_snapshot = False

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read events and links as of one moment, while writers go on appending."""
        self.in_snapshot = True
        try:
            if self.paramstyle == "?":
                self.connection.execute("BEGIN")
                try:
                    yield
                finally:
                    self.connection.execute("COMMIT")
            else:
                with self.connection.transaction():
                    self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    yield
        finally:
            self.in_snapshot = False

    def has_table(self, table: str) -> bool:
        found = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        return found is not None

    def table(self, name: str) -> str:
        """The name of a read-model table that belongs to this ledger."""
        return f"{self.prefix}_{name}"

    _position = "rowid"
    # SQLite gives a new row the largest rowid so far plus one, and a write rolled back takes
    # none: an honest ledger's positions run 1, 2, 3… (`aid audit verify` names a gap)
    gapless = True

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction that holds the database's write lock until it ends."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class SQLiteEventLog(EventLog):
    def __init__(self, path: Path, *, writable: bool = False) -> None:
        mode = "rw" if writable else "ro"
        self.writable = writable
        # a URI, so its path is percent-encoded: "#", "?" or "%41" in a folder's name would
        # otherwise end the path, start the query or stand for "A"
        uri = f"{Path(path).absolute().as_uri()}?mode={mode}"
        self.connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        self.connection.execute("PRAGMA busy_timeout = 30000")
        if not self.has_table(self.events_table):
            raise BadInput("{path} is not an aid-ledger file: create one with `aid init --ward "
                           "NAME`", path=path)


_STATE = operator.itemgetter(4)  # a stored row's state

_STREAMS = itertools.count()  # server-side cursors need names unique on their connection


class PostgresEventLog(EventLog):
    paramstyle = "%s"
    _position = "notification_id"
    gapless = False  # a sequence: a write rolled back (a writer retrying) leaves a gap

    def __init__(self, address: Address, *, writable: bool = False,
                 connection: Any = None) -> None:
        """Its own connection, or a writer's (`writer_log`), which it then leaves open."""
        self.writable = writable
        self.prefix = address.ward
        self.events_table = f"{address.ward}_events"
        self.snapshots_table = f"{address.ward}_snapshots"
        self.owned = connection is None
        if connection is None:
            import psycopg

            connection = psycopg.connect(address.url, autocommit=True)
        self.connection = connection
        if not writable:  # like SQLite's mode=ro: readers and auditors cannot write
            self.connection.execute("SET default_transaction_read_only = on")
        if self.owned and not self.has_table(self.events_table):
            self.connection.close()
            raise _no_ward(address)

    def close(self) -> None:
        if self.owned:
            self.connection.close()

    def has_table(self, table: str) -> bool:
        return self.connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None

    def _originator(self, originator: UUID) -> Any:
        return originator

    def stream(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """A server-side cursor read 5,000 rows at a time: a client cursor would hold the whole
        result (a million history lines) in memory. It lives in a transaction of its own, or
        in the snapshot's."""
        with self.connection.transaction(), \
                self.connection.cursor(name=f"aid_stream_{next(_STREAMS)}") as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(5000):  # a list at a time: iterating the cursor
                yield from rows                     # itself cost a Python call per row

    def encoded(self, upto: int | None = None) -> Iterator[Encoded]:
        """Every stored row (up to `upto`) as the bytes its chain link covers, encoded by the
        server (`encode_sql`): a check of a whole copy then costs the client one hash per row."""
        upto = self.head() if upto is None else upto
        after = -(2**63)  # pages like `stored`: a server cursor could not interleave with links
        with self.connection.cursor(binary=True) as cursor:  # bytes as bytes, not hex text
            while rows := cursor.execute(
                    f"SELECT notification_id, {encode_sql('e')} FROM "
                    f"{rows_sql(self.events_table)} e "
                    "WHERE notification_id > %s AND notification_id <= %s ORDER BY "
                    "notification_id LIMIT 10000", (after, upto)).fetchall():
                yield from map(Encoded._make, rows)
                after = rows[-1][0]

    def chain_holds(self, upto: int) -> tuple[int, int, str] | None:
        """(events, last position, head link) if the chain holds up to position `upto`,
        checked by the server (`intact_sql`: one SHA-256 per row there, one row back); None if
        it does not, or there is nothing to check: `tamper.verify` then says what is wrong."""
        chain = self.table("chain")
        if not self.has_table(chain):
            return None
        events, position, intact = self.connection.execute(
            intact_sql(self.events_table, chain), (upto, upto)).fetchone()
        if not events or not intact:
            return None
        return events, position, self.link_at(position)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction holding this ward's read-model lock, so catch-ups never interleave."""
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                    (self.events_table,))
            yield
