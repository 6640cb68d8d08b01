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


def encode_rows(rows: Iterable[StoredRow]) -> list[bytes]:
    """`encode` of each row, a batch at a time (a check of a million rows runs it): the same
    bytes, with the usual row's fields (an id as text, a state as bytes) framed inline."""
    out: list[bytes] = []
    append, join, short, length, framed = out.append, b"".join, _SHORT, _length, _topic
    for position, originator_id, version, topic, state in rows:
        if type(originator_id) is not str or type(state) is not bytes:
            append(encode(position, originator_id, version, topic, state))
            continue
        number, count, originator = b"%d" % position, b"%d" % version, originator_id.encode()
        size = len(originator)
        append(join((short[len(number)], number,
                     short[size] if size < 256 else length(size), originator,
                     short[len(count)], count, framed(topic), length(len(state)), state)))
    return out


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
