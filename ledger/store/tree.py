"""The Merkle tree kept beside the events (issue 26): stored by writers, read by auditors.

Leaves are the stored events in position order; a leaf's data is exactly the bytes its chain
link covers (`ledger.trust.chain.encode(*row)`), so the tree covers every aggregate, encrypted
or not, without decoding anything. Nodes are rows (level, idx, hash) of one table beside the
events (`aid_merkle` in SQLite, `<ward>_merkle` in PostgreSQL), each written once, when its
subtree completes (`ledger/trust/merkle.py`).

Writers (`ledger/store/chained.py`) extend the tree in the same transaction as the events and
their links, so it can never disagree with what was written. A ledger written before the tree
existed gets it on its first write, built from its stored rows (flat memory: a batch at a time).
Readers (`LedgerTree`) use the stored nodes; whatever the stored tree lacks (a ledger opened
read-only before any write made its tree, a district's copy) is computed on the fly into a
temporary SQLite file, so memory stays flat and nothing is written to the ledger.

The tree is derived data: an audit never trusts it. `aid audit verify --checkpoint` recomputes
roots from the events themselves (`projections/audit/checkpoints.py`).

This is the only module with SQL for the tree; the dialects differ only in placeholders, the
hash column's type and PostgreSQL's `unnest` for bulk inserts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ledger.errors import Refused
from ledger.phrases import N_
from ledger.trust.chain import StoredRow, encode, stored_bytes
from ledger.trust.merkle import (
    EMPTY_ROOT,
    Frontier,
    Row,
    consistency_proof_from_store,
    inclusion_proof_from_store,
    leaf_hash,
    root_from_store,
)

BATCH = 10_000  # rows read and hashed at a time when a tree is built from stored rows


def merkle_table(events_table: str) -> str:
    """The tree's table next to an events table ("stored_events" is SQLite's)."""
    if events_table == "stored_events":
        return "aid_merkle"
    return events_table.removesuffix("_events") + "_merkle"


def _value(row: Any) -> Any:
    """The first column of a row, whatever the row factory (tuples, sqlite3.Row, dicts)."""
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def _fetchone(cursor: Any, sql: str, params: tuple = ()) -> Any:
    """Run a query and return its first row (the library's SQLite cursor returns None from
    execute, sqlite3 and psycopg return the cursor)."""
    result = cursor.execute(sql, params)
    return (result if result is not None else cursor).fetchone()


def _fetchall(cursor: Any, sql: str, params: tuple = ()) -> list[Any]:
    result = cursor.execute(sql, params)
    return (result if result is not None else cursor).fetchall()


class NodeTable:
    """A `NodeStore` over a cursor or connection: qmark (SQLite) or format (PostgreSQL)
    parameters. Never commits: the caller's transaction decides."""

    def __init__(self, cursor: Any, table: str, placeholder: str = "?") -> None:
        self.cursor, self.table, self.p = cursor, table, placeholder
        p = placeholder
        self._select = f"SELECT hash FROM {table} WHERE level = {p} AND idx = {p}"

    def create_statement(self) -> str:
        if self.p == "?":  # SQLite: the primary key is the only index (about 40 bytes a node)
            return (f"CREATE TABLE IF NOT EXISTS {self.table} (level INTEGER NOT NULL, "
                    "idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) "
                    "WITHOUT ROWID")
        return (f"CREATE TABLE IF NOT EXISTS {self.table} (level SMALLINT NOT NULL, "
                "idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx))")

    def exists(self) -> bool:
        if self.p == "?":
            found = _fetchone(self.cursor, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                              "AND name = ?", (self.table,))
            return found is not None
        return _value(_fetchone(self.cursor, "SELECT to_regclass(%s) IS NOT NULL",
                                (self.table,))) is True

    def create(self) -> None:
        self.cursor.execute(self.create_statement())

    def get(self, level: int, idx: int) -> bytes:
        row = _fetchone(self.cursor, self._select, (level, idx))
        if row is None:
            raise MissingNode(N_("the ledger's stored Merkle tree lacks its node at level "
                                 "{level}, index {idx} (deleted outside aid?): run `aid audit "
                                 "verify`"), level=level, idx=idx)
        return _bytes(_value(row))

    def find(self, level: int, idx: int) -> bytes | None:
        try:
            return self.get(level, idx)
        except KeyError:
            return None

    def put(self, rows: Iterable[Row]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.p == "?":
            self.cursor.executemany(f"INSERT INTO {self.table} (level, idx, hash) VALUES "
                                    "(?, ?, ?)", rows)
            return
        self.cursor.execute(f"INSERT INTO {self.table} (level, idx, hash) SELECT * FROM "
                            "unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
                            ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))

    def beyond(self, size: int) -> int:
        """How many stored nodes cover leaves past the first `size`: none in a tree aid wrote
        over `size` events (it stores complete nodes only), and one put there outside aid
        would refuse the node a later write stores in its place."""
        if not self.exists():  # a ledger older than the tree: readers build it from events
            return 0
        row = _fetchone(self.cursor, f"SELECT COUNT(*) FROM {self.table} WHERE "
                        f"((idx + 1) << level) > {self.p}", (size,))
        return int(_value(row)) if row is not None else 0

    def size(self) -> int:
        """How many leaves the stored tree holds (one index lookup)."""
        row = _fetchone(self.cursor, f"SELECT MAX(idx) FROM {self.table} WHERE level = 0")
        found = _value(row) if row is not None else None
        return 0 if found is None else int(found) + 1


