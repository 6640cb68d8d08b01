"""What a seal signs: pure functions over stored rows, shared by writers and verifiers.

A seal (`ledger/trust/seals.py`) signs one whole write: a SHA-256 over each covered row exactly as
stored (aggregate id, version, topic, state bytes; positions are not known before the insert),
bound to the ledger's identity (release 0.1: the ward's name), the signer's actor name and key
id, and (since issue #22) the seal's running number. Kept apart from the event class so
`aid audit verify` and `aid --version` need not import the eventsourcing library; the stored
topics are spelled out here for the same reason (tests pin them to the classes).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from ledger.trust.chain import originator_text

SEAL_SCHEME = "aid-seal-v1"  # bound to the ward's name: release 0.1's seals, still verified
SEAL_SCHEME_V2 = "aid-seal-v2"  # bound to the ledger's identity and numbered (issue #22)
SEAL_TOPIC = "ledger.seals:Seal.Made"  # get_topic(ledger.trust.seals.Seal.Made)
KEYS_TOPIC_PREFIX = "ledger.keys:"  # the keyring's events (ledger/trust/keyring.py)
KEY_DECLARED = f"{KEYS_TOPIC_PREFIX}Keyring.Declared"  # keyring.Keyring.Declared.TOPIC
# The aggregate whose version n is the ledger's n-th seal of the second scheme: the store's unique
# (id, version) key keeps the numbers gapless across concurrent writers (one loses and retries).
SEALS_ID = UUID("7a1d5ea1-5ea1-4c0b-8e5a-a1d5ea15ea15")
MAX_SEALED = 100_000  # events one seal may cover: bounds what a verifier holds in memory

_LENGTH = struct.Struct(">Q").pack  # 8 bytes, big-endian, as in ledger/trust/chain.py


def _framed(*parts: bytes) -> bytes:
    """Each part length-prefixed, so no field can bleed into the next."""
    return b"".join(_LENGTH(len(part)) + part for part in parts)


def row_hash(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """One stored row as a seal covers it: everything stored except its position. The same
    framing as `_framed`, written out because verify hashes every stored row."""
    originator, number, name = originator_text(originator_id).encode(), b"%d" % version, \
        topic.encode()
    return hashlib.sha256(b"".join((
        _LENGTH(len(originator)), originator, _LENGTH(len(number)), number,
        _LENGTH(len(name)), name, _LENGTH(len(state)), state))).digest()


def row_hashes_encoded(encoded: Iterable[bytes]) -> list[bytes]:
    """`row_hash` of each row given the bytes its chain link covers (`chain.encode`): those are
    the same length-prefixed fields with the position in front (8 bytes of length, the last
    of them its digits' count, then the digits), so no row is framed again; one comprehension,
    no call per row."""
    sha256 = hashlib.sha256
    return [sha256(data[8 + data[7]:]).digest() for data in encoded]


def covered_digest(hashes: Iterable[bytes]) -> str:
    """The digest of a write: the row hashes of its events, in the order they were stored."""
    return hashlib.sha256(b"".join(hashes)).hexdigest()


def message(ward: str, actor: str, key: str, count: int, digest: str) -> bytes:
    """The exact bytes a seal's signature covers."""
    return _framed(SEAL_SCHEME.encode(), ward.encode(), actor.encode(), key.encode(),
                   str(count).encode(), digest.encode())


def message_v2(identity: str, actor: str, key: str, count: int, digest: str,
               number: int) -> bytes:
    """The exact bytes a second-scheme seal's signature covers: the ledger's identity
    (`ledger/trust/identity.py`) instead of the ward's name, and the seal's running number, so
    a seal copied from another ledger, or a whole signed write deleted or moved, is caught."""
    return _framed(SEAL_SCHEME_V2.encode(), identity.encode(), actor.encode(), key.encode(),
                   str(count).encode(), digest.encode(), str(number).encode())


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
