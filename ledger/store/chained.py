"""Writing each event's chain link in the same transaction as the event.

The recorders below subclass the eventsourcing library's application recorders (selected with
its APPLICATION_RECORDER_TOPIC setting, see `ledger/store/access.py`). After the library inserts a
batch of events, and while the transaction still holds the store's write lock (SQLite's single
writer; PostgreSQL's EXCLUSIVE lock on the events table), they read the last stored link and
store one link per new event. So links follow the events' global order exactly, and the chain
stays a single chain however many processes write at once.

This module holds the part both back ends share; `chained_sqlite.py` and `chained_postgres.py`
bind it to each library recorder (separate modules, so SQLite writers never import psycopg).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.errors import Refused
from ledger.store import tree
from ledger.trust.chain import GENESIS, StoredRow, links, stored_bytes
from ledger.trust.seal_bytes import KEY_DECLARED


class ChainWriter:
    """Mixin for an application recorder: store the chain links of the events it inserts."""

    chain_table: str
    events_table_name: str
    position_column: str  # "rowid" (SQLite) or "notification_id" (PostgreSQL)
    placeholder: str  # "?" or "%s"
    position_type: str  # the chain table's key: "INTEGER" (SQLite's rowid alias) or "BIGINT"

    _tree_ready = False  # the tree's table is known to exist (made by `aid init` or a write)

    @property
    def merkle_table(self) -> str:
        return tree.merkle_table(self.events_table_name)

    def merkle_statement(self) -> str:
        return tree.NodeTable(None, self.merkle_table, self.placeholder).create_statement()

    def chain_statement(self) -> str:
        return (f"CREATE TABLE IF NOT EXISTS {self.chain_table} "
                f"(position {self.position_type} PRIMARY KEY, link TEXT NOT NULL)")

    def last_link(self) -> tuple[int, str] | None:
        """(position, link) of the last stored event, or None while nothing is linked."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT position, link FROM {self.chain_table} "
                           "ORDER BY position DESC LIMIT 1")
            row = cursor.fetchone()
        return (row["position"], row["link"]) if row else None

    def write_links(self, cursor: Any, ids: Sequence[int], stored_events: Sequence[Any]) -> None:
        """Link the events just inserted at positions `ids`; the caller holds the write lock."""
        new_rows = sorted((position, event.originator_id, event.originator_version,
                           event.topic, event.state)
                          for position, event in zip(ids, stored_events))
        first = new_rows[0][0]
        cursor.execute(f"SELECT position, link FROM {self.chain_table} "
                       "ORDER BY position DESC LIMIT 1")
        last = cursor.fetchone()
        if last is None:  # a ledger written before links existed: link its history first
            previous, earlier = GENESIS, self._rows_between(cursor, 0, first)
        else:
            previous, earlier = last["link"], []
            stray = self._rows_between(cursor, last["position"], first)
            if last["position"] >= first or stray:
                where = stray[0][0] if stray else last["position"]
                raise Refused(
                    "the ledger file was changed outside aid near position {where} (its chain of "
                    "links no longer matches its events); nothing was recorded: run `aid audit "
                    "verify` and restore the ledger from a backup", where=where)
        if _moved(last["position"] if last else None, stored_events):
            raise IntegrityError("another writer wrote after the history the first key binds")
        self.insert_links(cursor, links(previous, earlier + new_rows))
        self.write_tree(cursor, first, new_rows)

    def write_tree(self, cursor: Any, first: int, new_rows: list[StoredRow]) -> None:
        """Append the new events to the Merkle tree, in the same transaction (`tree.py`)."""
        nodes = tree.NodeTable(cursor, self.merkle_table, self.placeholder)
        if not self._tree_ready and not nodes.exists():
            nodes.create()  # a ledger made before the tree: built from its rows right here
        self._tree_ready = True
        tree.extend(nodes, tree.Rows(cursor, self.events_table_name, self.position_column,
                                     self.placeholder), first, new_rows)

    def _rows_between(self, cursor: Any, after: int, before: int) -> list[StoredRow]:
        p, pos = self.placeholder, self.position_column
        cursor.execute(f"SELECT {pos} AS position, originator_id, originator_version, topic, "
                       f"state FROM {self.events_table_name} WHERE {pos} > {p} AND {pos} < {p} "
                       f"ORDER BY {pos}", (after, before))
        return [(row["position"], row["originator_id"], row["originator_version"],
                 row["topic"], stored_bytes(row["state"])) for row in cursor.fetchall()]

    def insert_links(self, cursor: Any, new: list[tuple[int, str]]) -> None:
        raise NotImplementedError


def _moved(last: int | None, stored_events: Sequence[Any]) -> bool:
    """Whether the first key's declaration in this batch binds a history that is no longer the
    last one stored: another writer wrote between reading it and this insert, and verify would
    find that write unsigned after the bound history. The write is then tried again."""
    for event in stored_events:
        if event.topic == KEY_DECLARED:
            head = json.loads(bytes(event.state)).get("head_position")
            return head is not None and head != last
    return False


def chain_table(events_table: str) -> str:
    """The table holding the links next to an events table ("stored_events" is SQLite's)."""
    if events_table == "stored_events":
        return "aid_chain"
    return events_table.removesuffix("_events") + "_chain"