def leaf_of(row: StoredRow) -> bytes:
    """A stored row's leaf hash: SHA-256(0x00 ‖ the bytes its chain link covers)."""
    return leaf_hash(encode(*row))


def _as_row(row: Any) -> StoredRow:
    if isinstance(row, dict):
        row = tuple(row.values())
    position, originator, version, topic, state = row
    return (position, originator, version, topic,
            state if type(state) is bytes else stored_bytes(state))


class Rows:
    """Stored events of one table read in position order, for building a tree."""

    def __init__(self, cursor: Any, events_table: str, position_column: str,
                 placeholder: str) -> None:
        self.cursor, self.events, self.pos, self.p = (cursor, events_table, position_column,
                                                      placeholder)
        self._columns = (f"SELECT {position_column}, originator_id, originator_version, topic, "
                         f"state FROM {events_table}")

    def last_before(self, before: int | None) -> StoredRow | None:
        where = f" WHERE {self.pos} < {self.p}" if before is not None else ""
        row = _fetchone(self.cursor, f"{self._columns}{where} ORDER BY {self.pos} DESC LIMIT 1",
                        (before,) if before is not None else ())
        return None if row is None else _as_row(row)

    def count_before(self, before: int | None) -> int:
        where = f" WHERE {self.pos} < {self.p}" if before is not None else ""
        return int(_value(_fetchone(self.cursor, f"SELECT COUNT(*) FROM {self.events}{where}",
                                    (before,) if before is not None else ())))

    def position_of(self, ordinal: int) -> int | None:
        """The position of the event at 0-based ordinal `ordinal` (None past the end)."""
        row = _fetchone(self.cursor, f"SELECT {self.pos} FROM {self.events} ORDER BY "
                        f"{self.pos} LIMIT 1 OFFSET {int(ordinal)}")
        return None if row is None else int(_value(row))

    def from_ordinal(self, ordinal: int, before: int | None = None
                     ) -> Iterator[list[StoredRow]]:
        """Batches of the events from ordinal `ordinal` on (positions below `before`)."""
        start = self.position_of(ordinal)
        if start is None:
            return
        p = self.p
        bound = f" AND {self.pos} < {p}" if before is not None else ""
        after, inclusive = start, True
        while True:
            op = ">=" if inclusive else ">"
            params = (after, before) if before is not None else (after,)
            rows = _fetchall(self.cursor, f"{self._columns} WHERE {self.pos} {op} {p}{bound} "
                             f"ORDER BY {self.pos} LIMIT {BATCH}", params)
            if not rows:
                return
            batch = [_as_row(r) for r in rows]
            yield batch
            after, inclusive = batch[-1][0], False


