"""Keys a ward may use once: receipt numbers and import rows.

A claim is an aggregate whose id derives from the key, saved atomically with the fact that uses
it; a second use fails on the event store's unique (id, version) constraint. That makes receipt
numbers unique and imports idempotent under concurrent writers, without the ward's snapshot
growing with every receipt ever seen.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from .ward import WARD_ID


def claim_id(key: str) -> UUID:
    return uuid5(WARD_ID, key)


class Claim(Aggregate):
    """The key `key` is used by ward entry `entry`."""

    @staticmethod
    def create_id(key: str, **_: Any) -> UUID:
        return claim_id(key)

    class Made(Aggregate.Created):
        key: str
        entry: int

    def __init__(self, key: str, entry: int) -> None:
        self.key = key
        self.entry = entry


def receipt_key(receipt: str) -> str:
    return f"receipt:{receipt}"
