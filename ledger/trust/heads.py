"""A ledger's signed tree heads: its checkpoints, who signs them and how anyone checks them.

A checkpoint (`ledger/trust/checkpoint.py`) states the origin line of this ledger (its identity,
`ledger/trust/identity.py`), how many events its Merkle tree holds and the tree's root, signed
by the treasurer's Ed25519 key, the same key that seals entries (`ledger/trust/signing_key.py`).
The signature line is named after the key's holder and the key (`chi-lan.981e42fa880029c8`), so
a verifier who knows the ledger's declared keys (its keyring) finds which key signed, and a
verifier who holds only a checkpoint reads which actor it claims.

The origin never changes in a ledger's life: it holds the ward's district code only when the
code was recorded with the opening (`aid init --code`), never one given later.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.errors import BadInput, Refused
from ledger.phrases import N_, Phrase, said
from ledger.trust import checkpoint
from ledger.trust.identity import identity, origin
from ledger.trust.seal_bytes import KEY_DECLARED, KEYS_TOPIC_PREFIX
from ledger.values.text import fold
from ledger.ward import names

WARD_ID, KEYRING_ID = names.WARD_ID, names.KEYRING_ID  # the aggregates' ids, without the library
CODED = names.WARD + names.CODED
DECLARED = KEY_DECLARED
REVOKED = f"{KEYS_TOPIC_PREFIX}Keyring.Revoked"


@dataclass(frozen=True)
class DeclaredKey:
    actor: str
    key: str  # the key id (16 hex digits)
    public: bytes  # 32 raw Ed25519 bytes
    revoked: bool
    revoked_at: int | None = None  # the position of its revocation
    declared_at: int | None = None  # the position of its declaration

    def signs_for(self, size: int) -> bool:
        """Whether its signature vouches for a checkpoint of `size` events: one that holds
        the key's declaration (aid signs the current size with a declared key), and for a
        revoked key one that ends before its revocation (one past it was signed after, by
        whoever holds the key now)."""
        return (self.declared_at is None or self.declared_at <= size) and \
            (self.revoked_at is None or size < self.revoked_at)

    @property
    def name(self) -> str:
        return key_name(self.actor, self.key)

    def vkey(self) -> str:
        return checkpoint.format_vkey(self.name, self.public)


def key_name(actor: str, key: str) -> str:
    """A signature line's key name: the holder's name folded to letters, digits and dashes,
    then the key id (signed-note names hold no spaces and no '+')."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(actor)).strip("-") or "key"
    return f"{slug}.{key}"


def _rows_of(log: Any, aggregate: UUID, upto: int | None = None) -> list[tuple[int, str, Any]]:
    """(version, topic, fields) of one aggregate's stored events."""
    return [(v, t, json.loads(s)) for v, t, s in log.aggregate_rows(aggregate, upto)]


def declared_keys(log: Any) -> list[DeclaredKey]:
    """Every key the ledger's keyring declared, with whether it was revoked since."""
    import base64

    keys: dict[str, DeclaredKey] = {}
    for version, topic, data in _rows_of(log, KEYRING_ID):
        row = log.row_of(KEYRING_ID, version) if topic in (DECLARED, REVOKED) else None
        at = None if row is None else row[0]
        try:
            if topic == DECLARED:
                public = base64.b64decode(str(data["public"]).removeprefix("ed25519:"))
                keys[data["key"]] = DeclaredKey(data["actor"], data["key"], public, False,
                                                declared_at=at)
            elif topic == REVOKED and data.get("key") in keys:
                found = keys[data["key"]]
                keys[data["key"]] = DeclaredKey(found.actor, found.key, found.public, True, at,
                                                found.declared_at)
        except (LookupError, TypeError, ValueError, AttributeError):
            continue  # a row edited out of shape declares nothing: verify names the edit
    return list(keys.values())


def origin_of(log: Any) -> str:
    """The origin line of this ledger's checkpoints."""
    first = next(iter(log.stored(batch=1)), None)
    if first is None:
        raise BadInput("this ledger holds no events yet: there is nothing to checkpoint")
    code = None
    opened = _rows_of(log, WARD_ID, upto=2)
    if len(opened) == 2 and opened[1][1] == CODED and isinstance(opened[1][2], dict):
        code = opened[1][2].get("code")
    return origin(identity(first), code)


def same_ledger(a: str, b: str) -> bool:
    """Whether two origin lines name one ledger (its identity is the last part)."""
    return a.rsplit("/", 1)[-1] == b.rsplit("/", 1)[-1]


def signer(keys: list[DeclaredKey], key: Any) -> DeclaredKey:
    """The writer's key (`SigningKey`) as this ledger declares it (`keys`: `declared_keys`),
    live: a checkpoint is the ledger's word, given by its treasurer; refused otherwise."""
    if key is None:
        raise BadInput("a checkpoint is signed with your signing key and there is none: make "
                       "one with `aid actor key init` and declare it with `aid actor add NAME`")
    mine = next((k for k in keys if k.key == key.key and not k.revoked), None)
    if mine is None:
        raise Refused("your signing key {key} is not a live key of this ledger: a checkpoint "
                      "is signed by a declared actor (`aid actor add`)", key=key.key)
    return mine


def signers(note: str, keys: list[DeclaredKey]) -> list[DeclaredKey]:
    """The declared keys whose valid signature the note carries."""
    return [k for k in keys if checkpoint.verify(note, k.name, k.public)]


def parse_note(text: str, what: str = N_("the checkpoint")) -> checkpoint.Checkpoint:
    """A checkpoint given on the command line or in a file, or BadInput saying what is wrong."""
    try:
        return checkpoint.parse(text)
    except ValueError as error:
        raise BadInput("{what} is not a signed checkpoint: {error}", what=Phrase(what),
                       error=said(error)) from None