def extend(store: NodeTable, rows: Rows, first: int, new_rows: list[StoredRow]) -> None:
    """Add a write's rows (positions `first` on, sorted) to the stored tree, first building
    what the tree lacks of the events stored before them (a ledger older than the tree).

    The usual case reads popcount(size) nodes and one row: the tree's last leaf is the event
    just before the write. Otherwise the events before the write are counted, and those the
    tree lacks are added from its end. The tree records what was written: it never rewrites a
    node (an event edited outside aid stays in the tree as it was written, for an audit to
    find)."""
    size = store.size()
    last = rows.last_before(first)
    current = last is None and size == 0
    if not current and last is not None and size:
        current = store.find(0, size - 1) == leaf_of(last)
    stored = size if current else rows.count_before(first)
    if stored < size:  # leaves no event wrote: building on them would shift every later one
        raise Refused(N_("the stored Merkle tree holds {size} leaves but {stored} events are "
                         "stored before this write (changed outside aid?); nothing was "
                         "recorded: run `aid audit verify`"), size=size, stored=stored)
    frontier = Frontier.from_store(size, store) if size else Frontier()
    if stored > size:
        for batch in rows.from_ordinal(size, first):
            store.put(frontier.extend([leaf_of(row) for row in batch]))
    store.put(frontier.extend([leaf_of(row) for row in new_rows]))


class Roots:
    """The tree's roots recomputed from the events alone, as their encoded bytes pass by (one
    `add` per stored row, in position order; flat memory): kept at each of `sizes` the rows
    reach, and at their end. Sync's verify pass feeds it the bytes it hashes for the chain,
    so the witness needs no second read of the ledger."""

    def __init__(self, sizes: Iterable[int] = ()) -> None:
        self.wanted = set(sizes)
        self.found = {0: EMPTY_ROOT} if 0 in self.wanted else {}
        self.frontier = Frontier()

    def add(self, data: bytes) -> None:
        frontier = self.frontier
        frontier.append(leaf_hash(data))
        if frontier.size in self.wanted:
            self.found[frontier.size] = frontier.root()

    @property
    def size(self) -> int:
        return self.frontier.size

    def at_end(self) -> dict[int, bytes]:
        """The roots kept, and the root over every row added."""
        return {**self.found, self.size: self.frontier.root()}


class NodeCheck(Roots):
    """The roots, and every node the events complete compared with the stored tree's node
    (read level by level in index order, a page at a time: flat memory). Receipts and
    consistency proofs are made of stored nodes, so an inner node edited outside aid would
    hand a donor a proof that fails while the root still matched."""

    def __init__(self, nodes: StoredNodes) -> None:
        super().__init__()
        self.nodes = nodes
        self.differ = 0
        self.first: tuple[int, int] | None = None  # (level, idx) of the first node that differs
        self.missing = False  # whether that node is not stored at all (deleted, not edited)

    @classmethod
    def of(cls, log: Any, frontier: Frontier | None = None) -> NodeCheck:
        """The check against `log`'s stored tree (call inside `log.snapshot()`); `frontier`:
        of the events before those it will be given (a check that goes on from there)."""
        check = cls(StoredNodes(log.connection, log.table("merkle"), log.paramstyle))
        if frontier is not None:  # a copy: the caller's stays as it was given
            check.frontier.size, check.frontier.hashes = frontier.size, list(frontier.hashes)
        return check

    def add(self, data: bytes) -> None:
        stored = self.nodes.size
        for level, idx, value in self.frontier.append(leaf_hash(data)):
            if (idx + 1) << level <= stored:
                found = self.nodes.hash_at(level, idx)
                if found != value:
                    self.differ += 1
                    if self.first is None:
                        self.first, self.missing = (level, idx), found is None

    def add_leaves(self, leaves: Sequence[bytes]) -> None:
        """`add` for many rows at once, given their leaf hashes: every node they complete
        is compared with the stored one as `add` compares it (the same count, the same first
        node, in the order `add` meets them), each level's nodes read in one query."""
        stored, nodes = self.nodes.size, self.nodes
        differ: list[tuple[int, int, int, bool]] = []  # (leaf that completes it, level, idx, …)
        for level, first, hashes in self.frontier.extend_levels(leaves):
            count = min(len(hashes), (stored >> level) - first)  # those the stored tree holds
            if count <= 0:
                continue
            found = nodes.hashes(level, first, count)
            if found == hashes[:count]:
                continue
            at = dict(nodes.indexed(level, first, count))
            for idx, value in enumerate(hashes[:count], first):
                held = at.get(idx)
                if held != value:
                    differ.append(((idx + 1) << level, level, idx, held is None))
        if differ:
            self.differ += len(differ)
            if self.first is None:
                _, level, idx, missing = min(differ)
                self.first, self.missing = (level, idx), missing


