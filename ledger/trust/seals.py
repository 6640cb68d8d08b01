"""Seals: one Ed25519 signature per write, covering exactly the rows that write stores.

Signing each event would cost about 50 µs per event and halve bulk imports; a seal signs a whole
write at once. It is an ordinary event in an aggregate of its own (like a receipt claim), stored
last in the same transaction as the events it covers, so it travels in the chain, in digests
and through any copy of the store unchanged. The rows of one write are contiguous in the global
order (the recorders hold the store's write lock), so a seal covers the `count` rows stored
immediately before it. What it signs: `ledger/trust/seal_bytes.py`.

Seals of the second scheme (`class_version` 2, issue #22) bind the ledger's identity rather than
the ward's name, and are numbered: the n-th is version n of one aggregate (`SEALS_ID`), so the
store's unique key keeps the numbers gapless when writers race (the loser retries), and verify
names a signed write deleted or moved. Release 0.1's seals read back as version 1.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.errors import Refused
from ledger.trust.seal_bytes import (
    MAX_SEALED,
    SEAL_SCHEME,
    SEAL_SCHEME_V2,
    SEALS_ID,
    covered_digest,
    message,
    message_v2,
    row_hash,
)


class Seal(Aggregate, created_event_name="Made"):
    """One write's signature: by `actor` with key `key`, over the `count` rows before it."""

    TOPIC = "ledger.seals:Seal"

    class Created(Aggregate.Created):
        """Never recorded: the library names one on every aggregate."""

        TOPIC = "ledger.seals:Seal.Created"

    class Made(Aggregate.Created):
        TOPIC = "ledger.seals:Seal.Made"
        class_version = 2

        actor: str
        key: str
        count: int
        digest: str
        signature: str
        scheme: str = SEAL_SCHEME  # SEAL_SCHEME_V2 since issue #22 (release 0.1: bound to the
        ledger: str = ""  # ward's name) · the identity it is bound to · its running number
        number: int = 0  # among the ledger's seals of the second scheme

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(scheme=SEAL_SCHEME, ledger="", number=0)

    def __init__(self, actor: str, key: str, count: int, digest: str, signature: str,
                 **_: Any) -> None:
        self.actor, self.key, self.count = actor, key, count
        self.digest, self.signature = digest, signature


def make(stored: Sequence[Any], ward: str, actor: str, key: str,
         sign: Callable[[bytes], bytes], *, identity: str | None = None,
         number: int = 0) -> Seal.Made:
    """The seal of the stored events `stored` (eventsourcing StoredEvents, as about to be
    inserted), signed by `sign(message) -> signature bytes`: the `number`-th seal bound to the
    ledger `identity`, or (without one) a seal of release 0.1's scheme, bound to the `ward`
    name, which only tests still make."""
    if len(stored) > MAX_SEALED:
        raise Refused("one write of {count} events is more than a seal covers ({most}): import "
                      "in smaller batches (--batch)", count=len(stored), most=MAX_SEALED)
    digest = covered_digest(row_hash(e.originator_id, e.originator_version, e.topic, e.state)
                            for e in stored)
    if identity is None:
        signature = sign(message(ward, actor, key, len(stored), digest))
        return Seal.Made(originator_id=uuid4(), originator_version=Seal.INITIAL_VERSION,
                         timestamp=Seal.Made.create_timestamp(),
                         originator_topic=get_topic(Seal), actor=actor, key=key,
                         count=len(stored), digest=digest,
                         signature=base64.b64encode(signature).decode())
    signature = sign(message_v2(identity, actor, key, len(stored), digest, number))
    return Seal.Made(originator_id=SEALS_ID, originator_version=number,
                     timestamp=Seal.Made.create_timestamp(), originator_topic=get_topic(Seal),
                     actor=actor, key=key, count=len(stored), digest=digest,
                     signature=base64.b64encode(signature).decode(), scheme=SEAL_SCHEME_V2,
                     ledger=identity, number=number)
