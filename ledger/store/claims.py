"""Keys a ward may use once: receipt numbers and import rows.

A claim is an aggregate whose id derives from the key, saved atomically with the fact that uses
it; a second use fails on the event store's unique (id, version) constraint. That makes receipt
numbers unique and imports idempotent under concurrent writers, without the ward's snapshot
growing with every receipt ever seen.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.errors import Refused
from ledger.store.rows import EventRow, RowBuilder, timestamp
from ledger.ward.names import WARD_ID


@lru_cache(maxsize=8192)  # an import asks twice per row: is it claimed, then claim it
def claim_id(key: str) -> UUID:
    return uuid5(WARD_ID, key)


class Claim(Aggregate, created_event_name="Made"):
    """The key `key` is used by ward entry `entry`."""

    TOPIC = "ledger.claims:Claim"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.claims:Claim.Created"

    @staticmethod
    def create_id(key: str, **_: Any) -> UUID:
        return claim_id(key)

    class Made(Aggregate.Created):
        TOPIC = "ledger.claims:Claim.Made"

        key: str
        entry: int

    def __init__(self, key: str, entry: int) -> None:
        self.key = key
        self.entry = entry


def claim(key: str, entry: int) -> Claim.Made:
    """The event that claims `key` for `entry`, without building the aggregate around it
    (an import claims a key per row)."""
    return Claim.Made(originator_id=claim_id(key), originator_version=Claim.INITIAL_VERSION,
                      timestamp=Claim.Made.create_timestamp(), originator_topic=CLAIM_TOPIC,
                      key=key, entry=entry)


CLAIM_TOPIC = get_topic(Claim)


def receipt_key(receipt: str) -> str:
    return f"receipt:{receipt}"


def case_variants(key: str) -> list[str]:
    """A receipt's key with its number written all in capitals and all in small letters,
    where that differs: "pt-0001" typed after "PT-0001" is the same paper receipt. (Keys stay
    as typed, as every ledger already stores them; a twin is looked up, never re-keyed.)"""
    kind, _, number = key.partition(":")
    if kind != "receipt":
        return []
    return [f"{kind}:{variant}" for variant in dict.fromkeys((number.upper(), number.lower()))
            if variant != number]


def twin_used(key: str, twin: str, entry: int) -> Refused:
    """The refusal of receipt `key` whose number entry `entry` used as `twin`."""
    return Refused("receipt {number} is receipt {twin} of entry {entry}, written in other "
                   "letters; each receipt number is recorded once",
                   number=key.split(":", 1)[1], twin=twin.split(":", 1)[1], entry=entry)


def claim_row(builder: RowBuilder, key: str, entry: int) -> EventRow:
    """The stored row of `claim(key, entry)`, built directly (for bulk writers)."""
    return builder.row(claim_id(key), Claim.INITIAL_VERSION, Claim.Made,
                       {"timestamp": timestamp(Claim.Made), "originator_topic": CLAIM_TOPIC,
                        "key": key, "entry": entry})