class StoredNodes:
    """A stored tree's nodes asked for in index order within each level (as a tree grows),
    read a page per level at a time."""

    PAGE = 4096

    def __init__(self, cursor: Any, table: str, placeholder: str = "?") -> None:
        nodes = NodeTable(cursor, table, placeholder)
        self.size = nodes.size() if nodes.exists() else 0  # leaves the stored tree holds
        self.cursor, p = cursor, placeholder
        self._select = (f"SELECT idx, hash FROM {table} WHERE level = {p} AND idx >= {p} "
                        f"ORDER BY idx LIMIT {self.PAGE}")
        where = f"FROM {table} WHERE level = {p} AND idx >= {p} AND idx < {p} ORDER BY idx"
        self._range = f"SELECT hash {where}"
        self._range_indexed = f"SELECT idx, hash {where}"
        self.pages: dict[int, list[tuple[int, bytes]]] = {}
        self.at: dict[int, int] = {}  # level -> how far into its page

    def hash_at(self, level: int, idx: int) -> bytes | None:
        page, at = self.pages.get(level, []), self.at.get(level, 0)
        while at < len(page) and page[at][0] < idx:
            at += 1
        if at == len(page):
            page, at = self._page(level, idx), 0
        self.at[level] = at
        return page[at][1] if at < len(page) and page[at][0] == idx else None

    def hashes(self, level: int, first: int, count: int) -> list[Any]:
        """The stored hashes of nodes `first`… of `level`, up to `count` of them, in index
        order, as stored (a node missing makes the list shorter)."""
        rows = _fetchall(self.cursor, self._range, (level, first, first + count))
        return [row[0] for row in rows] if rows and type(rows[0]) is tuple else \
            [_value(row) for row in rows]

    def indexed(self, level: int, first: int, count: int) -> list[tuple[int, bytes]]:
        """(idx, hash) of the same nodes, each hash as `hash_at` gives it."""
        rows = _fetchall(self.cursor, self._range_indexed, (level, first, first + count))
        return [(int(r["idx"] if isinstance(r, dict) else r[0]),
                 _bytes(r["hash"] if isinstance(r, dict) else r[1])) for r in rows]

    def _page(self, level: int, idx: int) -> list[tuple[int, bytes]]:
        rows = _fetchall(self.cursor, self._select, (level, idx))
        page = [(int(r["idx"] if isinstance(r, dict) else r[0]),
                 _bytes(r["hash"] if isinstance(r, dict) else r[1])) for r in rows]
        self.pages[level] = page
        return page


def _bytes(value: Any) -> bytes:
    """A stored hash; text where a hash belongs was edited in: a wrong hash, found so."""
    return value.encode() if isinstance(value, str) else bytes(value)


def roots_at(rows: Iterable[StoredRow], sizes: Iterable[int]) -> tuple[dict[int, bytes], int]:
    """The root of the tree over `rows` at each of `sizes` (those the rows reach) and over all
    of them, and how many rows there are: recomputed from the events alone, one pass, flat
    memory."""
    roots = Roots(sizes)
    for row in rows:
        roots.add(encode(*row))
    return roots.at_end(), roots.size


