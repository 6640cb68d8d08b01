"""Tamper evidence: a SHA-256 chain over the stored events in their global order.

Each link hashes the previous link and one stored event exactly as kept (its position, the
aggregate it belongs to, its version, its topic and its state bytes), so the chain covers
encrypted or compressed events too and never depends on how events are decoded. Writers store
each event's link in the same transaction as the event (`ledger/store/chained*.py`); a digest kept
outside the ledger (the head link, plus a few checkpoints) catches a history rewritten
consistently by someone who also recomputed the stored links.

Pure functions only: the recorders, `aid audit digest` and `aid audit verify` all compute links
here, one event at a time or a batch at a time, so bulk writers can reuse them unchanged.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

ALGORITHM = "sha256-chain-v1"
GENESIS = "0" * 64  # the "previous link" of the first event
MAX_CHECKPOINTS = 128  # links a digest keeps besides its head, to name where history departs

StoredRow = tuple[int, Any, int, str, bytes]  # position, originator id, version, topic, state


def encode(position: int, originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The bytes one link covers: every stored field, each length-prefixed so none can bleed
    into the next. (Written for speed: `aid audit verify` runs it once per stored event.)"""
    number, count = b"%d" % position, b"%d" % version
    originator = (originator_id if type(originator_id) is str
                  else originator_text(originator_id)).encode()
    if type(state) is not bytes:
        state = stored_bytes(state)
    size = len(originator)
    return b"".join((_SHORT[len(number)], number,
                     _SHORT[size] if size < 256 else _length(size), originator,
                     _SHORT[len(count)], count, _topic(topic), _length(len(state)), state))


def stored_bytes(state: Any) -> bytes:
    """A stored state as the bytes its link covers. A row edited by hand can hold text (its
    UTF-8), a number (its digits, as SQLite casts one to a blob) or NULL (no bytes): no event is
    ever stored empty, so each of them breaks the row's link and `aid audit verify` names it."""
    if state is None:
        return b""
    if isinstance(state, str):
        return state.encode()
    if isinstance(state, (int, float)):
        return str(state).encode()
    return bytes(state)


_length = struct.Struct(">Q").pack  # 8 bytes, big-endian
_SHORT = tuple(_length(n) for n in range(256))  # the prefixes of short fields, made once


@lru_cache(maxsize=256)
def _topic(topic: str) -> bytes:
    """A topic's length and bytes: a ledger has few topics, and each row names one."""
    name = topic.encode()
    return _length(len(name)) + name


def encode_sql(row: str) -> str:
    """`encode` as a PostgreSQL expression over the columns of `row` (an alias or a record):
    the district's guard recomputes each link with it, and a whole copy is checked with the
    server encoding its rows while the client only hashes them (`Encoded`). Numbers and the
    aggregate id (a uuid column, as 32 hex digits) are ASCII, taken as bytes as they are
    (`decode(…, 'escape')`: no backslash can occur in them) and the id's length is a constant;
    a quarter cheaper than converting each to UTF-8, which the topic needs."""
    def text(value: str) -> str:
        return (f"{PG}int8send({PG}octet_length({PG}convert_to({value}, 'UTF8'))) || "
                f"{PG}convert_to({value}, 'UTF8')")

    def ascii(value: str) -> str:
        return f"{PG}int8send({PG}octet_length({value})) || {PG}decode({value}, 'escape')"

    hex_id = f"{PG}encode({PG}uuid_send({row}.originator_id), 'hex')"
    return " || ".join([ascii(f"{row}.notification_id::text"),
                        f"{PG}int8send(32) || {PG}decode({hex_id}, 'escape')",
                        ascii(f"{row}.originator_version::text"), text(f"{row}.topic"),
                        f"{PG}int8send({PG}octet_length({row}.state)) || {row}.state"])


# PostgreSQL's own functions and aggregates by their schema, so that none of the same name in a
# schema put first on the search path can stand in for them in a check
PG = "pg_catalog."


def rows_sql(events: str) -> str:
    """The rows of `events` for `encode_sql` to encode as `encode` does, a NULL state (set by
    hand) as no bytes (`stored_bytes`): a NULL must break its link, not make the whole encoding
    NULL, which `bool_and` would pass over and a client could not hash."""
    return (f"(SELECT notification_id, originator_id, originator_version, topic, "
            f"coalesce(state, ''::bytea) AS state FROM {events})")


def intact_sql(events: str, chain: str) -> str:
    """A PostgreSQL query whose one row says whether a ledger's chain holds up to a position
    (its parameter, given twice): how many events there are, the last one's position, and
    whether every event has its link, every link its event, and each link is the SHA-256 of
    the link before it and the event at its position. The server hashes and only the answer
    travels: a copy checked without sending it. Where the chain does not hold, `tamper.verify`
    walks it to name what is wrong."""
    return (
        f"SELECT {PG}count(e.notification_id), {PG}max(e.notification_id), coalesce("
        f"{PG}bool_and(e.notification_id IS NOT NULL AND c.link IS NOT NULL AND c.link = "
        f"{PG}encode({PG}sha256({PG}decode(c.previous, 'hex') || {encode_sql('e')}), 'hex')), "
        f"true) FROM (SELECT * FROM {rows_sql(events)} r WHERE notification_id <= %s) e "
        f"FULL JOIN (SELECT position, link, {PG}lag(link, 1, '{GENESIS}') OVER (ORDER BY "
        f"position) AS previous FROM {chain} WHERE position <= %s) c ON c.position = "
        f"e.notification_id")


class Encoded(NamedTuple):
    """A stored row already in the bytes its link covers (PostgreSQL made them: `encode_sql`)."""

    position: int
    data: bytes


def originator_text(originator_id: Any) -> str:
    """UUIDs as 32 hex digits, as SQLite stores them and PostgreSQL returns them as UUID."""
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def link(previous: str, row: StoredRow) -> str:
    """The link of one stored event, given the link of the event before it."""
    return hashlib.sha256(bytes.fromhex(previous) + encode(*row)).hexdigest()


def links(previous: str, rows: Iterable[StoredRow]) -> list[tuple[int, str]]:
    """(position, link) for consecutive stored events, continuing from `previous`."""
    out = []
    digest = bytes.fromhex(previous)
    for row in rows:  # `link` one after another, without a hex round trip in between
        digest = hashlib.sha256(digest + encode(*row)).digest()
        out.append((row[0], digest.hex()))
    return out


def chain_table(events_table: str) -> str:
    """The table holding the links next to an events table ("stored_events" is SQLite's)."""
    if events_table == "stored_events":
        return "aid_chain"
    return events_table.removesuffix("_events") + "_chain"
