"""Seals: one Ed25519 signature per write, covering exactly the rows that write stores.

Signing each event would cost about 50 µs per event and halve bulk imports; a seal signs a whole
write at once. It is an ordinary event in an aggregate of its own (like a receipt claim), stored
last in the same transaction as the events it covers, so it travels in the chain, in digests
and through any copy of the store unchanged. The rows of one write are contiguous in the global
order (the recorders hold the store's write lock), so a seal covers the `count` rows stored
immediately before it.

What is signed: a SHA-256 over each covered row exactly as stored (aggregate id, version,
topic, state bytes; positions are not known before the insert), bound to the ward's name, the
signer's actor name and key id. Pure functions only, shared by the writer (`ledger/service.py`)
and `aid audit verify` (`projections/signatures.py`).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from .chain import originator_text
from .errors import Refused

SEAL_SCHEME = "aid-seal-v1"
MAX_SEALED = 100_000  # events one seal may cover: bounds what a verifier holds in memory


class Seal(Aggregate):
    """One write's signature: by `actor` with key `key`, over the `count` rows before it."""

    class Made(Aggregate.Created):
        actor: str
        key: str
        count: int
        digest: str
        signature: str

    def __init__(self, actor: str, key: str, count: int, digest: str, signature: str) -> None:
        self.actor, self.key, self.count = actor, key, count
        self.digest, self.signature = digest, signature


SEAL_TOPIC = get_topic(Seal.Made)


def _framed(*parts: bytes) -> bytes:
    """Each part length-prefixed, so no field can bleed into the next (as in ledger/chain.py)."""
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


_LENGTH = struct.Struct(">Q").pack  # 8 bytes, big-endian, as _framed writes lengths


def row_hash(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """One stored row as a seal covers it: everything stored except its position. The same
    framing as `_framed`, written out because verify hashes every stored row."""
    originator, number, name = originator_text(originator_id).encode(), b"%d" % version, \
        topic.encode()
    return hashlib.sha256(b"".join((
        _LENGTH(len(originator)), originator, _LENGTH(len(number)), number,
        _LENGTH(len(name)), name, _LENGTH(len(state)), state))).digest()


def covered_digest(hashes: Iterable[bytes]) -> str:
    """The digest of a write: the row hashes of its events, in the order they were stored."""
    return hashlib.sha256(b"".join(hashes)).hexdigest()


def message(ward: str, actor: str, key: str, count: int, digest: str) -> bytes:
    """The exact bytes a seal's signature covers."""
    return _framed(SEAL_SCHEME.encode(), ward.encode(), actor.encode(), key.encode(),
                   str(count).encode(), digest.encode())


def make(stored: Sequence[Any], ward: str, actor: str, key: str, sign: Any) -> Seal.Made:
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


def key_id(public: bytes) -> str:
    """A short, stable name for a public key (its SHA-256, 16 hex digits)."""
    return hashlib.sha256(public).hexdigest()[:16]


def public_text(public: bytes) -> str:
    """A public key as people pass it around: `ed25519:` and its 32 bytes in base64."""
    return "ed25519:" + base64.b64encode(public).decode()


def signature_ok(public: bytes, signature: str, signed: bytes) -> bool:
    """Whether `signature` (base64) is `public`'s Ed25519 signature of `signed`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature), signed)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