class LedgerTree:
    """The tree of a ledger as it is now, for checkpoints and proofs: its stored nodes, and
    those the stored tree lacks computed on the fly into a temporary file (never the ledger).
    Build it inside `log.snapshot()` so it and the events agree."""

    def __init__(self, log: Any) -> None:
        self.log = log
        p = log.paramstyle
        position = log._position
        self.rows = Rows(log.connection, log.events_table, position, p)
        self.stored = NodeTable(log.connection, log.table("merkle"), p)
        stored_size = self.stored.size() if self.stored.exists() else 0
        self.stored_size = stored_size
        self._temp: sqlite3.Connection | None = None
        self.store: Any = self.stored
        last = self.rows.last_before(None)
        if last is None and stored_size == 0:
            self.size = 0
            return
        if last is not None and stored_size and \
                self.stored.find(0, stored_size - 1) == leaf_of(last):
            self.size = stored_size  # the usual case: the writers' tree ends at the last event
            return
        events = self.rows.count_before(None)  # a tree behind its events (or none): build it
        if stored_size >= events or (stored_size and self.stored.get(0, stored_size - 1)
                                     != leaf_of(next(self.rows.from_ordinal(stored_size - 1))[0])):
            raise TreeMismatch(stored_size, events)
        self._temp = sqlite3.connect("")  # a private temporary file: flat memory
        extra = NodeTable(self._temp, "aid_merkle")
        extra.create()
        frontier = Frontier.from_store(stored_size, self.stored) if stored_size else Frontier()
        for batch in self.rows.from_ordinal(stored_size):
            extra.put(frontier.extend([leaf_of(row) for row in batch]))
        self.store = _Overlay(extra, self.stored)
        self.size = events

    def close(self) -> None:
        if self._temp is not None:
            self._temp.close()
            self._temp = None

    def root(self, size: int | None = None) -> bytes:
        return root_from_store(self.size if size is None else size, self.store)

    def leaf(self, index: int) -> bytes:
        return self.store.get(0, index)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof_from_store(index, self.size if size is None else size,
                                          self.store)

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof_from_store(first, self.size if second is None else second,
                                            self.store)

    def ordinal(self, row: StoredRow) -> int:
        """The leaf index of a stored event. A leaf's data holds its position, so the leaf at
        the guessed index (positions without gaps, as SQLite's rowids are) having the row's
        hash proves the guess; else the events before it are counted."""
        first = _value(_fetchone(self.rows.cursor, f"SELECT MIN({self.rows.pos}) FROM "
                                 f"{self.rows.events}"))
        guess = row[0] - int(first)
        if 0 <= guess < self.size and self.store.get(0, guess) == leaf_of(row):
            return guess
        return self.rows.count_before(row[0])


def frontier_at(log: Any, size: int) -> Frontier | None:
    """The stored tree's frontier over its first `size` leaves (what a check resumed after
    them goes on from), or None when the stored tree does not hold them all."""
    nodes = NodeTable(log.connection, log.table("merkle"), log.paramstyle)
    if not nodes.exists() or nodes.size() < size:
        return None
    try:
        return Frontier.from_store(size, nodes)
    except KeyError:
        return None


class MissingNode(Refused, KeyError):
    """A node the stored tree must hold is not there: one line for the user (not a traceback),
    and still the KeyError `find` and the proofs' readers expect of an absent node."""

    def __str__(self) -> str:
        return Exception.__str__(self)


class TreeMismatch(Exception):
    """The stored tree does not hold exactly the stored events (edited outside aid)."""

    def __init__(self, tree: int, events: int) -> None:
        super().__init__(tree, events)
        self.tree, self.events = tree, events


class _Overlay:
    """Nodes from the temporary store first, then the ledger's: a node is written once, so
    the two never hold different hashes for one node."""

    def __init__(self, first: NodeTable, second: NodeTable) -> None:
        self.first, self.second = first, second

    def get(self, level: int, idx: int) -> bytes:
        found = self.first.find(level, idx)
        return found if found is not None else self.second.get(level, idx)
