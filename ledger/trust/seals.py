"""Seals: one Ed25519 signature per write, covering exactly the rows that write stores.

Signing each event would cost about 50 µs per event and halve bulk imports; a seal signs a whole
write at once. It is an ordinary event in an aggregate of its own (like a receipt claim), stored
last in the same transaction as the events it covers, so it travels in the chain, in digests
and through any copy of the store unchanged. The rows of one write are contiguous in the global
order (the recorders hold the store's write lock), so a seal covers the `count` rows stored
immediately before it. What it signs: `ledger/trust/seal_bytes.py`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.errors import Refused
from ledger.trust.seal_bytes import MAX_SEALED, covered_digest, message, row_hash


class Seal(Aggregate, created_event_name="Made"):
    """One write's signature: by `actor` with key `key`, over the `count` rows before it."""

    TOPIC = "ledger.seals:Seal"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.seals:Seal.Created"

    class Made(Aggregate.Created):
        TOPIC = "ledger.seals:Seal.Made"

        actor: str
        key: str
        count: int
        digest: str
        signature: str

    def __init__(self, actor: str, key: str, count: int, digest: str, signature: str) -> None:
        self.actor, self.key, self.count = actor, key, count
        self.digest, self.signature = digest, signature


def make(stored: Sequence[Any], ward: str, actor: str, key: str,
         sign: Callable[[bytes], bytes]) -> Seal.Made:
    """The seal of the stored events `stored` (eventsourcing StoredEvents, as about to be
    inserted), signed by `sign(message) -> signature bytes`."""
    if len(stored) > MAX_SEALED:
        raise Refused("one write of {count} events is more than a seal covers ({most}): import "
                      "in smaller batches (--batch)", count=len(stored), most=MAX_SEALED)
    digest = covered_digest(row_hash(e.originator_id, e.originator_version, e.topic, e.state)
                            for e in stored)
    signature = sign(message(ward, actor, key, len(stored), digest))
    return Seal.Made(originator_id=uuid4(), originator_version=Seal.INITIAL_VERSION,
                     timestamp=Seal.Made.create_timestamp(), originator_topic=get_topic(Seal),
                     actor=actor, key=key, count=len(stored), digest=digest,
                     signature=base64.b64encode(signature).decode())
